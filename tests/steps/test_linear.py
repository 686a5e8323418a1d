"""Symbolic checks of every displayed derivation step of the fully-connected-layer page, ``Y = X W``.

The generic tests (every step in both languages at every size triple, mutants, syntax errors,
page structure, the two languages) come from :class:`StepSuite`; this file declares what they
need and adds the tests only this topic has.

The ground truth is built here, independently of the translator: ``y_mn = sum_k x_mk w_kn`` written out
from the index definition with plain symbols ``x_i_j``, ``w_i_j``; ``dy_mn/dx_ij`` by SymPy; and for the
chain rule ``L`` is an undefined ``sympy.Function('L')`` of all ``y_mn``, ``L(Y(X, W))`` is differentiated
by SymPy, and every ``dL/dy_mn`` it produces (a ``Subs`` object) is renamed ``g_mn``. The differentials of the
second route are the first-order changes written with symbols ``dx_i_j``, ``dw_i_j``: ``dY`` from SymPy's
``dy_mn/dx_ij`` and ``dy_mn/dw_ij``, ``dL`` from the gradients above. Every side of every ``=`` of a step
(every line of an ``aligned`` block) must equal the ground truth for every concrete index, for each size
triple in ``SIZES``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
import sympy as sp

from derivations.steps import (
    Check,
    Evaluator,
    Loss,
    Matrix,
    Mutation,
    Output,
    Setting,
    SyntaxCase,
    TexMeaningError,
    Topic,
    full,
    interior,
    parse,
    same_formula,
    world,
)
from derivations.steps.syntax import Chain

from .suite import StepSuite, page_step, rename_loss_derivatives

Sizes = tuple[int, int, int]

# What the step formulas name: sizes M, D, N; X (M x D) with entries x_{ij}, W (D x N) with w_{ij};
# Y = X W with y_{mn}; L an undefined function of Y, whose dL/dy_mn are the entries g_mn of G.
SETTING = Setting(
    sizes=("M", "D", "N"),
    symbols=(Matrix("X", "x", "M", "D"), Matrix("W", "w", "D", "N")),
    forward=(Output("Y", "y", lambda X, W: X * W),),
    variables=("X", "W"),
    loss=Loss("L", of="Y", gradient=Matrix("G", "g", "M", "N")),
)
# The derivation, the worked example and the sections after it up to the Python examples: every display
# formula in between is a checked step or a worked-example placeholder.
SECTIONS = {
    "zh": ("## 对 X 求梯度", "## 在 Python 里试一试"),
    "en": ("## Gradient with respect to X", "## Try it in Python"),
}
# Sizes (M, D, N): all distinct within a triple, so that a swapped index or a misplaced transpose shows up;
# M, N >= 3 so that the schematic matrices have an interior row / column and g_{i2} ... g_{iN} a middle.
SIZES: tuple[Sizes, ...] = ((3, 2, 4), (4, 5, 3))


# ---------------------------------------------------------------------------------------- ground truth


def _symbol(name: str, row: int, col: int) -> sp.Symbol:
    return sp.Symbol(f"{name}_{row}_{col}")


def _grid(rows: int, cols: int) -> list[tuple[int, int]]:
    return [(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1)]


@dataclass(frozen=True)
class Truth:
    """Ground-truth derivatives for one size triple (all indices one-based)."""

    sizes: Sizes
    dy_dx: Mapping[tuple[int, int, int, int], sp.Expr]
    dy_dw: Mapping[tuple[int, int, int, int], sp.Expr]
    dL_dx: Mapping[tuple[int, int], sp.Expr]
    dL_dw: Mapping[tuple[int, int], sp.Expr]
    outer: Mapping[tuple[int, int, int], sp.Expr]  # (m, i, j): x_mi g_mj, sample m's share of dL/dw_ij
    dY: sp.ImmutableMatrix  # the first-order change of Y, in the symbols dx_i_j and dw_i_j
    dL_via_x: sp.Expr  # sum_ij dL/dx_ij dx_ij
    dL_via_w: sp.Expr  # sum_ij dL/dw_ij dw_ij

    def dY_dx(self, i: int, j: int) -> sp.ImmutableMatrix:
        M, _, N = self.sizes
        return sp.ImmutableMatrix(M, N, lambda m, n: self.dy_dx[m + 1, n + 1, i, j])

    def dY_dw(self, i: int, j: int) -> sp.ImmutableMatrix:
        M, _, N = self.sizes
        return sp.ImmutableMatrix(M, N, lambda m, n: self.dy_dw[m + 1, n + 1, i, j])

    def dL_dX(self) -> sp.ImmutableMatrix:
        M, D, _ = self.sizes
        return sp.ImmutableMatrix(M, D, lambda i, j: self.dL_dx[i + 1, j + 1])

    def dL_dW(self) -> sp.ImmutableMatrix:
        _, D, N = self.sizes
        return sp.ImmutableMatrix(D, N, lambda i, j: self.dL_dw[i + 1, j + 1])

    def dL_dX_row(self, m: int) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(self.dL_dX()[m - 1, :])

    @property
    def dL(self) -> sp.Expr:
        return self.dL_via_x + self.dL_via_w


@functools.cache
def symbols(sizes: Sizes) -> tuple[dict, dict, dict, dict]:
    """``x``, ``w``, ``g`` symbols and ``y_mn = sum_k x_mk w_kn``, keyed by one-based index pairs."""
    M, D, N = sizes
    x = {key: _symbol("x", *key) for key in _grid(M, D)}
    w = {key: _symbol("w", *key) for key in _grid(D, N)}
    g = {key: _symbol("g", *key) for key in _grid(M, N)}
    y = {(m, n): sp.Add(*(x[m, k] * w[k, n] for k in range(1, D + 1))) for m, n in _grid(M, N)}
    return x, w, g, y


def truth(sizes: Sizes) -> Truth:
    """The ground truth: SymPy derivatives of the index definition and of an undefined ``L(Y(X, W))``."""
    x, w, g, y = symbols(sizes)
    loss = sp.Function("L")(*y.values())
    dy_dx = {(*ym, *xi): sp.diff(y[ym], x[xi]) for ym in y for xi in x}
    dy_dw = {(*ym, *wi): sp.diff(y[ym], w[wi]) for ym in y for wi in w}
    dL_dx = {xi: rename_loss_derivatives(sp.diff(loss, x[xi]), y, g) for xi in x}
    dL_dw = {wi: rename_loss_derivatives(sp.diff(loss, w[wi]), y, g) for wi in w}
    dx, dw = ({k: sp.Symbol(f"d{v.name}") for k, v in entries.items()} for entries in (x, w))
    M, _, N = sizes
    dY = sp.ImmutableMatrix(M, N, lambda m, n: sp.Add(*(dy_dx[m + 1, n + 1, *k] * dx[k] for k in x))
                            + sp.Add(*(dy_dw[m + 1, n + 1, *k] * dw[k] for k in w)))
    outer = {(m, i, j): x[m, i] * g[m, j] for (m, i) in x for (_, j) in w if _ == i}
    return Truth(sizes, dy_dx, dy_dw, dL_dx, dL_dw, outer, dY,
                 sp.Add(*(dL_dx[k] * dx[k] for k in x)), sp.Add(*(dL_dw[k] * dw[k] for k in w)))


# ------------------------------------------------------------------------------------------ the checks

X_ENTRY = (("i", full("M")), ("j", full("D")))
W_ENTRY = (("i", full("D")), ("j", full("N")))

# One check per step, in page order: the free index letters with their ranges, the ground truth.
CHECKS: dict[str, Check] = {
    "x.depends": Check((("m", full("M")), ("n", full("N")), *X_ENTRY),
                       lambda t, e: t.dy_dx[e["m"], e["n"], e["i"], e["j"]], ("equation", "condition")),
    "x.element": Check((*X_ENTRY, ("n", full("N"))), lambda t, e: t.dy_dx[e["i"], e["n"], e["i"], e["j"]]),
    "x.matrix": Check((("i", interior("M")), ("j", full("D"))), lambda t, e: t.dY_dx(e["i"], e["j"])),
    "x.chain": Check(X_ENTRY, lambda t, e: t.dL_dx[e["i"], e["j"]]),
    "x.collapse": Check(X_ENTRY, lambda t, e: t.dL_dx[e["i"], e["j"]]),
    "x.formula": Check(X_ENTRY, lambda t, e: t.dL_dx[e["i"], e["j"]]),
    "x.rowcol": Check(X_ENTRY, lambda t, e: t.dL_dx[e["i"], e["j"]]),
    "x.matrix_form": Check((), lambda t, e: t.dL_dX(), ("equation", "shape")),
    "w.depends": Check((("m", full("M")), ("n", full("N")), *W_ENTRY),
                       lambda t, e: t.dy_dw[e["m"], e["n"], e["i"], e["j"]], ("equation", "condition")),
    "w.element": Check((*W_ENTRY, ("m", full("M"))), lambda t, e: t.dy_dw[e["m"], e["j"], e["i"], e["j"]]),
    "w.matrix": Check((("i", full("D")), ("j", interior("N"))), lambda t, e: t.dY_dw(e["i"], e["j"])),
    "w.chain": Check(W_ENTRY, lambda t, e: t.dL_dw[e["i"], e["j"]]),
    "w.collapse": Check(W_ENTRY, lambda t, e: t.dL_dw[e["i"], e["j"]]),
    "w.formula": Check(W_ENTRY, lambda t, e: t.dL_dw[e["i"], e["j"]]),
    "w.rowcol": Check(W_ENTRY, lambda t, e: t.dL_dw[e["i"], e["j"]]),
    "w.matrix_form": Check((), lambda t, e: t.dL_dW(), ("equation", "shape")),
    # One sample at a time.
    "batch.outer_entry": Check((("m", full("M")), ("i", full("D")), ("j", full("N"))),
                               lambda t, e: t.outer[e["m"], e["i"], e["j"]]),
    "batch.outer": Check((), lambda t, e: t.dL_dW()),
    "batch.rows": Check((("m", full("M")),), lambda t, e: t.dL_dX_row(e["m"])),
    # The second route: differentials and the inner product.
    "diff.goal": Check((), lambda t, e: t.dL),
    "diff.dy_entry": Check((("m", full("M")), ("n", full("N"))), lambda t, e: t.dY[e["m"] - 1, e["n"] - 1]),
    "diff.dy": Check((), lambda t, e: t.dY),
    "diff.move_x": Check((), lambda t, e: t.dL_via_x),
    "diff.move_w": Check((), lambda t, e: t.dL_via_w),
    "diff.chain": Check((), lambda t, e: t.dL),
    # The Jacobian.
    "jac.entry": Check((("m", full("M")), ("n", full("N")), *X_ENTRY),
                       lambda t, e: t.dy_dx[e["m"], e["n"], e["i"], e["j"]]),
    "jac.vjp": Check(X_ENTRY, lambda t, e: t.dL_dx[e["i"], e["j"]]),
    "jac.w_entry": Check((("m", full("M")), ("n", full("N")), *W_ENTRY),
                         lambda t, e: t.dy_dw[e["m"], e["n"], e["i"], e["j"]]),
    # Other conventions: the gradient of W^T, and the column-vector gradient of one sample's input.
    "bridge.torch": Check((), lambda t, e: t.dL_dW().T),
    "bridge.column": Check((), lambda t, e: t.dL_dW().T),
    "bridge.column_x": Check((("m", full("M")),), lambda t, e: t.dL_dX_row(e["m"]).T),
}

LABEL_I = r"\leftarrow \text{第 } i \text{ 行}"
MUTATIONS = (
    Mutation("x.depends", ((r"(m \ne i)", r"(m \ne j)"),)),
    Mutation("x.depends", ((r"(m \ne i)", r"(n \ne j)"),)),
    Mutation("x.depends", ((r"(m \ne i)", r"(m = i)"),)),
    Mutation("x.element", ((r"= w_{jn}", r"= w_{nj}"),)),
    Mutation("x.element", ((r"\delta_{kj}", r"\delta_{ki}"),)),
    Mutation("x.element", ((r"\frac{\partial y_{in}}", r"\frac{\partial y_{ni}}"),)),
    Mutation("x.matrix", ((LABEL_I + r" \vphantom{w_{j1}}", r"\vphantom{w_{j1}}"),
                          (r"\vphantom{0} \\", LABEL_I + r" \vphantom{0} \\"))),
    Mutation("x.matrix", ((LABEL_I + r" \vphantom{w_{j1}}", r"\vphantom{w_{j1}}"),
                          ("\\vphantom{0}\n\\end{matrix}", LABEL_I + "\\vphantom{0}\n\\end{matrix}"))),
    Mutation("x.matrix", ((r"\text{第 } i", r"\text{第 } j"),)),
    Mutation("x.matrix", ((r"w_{j1} & \cdots", r"w_{1j} & \cdots"),)),
    Mutation("x.matrix", ((r"w_{jN}", r"w_{jD}"),)),
    Mutation("x.chain", ((r"g_{mn}", r"g_{nm}"),)),
    Mutation("x.chain", ((r"\sum_{n=1}^{N}", r"\sum_{n=1}^{D}"),)),
    Mutation("x.collapse", ((r"g_{in}\, \frac", r"g_{ni}\, \frac"),)),
    Mutation("x.collapse", ((r"g_{in}\, w_{jn}", r"g_{ni}\, w_{jn}"),)),
    Mutation("x.collapse", ((r"\sum_{n=1}^{N} g_{in}\, w_{jn}", r"\sum_{n=1}^{M} g_{in}\, w_{jn}"),)),
    Mutation("x.formula", ((r"w_{jk}", r"w_{kj}"),)),
    Mutation("x.formula", ((r"\partial x_{ij}", r"\partial x_{ji}"),)),
    Mutation("x.rowcol", ((r"G_{i,:}", r"G_{:,i}"),)),
    Mutation("x.rowcol", ((r"w_{jN}", r"w_{Nj}"),)),
    Mutation("x.rowcol", ((r"g_{i2} & \cdots", r"g_{i3} & \cdots"),)),
    Mutation("x.matrix_form", ((r"G\,W^{\mathsf T}", r"W^{\mathsf T} G"),)),
    Mutation("x.matrix_form", ((r"(M \times N)(N \times D)", r"(M \times N)(D \times N)"),)),
    Mutation("x.matrix_form", ((r"(M \times N)(N \times D)", r"(M \times D)(D \times D)"),)),
    Mutation("x.matrix_form", ((r"= M \times D", r"= D \times M"),)),
    Mutation("w.depends", ((r"(n \ne j)", r"(n \ne i)"),)),
    Mutation("w.element", ((r"= x_{mi}", r"= x_{im}"),)),
    Mutation("w.element", ((r"x_{mk}\, \delta_{ki}", r"x_{mk}\, \delta_{kj}"),)),
    # Without \partial the fraction is a quotient w_kj / w_ij, not a derivative.
    Mutation("w.element", ((r"\frac{\partial w_{kj}}{\partial w_{ij}}", r"\frac{w_{kj}}{w_{ij}}"),)),
    Mutation("w.matrix", ((r"x_{Mi}", r"x_{Ni}"),)),
    Mutation("w.matrix", ((r"\text{第 } j", r"\text{第 } i"),)),
    Mutation("w.matrix", ((r"0 & \cdots & x_{1i}", r"0 & \cdots & x_{i1}"),)),
    Mutation("w.chain", ((r"\frac{\partial y_{mn}}", r"\frac{\partial y_{nm}}"),)),
    Mutation("w.collapse", ((r"g_{mj}\, x_{mi}", r"g_{mi}\, x_{mj}"),)),
    Mutation("w.formula", ((r"\sum_{k=1}^{M}", r"\sum_{k=1}^{D}"),)),
    Mutation("w.rowcol", ((r"(X^{\mathsf T})_{i,:}", r"X_{i,:}"),)),
    Mutation("w.rowcol", ((r"g_{2j}", r"g_{j2}"),)),
    Mutation("w.matrix_form", ((r"X^{\mathsf T} G", r"G X^{\mathsf T}"),)),
    Mutation("w.matrix_form", ((r"(D \times M)(M \times N)", r"(M \times D)(M \times N)"),)),
    Mutation("w.matrix_form", ((r"= D \times N", r"= N \times D"),)),
    Mutation("batch.outer_entry", ((r"G_{m,:})_{ij}", r"G_{1,:})_{ij}"),)),
    Mutation("batch.outer_entry", ((r"= x_{mi}\, g_{mj}", r"= x_{mj}\, g_{mi}"),)),
    Mutation("batch.outer", ((r"(X_{m,:})^{\mathsf T} G_{m,:}", r"(X_{m,:})^{\mathsf T} G_{1,:}"),)),
    Mutation("batch.outer", ((r"(X_{m,:})^{\mathsf T} G_{m,:}", r"(G_{m,:})^{\mathsf T} X_{m,:}"),)),
    Mutation("batch.rows", ((r"= G_{m,:}", r"= G_{1,:}"),)),
    Mutation("batch.rows", ((r"\partial X_{m,:}", r"\partial X_{1,:}"),)),
    Mutation("diff.goal", ((r"{\partial W}, \mathrm{d}W", r"{\partial W}, W"),)),
    Mutation("diff.goal", ((r"\mathrm{d}x_{ij} + \sum", r"\mathrm{d}x_{ij} - \sum"),)),
    Mutation("diff.dy_entry", ((r" + x_{mk}\, \mathrm{d}w_{kn})", r")"),)),
    Mutation("diff.dy_entry", ((r"(\mathrm{d}x_{mk}\, w_{kn}", r"(x_{mk}\, \mathrm{d}w_{kn}"),)),
    Mutation("diff.dy", ((r"+ X\, \mathrm{d}W", r"+ \mathrm{d}X\, \mathrm{d}W"),)),
    Mutation("diff.dy", ((r" + X\, \mathrm{d}W", ""),)),
    Mutation("diff.move_x", ((r"\mathrm{d}x_{mk}\, w_{kn} \\", r"x_{mk}\, w_{kn} \\"),)),
    Mutation("diff.move_x", ((r"^{D} \mathrm{d}x_{mk} \sum", r"^{N} \mathrm{d}x_{mk} \sum"),)),
    Mutation("diff.move_x", ((r"W^{\mathsf T}, \mathrm{d}X \rangle", r"W^{\mathsf T}, X \rangle"),)),
    Mutation("diff.move_w", ((r"x_{mk}\, \mathrm{d}w_{kn} \\", r"x_{mk}\, w_{kn} \\"),)),
    Mutation("diff.move_w", ((r"\langle X^{\mathsf T} G,", r"\langle G^{\mathsf T} X,"),)),
    Mutation("diff.chain", ((r"g_{mn}\, \mathrm{d}y_{mn}", r"g_{mn}\, y_{mn}"),)),
    Mutation("diff.chain", ((r"\langle G, X\, \mathrm{d}W \rangle", r"\langle G, X\, W \rangle"),)),
    Mutation("diff.chain", ((r"\langle G\,W^{\mathsf T},", r"\langle G\,W,"),)),
    Mutation("jac.entry", ((r"\delta_{mi}", r"\delta_{nj}"),)),
    Mutation("jac.entry", ((r"w_{jn}", r"w_{in}"),)),
    Mutation("jac.vjp", ((r"\delta_{mi}", r"\delta_{nj}"),)),
    Mutation("jac.vjp", ((r"\sum_{n=1}^{N} g_{in}", r"\sum_{n=1}^{N} g_{jn}"),)),
    Mutation("jac.w_entry", ((r"\delta_{nj}", r"\delta_{mj}"),)),
    Mutation("jac.w_entry", ((r"x_{mi}", r"x_{ni}"),)),
    Mutation("bridge.torch", ((r"= G^{\mathsf T} X", r"= X^{\mathsf T} G"),)),
    Mutation("bridge.torch", ((r"(X^{\mathsf T} G)^{\mathsf T}", r"(X^{\mathsf T} G)"),)),
    Mutation("bridge.column", ((r"X_{m,:}", r"X_{1,:}"),)),
    Mutation("bridge.column", ((r"\partial W^{\mathsf T}", r"\partial W"),)),
    Mutation("bridge.column_x", ((r"W\, (G_{m,:})", r"W\, (G_{1,:})"),)),
    Mutation("bridge.column_x", ((r"\partial (X_{m,:})^{\mathsf T}", r"\partial X_{m,:}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("x.element", r"= w_{jn}", r"= \tilde{w}_{jn}", r"\tilde"),
    SyntaxCase("x.depends", r"m \ne i", "m \u2260 i", "\u2260"),
    SyntaxCase("x.depends", r"\quad (m \ne i)", r"\quad \text{if } m \ne i", "if "),
    SyntaxCase("x.chain", r"g_{mn}", r"g_{mn}^{-1}", "'-'"),
    SyntaxCase("x.formula", r"\sum_{k=1}^{N}", r"\sum\limits_{k=1}^{N}", r"\limits"),
    SyntaxCase("x.collapse", r"g_{in}\, w_{jn}", r"g_{in}\! w_{jn}", r"\!"),
    SyntaxCase("x.matrix", r"\vphantom{w_{j1}}", r"\phantom{w_{j1}}", r"\phantom"),
    SyntaxCase("x.rowcol", r"G_{i,:}", r"G[i,:]", "["),
    # A derivative needs \partial in both parts (without either it is a quotient: see MUTATIONS).
    SyntaxCase("w.element", r"{\partial w_{kj}}{\partial w_{ij}}", r"{\partial w_{kj}}{w_{ij}}", "w"),
    SyntaxCase("w.element", r"\\" + "\n" + r"&= \sum", r"\\" + "\n" + r"= \sum", "="),
    SyntaxCase("w.matrix_form", r"X^{\mathsf T} G", r"X^{\top} G", r"\top"),
    SyntaxCase("diff.dy", r"\mathrm{d}X\, W", r"\mathrm{D}X\, W", r"\mathrm{D}"),
    SyntaxCase("diff.chain", r"\langle G, \mathrm{d}Y \rangle", r"\left\langle G, \mathrm{d}Y \right\rangle",
               r"\left"),
    SyntaxCase("diff.goal", r"\langle \frac{\partial L}{\partial X}, \mathrm{d}X \rangle",
               r"\langle \frac{\partial L}{\partial X} \mathrm{d}X \rangle", "comma"),
)

TOPIC = Topic("linear", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestLinear(StepSuite):
    topic = TOPIC


# ------------------------------------------------------------------------------- tests of this topic only


def test_sizes_give_the_schematic_matrices_a_middle() -> None:
    for M, _, N in SIZES:
        assert M >= 3 and N >= 3, "the schematic matrices need an interior row and column"


@pytest.mark.parametrize("step_id, letter, size", [("x.matrix", "i", 0), ("w.matrix", "j", 2)])
def test_schematic_matrix_is_not_applied_at_the_edges(step_id: str, letter: str, size: int) -> None:
    """The pictures put the labelled row i (column j) between zero rows (columns), so for i = 1 or i = M
    (j = 1 or j = N) they are only schematic, as the page says; the expansion rejects those cases."""
    tex, where = page_step(TOPIC, "zh", step_id)
    chain = parse(tex, where).clauses[0]
    assert isinstance(chain, Chain)
    for sizes in SIZES:
        for edge in (1, sizes[size]):
            ev = Evaluator(world(SETTING, sizes), {"i": 1, "j": 1, letter: edge}, where)
            shape = ev.evaluate(chain.sides[0]).shape
            with pytest.raises(TexMeaningError, match="does not apply"):
                ev.evaluate(chain.sides[1], shape)


def test_language_comparison_can_fail() -> None:
    tex, _ = page_step(TOPIC, "zh", "x.matrix")
    assert same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } i"), "x.matrix")
    assert not same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } j"), "x.matrix")
    assert not same_formula(tex, tex.replace("w_{jN}", "w_{Nj}"), "x.matrix")


@pytest.mark.parametrize("loss", ["linear", "general"])
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_differential_in_trace_form(sizes: Sizes, loss: str) -> None:
    """d/dt L(Y(X + t dX, W + t dW)) at t = 0 equals <G, dX W> + <G, X dW> with <A, B> = tr(A^T B),
    for L = sum g_mn y_mn and for an undefined L whose dL/dy_mn are renamed g_mn."""
    M, D, N = sizes
    x, w, g, y = symbols(sizes)
    X, W, G = (sp.ImmutableMatrix(r, c, lambda a, b, s=s: s[a + 1, b + 1])
               for r, c, s in ((M, D, x), (D, N, w), (M, N, g)))
    dX, dW = sp.ImmutableMatrix(M, D, sp.symbols(f"dx_1:{M * D + 1}")), sp.ImmutableMatrix(
        D, N, sp.symbols(f"dw_1:{D * N + 1}"))
    t = sp.Symbol("t")
    Xt, Wt = X + t * dX, W + t * dW
    yt = {(m, n): sp.Add(*(Xt[m - 1, k] * Wt[k, n - 1] for k in range(D))) for m, n in y}
    if loss == "linear":
        differential = sp.diff(sp.Add(*(g[key] * yt[key] for key in y)), t).subs(t, 0)
    else:
        differential = rename_loss_derivatives(
            sp.diff(sp.Function("L")(*yt.values()), t).subs(t, 0), y, g)
    trace_form = (G.T * dX * W).trace() + (G.T * X * dW).trace()
    assert trace_form != 0
    assert sp.expand(differential - trace_form) == 0


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_jacobian_is_block_diagonal_and_backprop_multiplies_by_it(sizes: Sizes) -> None:
    """The Jacobian of vec(Y) by vec(X) (row-major) is (MN) x (MD) and equals I_M (x) W^T; column (i, j),
    folded to M x N, is the matrix of step x.matrix; and vec(G)^T J, folded to M x D, is G W^T, which is
    dL/dX for an undefined L."""
    M, D, N = sizes
    x, w, g, y = symbols(sizes)
    W, G = (sp.ImmutableMatrix(r, c, lambda a, b, s=s: s[a + 1, b + 1]) for r, c, s in ((D, N, w), (M, N, g)))
    J = sp.Matrix([y[key] for key in _grid(M, N)]).jacobian([x[key] for key in _grid(M, D)])
    assert J.shape == (M * N, M * D)
    assert sp.kronecker_product(sp.eye(M), W.T) == J
    for i, j in _grid(M, D):
        column = J[:, (i - 1) * D + (j - 1)].reshape(M, N)
        expected = sp.zeros(M, N)
        expected[i - 1, :] = W[j - 1, :]
        assert column == expected, f"column ({i}, {j}) of J is not dY/dx_{i}{j}"
    vjp = (sp.Matrix([g[key] for key in _grid(M, N)]).T * J).reshape(M, D)
    assert vjp == G * W.T == truth(sizes).dL_dX()
