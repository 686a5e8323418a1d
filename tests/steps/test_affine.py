"""Symbolic checks of every displayed derivation step of the affine-layer page, ``Y = X W + 1_M b``.

The ground truth is built here from the index definition ``y_mn = sum_k x_mk w_kn + b_n`` with plain
symbols, and an undefined ``L`` of all ``y_mn`` whose derivatives SymPy writes as ``Subs`` objects,
renamed ``g_mn``. The generic tests come from :class:`StepSuite`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Loss, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite, rename_loss_derivatives

Sizes = tuple[int, int, int]

SETTING = Setting(
    sizes=("M", "D", "N"),
    symbols=(Matrix("X", "x", "M", "D"), Matrix("W", "w", "D", "N"), Matrix("b", "b", "1", "N")),
    forward=(Output("Y", "y", lambda X, W, b, M: X * W + sp.ones(M, 1) * b),),
    variables=("X", "W", "b"),
    loss=Loss("L", of="Y", gradient=Matrix("G", "g", "M", "N")),
)
SECTIONS = {
    "zh": ("## 广播就是乘以一列 1", "## 数值例子"),
    "en": ("## Broadcasting is a product with a column of ones", "## Worked example"),
}
# All distinct, so that summing b's gradient over the wrong axis or a wrong transpose changes a shape.
SIZES: tuple[Sizes, ...] = ((3, 2, 4), (2, 4, 3))


@dataclass(frozen=True)
class Truth:
    Y: sp.ImmutableMatrix
    dy_db: dict[tuple[int, int, int], sp.Expr]
    dL_dX: sp.ImmutableMatrix
    dL_dW: sp.ImmutableMatrix
    dL_db: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, D, N = sizes
    x = {(i, j): sp.Symbol(f"x_{i}_{j}") for i in range(1, M + 1) for j in range(1, D + 1)}
    w = {(i, j): sp.Symbol(f"w_{i}_{j}") for i in range(1, D + 1) for j in range(1, N + 1)}
    b = {j: sp.Symbol(f"b_{j}") for j in range(1, N + 1)}
    g = {(m, n): sp.Symbol(f"g_{m}_{n}") for m in range(1, M + 1) for n in range(1, N + 1)}
    y = {(m, n): sp.Add(*(x[m, k] * w[k, n] for k in range(1, D + 1))) + b[n] for m, n in g}
    loss = sp.Function("L")(*y.values())

    def grad(s: sp.Symbol) -> sp.Expr:
        return rename_loss_derivatives(sp.diff(loss, s), y, g)

    return Truth(
        Y=sp.ImmutableMatrix(M, N, lambda m, n: y[m + 1, n + 1]),
        dy_db={(m, n, j): sp.diff(y[m, n], b[j]) for m, n in y for j in b},
        dL_dX=sp.ImmutableMatrix(M, D, lambda i, j: grad(x[i + 1, j + 1])),
        dL_dW=sp.ImmutableMatrix(D, N, lambda i, j: grad(w[i + 1, j + 1])),
        dL_db=sp.ImmutableMatrix(1, N, lambda _, j: grad(b[j + 1])),
    )


J = (("j", full("N")),)
CHECKS: dict[str, Check] = {
    "y.broadcast": Check((), lambda t, e: t.Y),
    "y.entry": Check((("m", full("M")), ("n", full("N"))), lambda t, e: t.Y[e["m"] - 1, e["n"] - 1]),
    "b.depends": Check((("m", full("M")), ("n", full("N")), *J), lambda t, e: t.dy_db[e["m"], e["n"], e["j"]],
                       ("equation", "condition")),
    "b.element": Check((("m", full("M")), *J), lambda t, e: t.dy_db[e["m"], e["j"], e["j"]]),
    "b.chain": Check(J, lambda t, e: t.dL_db[0, e["j"] - 1]),
    "b.collapse": Check(J, lambda t, e: t.dL_db[0, e["j"] - 1]),
    "b.matrix_form": Check((), lambda t, e: t.dL_db, ("equation", "shape")),
    "x.result": Check((), lambda t, e: t.dL_dX, ("equation", "shape")),
    "w.result": Check((), lambda t, e: t.dL_dW, ("equation", "shape")),
    "w.torch": Check((), lambda t, e: t.dL_dW.T),
}

COLLAPSED = r"y_{mj}}{\partial b_{j}} = \sum_{m=1}^{M} g_{mj}"  # the last side of b.collapse
MUTATIONS = (
    Mutation("y.broadcast", ((r"\mathbf{1}_M\, b", r"b"),)),
    Mutation("y.broadcast", ((r"XW", r"WX"),)),
    Mutation("y.entry", ((r"b_{n}", r"b_{m}"),)),
    Mutation("y.entry", ((r"w_{kn}", r"w_{nk}"),)),
    Mutation("b.depends", ((r"(n \ne j)", r"(m \ne j)"),)),
    Mutation("b.depends", ((r"(n \ne j)", r"(n = j)"),)),
    Mutation("b.element", ((r"= 1", r"= 0"),)),
    Mutation("b.element", ((r"y_{mj}", r"y_{jm}"),)),
    Mutation("b.chain", ((r"g_{mn}", r"g_{nm}"),)),
    Mutation("b.chain", ((r"\sum_{m=1}^{M} \sum", r"\sum_{m=1}^{N} \sum"),)),
    Mutation("b.collapse", ((COLLAPSED, COLLAPSED.replace("g_{mj}", "g_{jm}")),)),
    Mutation("b.collapse", ((COLLAPSED, COLLAPSED.replace("^{M}", "^{N}")),)),
    Mutation("b.matrix_form", ((r"\mathbf{1}_M^{\mathsf T}\, G", r"G\, \mathbf{1}_N"),)),
    Mutation("b.matrix_form", ((r"= 1 \times N", r"= N \times 1"),)),
    Mutation("x.result", ((r"G\,W^{\mathsf T}", r"W^{\mathsf T} G"),)),
    Mutation("x.result", ((r"= M \times D", r"= D \times M"),)),
    Mutation("w.result", ((r"X^{\mathsf T} G", r"G X^{\mathsf T}"),)),
    Mutation("w.result", ((r"(D \times M)(M \times N)", r"(M \times D)(M \times N)"),)),
    Mutation("w.torch", ((r"= G^{\mathsf T} X", r"= X^{\mathsf T} G"),)),
    Mutation("w.torch", ((r"(X^{\mathsf T} G)^{\mathsf T}", r"(X^{\mathsf T} G)"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("b.element", r"= 1", r"= \mathbf{2}", r"\mathbf"),
    SyntaxCase("b.collapse", r"\sum_{m=1}^{M} g_{mj}\, \frac", r"\sum\nolimits_{m=1}^{M} g_{mj}\, \frac",
               r"\nolimits"),
)

TOPIC = Topic("affine", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestAffine(StepSuite):
    topic = TOPIC
