"""Symbolic checks of every displayed derivation step of the fully-connected-layer page.

The TeX of each step is read from the pages themselves (``docs/linear.md``, ``docs/linear.en.md``), inside
``<div class="step" data-step="...">``, so the page shows exactly what is checked. ``tex_sympy`` translates
it into SymPy for concrete sizes and concrete index values.

The ground truth is built here, independently of the translator: ``y_mn = sum_k x_mk w_kn`` written out
from the index definition with plain symbols ``x_i_j``, ``w_i_j``; ``dy_mn/dx_ij`` by SymPy; and for the
chain rule ``L`` is an undefined ``sympy.Function('L')`` of all ``y_mn``, ``L(Y(X, W))`` is differentiated
by SymPy, and every ``dL/dy_mn`` it produces (a ``Subs`` object) is renamed ``g_mn``. Every side of every
``=`` of a step (every line of an ``aligned`` block) must equal the ground truth for every concrete index,
for each size triple in ``SIZES``.

A check that cannot fail is a defect, so the suite also mutates the page's TeX and requires each
mutant to fail, requires unknown syntax to be rejected, and fails when a step on the page has no check,
a required step is missing, or a display formula of the derivation is not inside a step.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from tex_sympy import (
    SIZE_LETTERS,
    Chain,
    Condition,
    Deriv,
    Display,
    Evaluator,
    Node,
    Prod,
    Shape,
    ShapeOf,
    TexMeaningError,
    TexSyntaxError,
    agree,
    parse,
    tokens_without_text,
    world,
)

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"zh": ROOT / "docs" / "linear.md", "en": ROOT / "docs" / "linear.en.md"}
SECTIONS = {
    "zh": ("## 对 X 求梯度", "## 数值例子"),
    "en": ("## Gradient with respect to X", "## Worked example"),
}
# Sizes (M, D, N): all distinct within a triple, so that a swapped index or a misplaced transpose shows up;
# M, N >= 3 so that the schematic matrices have an interior row / column and g_{i2} ... g_{iN} a middle.
SIZES = ((3, 2, 4), (4, 5, 3))
REQUIRED_STEPS = tuple(f"{side}.{name}" for side in "xw" for name in (
    "depends", "element", "matrix", "chain", "collapse", "formula", "rowcol", "matrix_form"))

Sizes = tuple[int, int, int]
Env = Mapping[str, int]
Value = sp.Expr | sp.ImmutableMatrix


class StepMismatch(AssertionError):
    """A step formula disagrees with the ground truth."""


# ---------------------------------------------------------------------------------------- ground truth


def _symbol(name: str, row: int, col: int) -> sp.Symbol:
    return sp.Symbol(f"{name}_{row}_{col}")


def _grid(rows: int, cols: int) -> list[tuple[int, int]]:
    return [(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1)]


def rename_loss_derivatives(expr: sp.Expr, y: Mapping[tuple[int, int], sp.Expr],
                            g: Mapping[tuple[int, int], sp.Symbol]) -> sp.Expr:
    """Replace each ``Subs(Derivative(L(..), xi), xi, y_mn)`` by ``g_mn``, checking L is taken at ``Y``."""
    order = list(y)
    position = {sp.expand(value): key for key, value in y.items()}

    def g_of(subs: sp.Subs) -> sp.Symbol:
        derivative = subs.expr
        assert isinstance(derivative, sp.Derivative) and derivative.derivative_count == 1, subs
        assert isinstance(derivative.expr, AppliedUndef) and derivative.expr.func.__name__ == "L", subs
        (variable,) = derivative.variables
        point = dict(zip(subs.variables, subs.point, strict=True))
        arguments = [sp.expand(point.get(a, a)) for a in derivative.expr.args]
        assert arguments == [sp.expand(y[key]) for key in order], f"L is not taken at Y in {subs}"
        key = position[sp.expand(point[variable])]
        assert order[derivative.expr.args.index(variable)] == key
        return g[key]

    renamed = expr.replace(lambda e: isinstance(e, sp.Subs), g_of)
    assert not renamed.atoms(sp.Subs, sp.Derivative, AppliedUndef), renamed
    return renamed


@dataclass(frozen=True)
class Truth:
    """Ground-truth derivatives for one size triple (all indices one-based)."""

    sizes: Sizes
    dy_dx: Mapping[tuple[int, int, int, int], sp.Expr]
    dy_dw: Mapping[tuple[int, int, int, int], sp.Expr]
    dL_dx: Mapping[tuple[int, int], sp.Expr]
    dL_dw: Mapping[tuple[int, int], sp.Expr]

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


@functools.cache
def symbols(sizes: Sizes) -> tuple[dict, dict, dict, dict]:
    """``x``, ``w``, ``g`` symbols and ``y_mn = sum_k x_mk w_kn``, keyed by one-based index pairs."""
    M, D, N = sizes
    x = {key: _symbol("x", *key) for key in _grid(M, D)}
    w = {key: _symbol("w", *key) for key in _grid(D, N)}
    g = {key: _symbol("g", *key) for key in _grid(M, N)}
    y = {(m, n): sp.Add(*(x[m, k] * w[k, n] for k in range(1, D + 1))) for m, n in _grid(M, N)}
    return x, w, g, y


@functools.cache
def truth(sizes: Sizes) -> Truth:
    """The ground truth: SymPy derivatives of the index definition and of an undefined ``L(Y(X, W))``."""
    x, w, g, y = symbols(sizes)
    loss = sp.Function("L")(*y.values())
    dy_dx = {(*ym, *xi): sp.diff(y[ym], x[xi]) for ym in y for xi in x}
    dy_dw = {(*ym, *wi): sp.diff(y[ym], w[wi]) for ym in y for wi in w}
    dL_dx = {xi: rename_loss_derivatives(sp.diff(loss, x[xi]), y, g) for xi in x}
    dL_dw = {wi: rename_loss_derivatives(sp.diff(loss, w[wi]), y, g) for wi in w}
    return Truth(sizes, dy_dx, dy_dw, dL_dx, dL_dw)


# ------------------------------------------------------------------------------------------ the checks

Ranges = Callable[[Mapping[str, int]], range]


def full(size: str) -> Ranges:
    """All indices ``1..size``."""
    return lambda sizes: range(1, sizes[size] + 1)


def interior(size: str) -> Ranges:
    """Indices ``2..size-1``, where a schematic picture with a middle line applies."""
    return lambda sizes: range(2, sizes[size])


@dataclass(frozen=True)
class Check:
    """What a step claims: free index letters with their ranges, the ground truth, the clause kinds."""

    free: tuple[tuple[str, Ranges], ...]
    truth: Callable[[Truth, Env], Value]
    clauses: tuple[str, ...] = ("equation",)


X_ENTRY = (("i", full("M")), ("j", full("D")))
W_ENTRY = (("i", full("D")), ("j", full("N")))

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
}


def bindings(check: Check, sizes: Sizes) -> Iterator[dict[str, int]]:
    """Every assignment of concrete values to the step's free index letters."""
    size_of = dict(zip(SIZE_LETTERS, sizes, strict=True))
    letters = [letter for letter, _ in check.free]
    for values in itertools.product(*(ranges(size_of) for _, ranges in check.free)):
        yield dict(zip(letters, values, strict=True))


def is_shape(node: Node) -> bool:
    """Whether a node is a shape statement such as ``M \\times D`` or ``(M \\times N)(N \\times D)``."""
    return isinstance(node, ShapeOf) or (isinstance(node, Prod) and all(map(is_shape, node.factors)))


def clause_kind(clause: Chain | Condition) -> str:
    if isinstance(clause, Condition):
        return "condition"
    return "shape" if all(map(is_shape, clause.sides)) else "equation"


def check_chain(chain: Chain, ev: Evaluator, expected: Value, context: str) -> None:
    """Every side of ``a = b = ...`` equals the ground truth; a schematic side takes the size of the left."""
    shape = None
    for source, side in zip(chain.sources, chain.sides, strict=True):
        value = ev.evaluate(side, shape)
        if shape is None and isinstance(value, sp.MatrixBase):
            shape = value.shape
        if not agree(value, expected):
            raise StepMismatch(f"{context}: `{source}` is {value}, but the ground truth is {expected}")


def factors(node: Node) -> tuple[Node, ...]:
    return node.factors if isinstance(node, Prod) else (node,)


def check_shapes(equation: Chain, statement: Chain, ev: Evaluator, context: str) -> None:
    """``(a x b)(b x c) = a x c``: each factor's stated shape is the real one, the product shape is
    right, and it is the shape of the matrix the left side differentiates by (layout convention)."""
    lhs, rhs = equation.sides[0], equation.sides[-1]
    if not isinstance(lhs, Deriv):
        raise StepMismatch(f"{context}: the matrix form must begin with a derivative")
    variable = ev.evaluate(lhs.den)
    if not isinstance(variable, sp.MatrixBase):
        raise StepMismatch(f"{context}: the matrix form must differentiate by a matrix")
    matrices, stated = factors(rhs), factors(statement.sides[0])
    if len(matrices) != len(stated):
        raise StepMismatch(f"{context}: the shape statement has {len(stated)} factors, the product "
                           f"{len(matrices)}")
    for k, (matrix, shape) in enumerate(zip(matrices, stated, strict=True), start=1):
        value = ev.evaluate(matrix)
        if not isinstance(value, sp.MatrixBase):
            raise StepMismatch(f"{context}: factor {k} of the product is not a matrix")
        actual, claimed = Shape(*value.shape), ev.evaluate(shape)
        if actual != claimed:
            raise StepMismatch(f"{context}: factor {k} is {actual}, the page says {claimed}")
    product = Shape(*ev.evaluate(rhs).shape)
    for source, side in zip(statement.sources, statement.sides, strict=True):
        if ev.evaluate(side) != product:
            raise StepMismatch(f"{context}: `{source}` is {ev.evaluate(side)}, the product is {product}")
    if product != Shape(*variable.shape):
        raise StepMismatch(f"{context}: the product is {product}, the variable is {Shape(*variable.shape)}")


def check_step(step_id: str, tex: str, sizes: Sizes, where: str | None = None) -> int:
    """Check one step formula for one size triple; return how many index bindings it was compared at."""
    where = where or step_id
    check = CHECKS[step_id]
    display: Display = parse(tex, where)
    kinds = tuple(map(clause_kind, display.clauses))
    if kinds != check.clauses:
        raise StepMismatch(f"{where}: expected clauses {check.clauses}, found {kinds}")
    equation = display.clauses[0]
    assert isinstance(equation, Chain)
    condition = next((c for c in display.clauses if isinstance(c, Condition)), None)
    compared = 0
    for env in bindings(check, sizes):
        ev = Evaluator(world(*sizes), env, where)
        expected = check.truth(truth(sizes), env)
        context = f"{where}, (M, D, N) = {sizes}, {env}"
        if condition is not None and not ev.holds(condition):
            if expected == 0:
                raise StepMismatch(f"{context}: {condition.source} excludes a case where the derivative is "
                                   "identically zero, so it is not exactly the case where it vanishes")
            continue
        check_chain(equation, ev, expected, context)
        compared += 1
    if compared == 0:
        raise StepMismatch(f"{where}, (M, D, N) = {sizes}: vacuous, no index values satisfy the condition")
    if "shape" in kinds:
        statement = display.clauses[1]
        assert isinstance(statement, Chain)
        check_shapes(equation, statement, Evaluator(world(*sizes), {}, where), f"{where}, {sizes}")
    return compared


# ------------------------------------------------------------------------------------------- the pages

STEP_DIV = re.compile(r"<div\b(?P<attrs>[^>]*)>")
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.*?)\$\$", re.S)
OTHER_DISPLAY = re.compile(r"^[ \t]*(\\\[|\\begin\{)", re.M)


@dataclass(frozen=True)
class Page:
    """The step formulas of one page and every structural problem found in it."""

    name: str
    steps: dict[str, str]
    problems: tuple[str, ...]


def _attribute(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attrs)
    return match.group(1) if match else None


def _step_divs(text: str, name: str, problems: list[str]) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """The formula of each step div, and the spans of the divs."""
    steps: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for match in STEP_DIV.finditer(text):
        attrs = match.group("attrs")
        if "step" not in (_attribute(attrs, "class") or "").split():
            continue
        line = f"{name}:{text.count(chr(10), 0, match.start()) + 1}"
        ident, close = _attribute(attrs, "data-step"), text.find("</div>", match.end())
        if ident is None or close < 0 or "<div" in text[match.end():close]:
            problems.append(f"{line}: a step div needs data-step=\"...\" and </div> before any other <div")
            continue
        spans.append((match.start(), close + len("</div>")))
        body = text[match.end():close]
        formulas = [m.group("tex").strip() for m in DISPLAY_MATH.finditer(body)]
        if not re.search(r"\bmarkdown\b", attrs):
            problems.append(f"{line}: step {ident} lacks the markdown attribute; its formula is not rendered")
        if len(formulas) != 1 or DISPLAY_MATH.sub("", body).strip():
            problems.append(f"{line}: step {ident} must hold exactly one $$ formula and nothing else, "
                            f"holds {len(formulas)} formulas")
        elif ident in steps:
            problems.append(f"{line}: step {ident} appears twice")
        else:
            steps[ident] = formulas[0]
    return steps, spans


def _stray_display_math(text: str, name: str, lang: str, spans: list[tuple[int, int]]) -> list[str]:
    """Display formulas of the derivation sections that are not inside a step div."""
    start_heading, end_heading = SECTIONS[lang]
    bounds = [re.search(rf"^{re.escape(h)}[ \t]*$", text, re.M) for h in (start_heading, end_heading)]
    if None in bounds:
        return [f"{name}: cannot find the headings {start_heading!r} and {end_heading!r}"]
    start, end = bounds[0].start(), bounds[1].start()  # type: ignore[union-attr]
    math_spans = [m.span() for m in DISPLAY_MATH.finditer(text)]
    inside = [*spans, *math_spans]
    found = [s for s, _ in math_spans if not any(a <= s < b for a, b in spans)]
    found += [m.start() for m in OTHER_DISPLAY.finditer(text)
              if not any(a <= m.start() < b for a, b in inside)]
    return [f"{name}:{text.count(chr(10), 0, s) + 1}: display formula outside a step div: "
            f"{' '.join(text[s:s + 70].split())!r}" for s in sorted(found) if start <= s < end]


@functools.cache
def read_page(lang: str) -> Page:
    """Read a page's step formulas and collect its structural problems."""
    path = PAGES[lang]
    return analyse_page(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), lang)


def analyse_page(text: str, name: str, lang: str) -> Page:
    """The step formulas of a page's text and its structural problems (a)-(d)."""
    problems: list[str] = []
    steps, spans = _step_divs(text, name, problems)
    if not spans:
        problems.append(f"{name} has no <div class=\"step\" data-step=\"...\" markdown> yet, so none of its "
                        "derivation steps is checked")
    problems += [f"{name}: required step {s} is missing" for s in REQUIRED_STEPS if s not in steps and spans]
    problems += [f"{name}: step {s} has no check in tests/test_steps.py" for s in steps if s not in CHECKS]
    problems += _stray_display_math(text, name, lang, spans)
    return Page(name, steps, tuple(problems))


def page_step(lang: str, step_id: str) -> tuple[str, str]:
    """The TeX of one step on one page, and a name for messages; fails the test if it is not there."""
    page = read_page(lang)
    if step_id not in page.steps:
        pytest.fail(f"{page.name} shows no step {step_id} (missing <div class=\"step\" "
                    f"data-step=\"{step_id}\" markdown> with one $$ formula)")
    return page.steps[step_id], f"{step_id} in {page.name}"


# ------------------------------------------------------------------------------------------------ tests


def test_every_required_step_has_a_check_and_sizes_are_useful() -> None:
    assert set(CHECKS) == set(REQUIRED_STEPS)
    assert len(set(SIZES)) >= 2
    for M, D, N in SIZES:
        assert len({M, D, N}) == 3, "equal sizes would let a swapped index pass"
        assert M >= 3 and N >= 3, "the schematic matrices need an interior row and column"


@pytest.mark.parametrize("lang", PAGES)
def test_page_structure(lang: str) -> None:
    """(a) no unchecked step id, (b) no missing step, (c) no display formula outside a step div in the
    derivation sections, (d) exactly one formula per step div."""
    problems = read_page(lang).problems
    assert not problems, "\n".join(problems)


def same_formula(zh: str, en: str, step_id: str) -> bool:
    """Whether two step formulas agree token for token, ``\\text{...}`` left out (labels need a different
    number of ``\\text`` pieces per language: ``\\text{第 } i \\text{ 行}`` but ``\\text{row } i``)."""
    return tokens_without_text(zh, step_id) == tokens_without_text(en, step_id)


def test_english_page_shows_the_chinese_formulas() -> None:
    """Same step ids in the same order and the same formulas up to the words inside ``\\text``."""
    zh, en = read_page("zh"), read_page("en")
    assert en.steps, f"{en.name} has no step divs yet, so it cannot show the same formulas as {zh.name}"
    assert list(en.steps) == list(zh.steps), f"step ids differ: {list(en.steps)} != {list(zh.steps)}"
    for step_id, tex in zh.steps.items():
        assert same_formula(tex, en.steps[step_id], step_id), (
            f"{step_id} differs:\n{zh.name}: {tex}\n{en.name}: {en.steps[step_id]}")


def test_language_comparison_can_fail() -> None:
    tex, _ = page_step("zh", "x.matrix")
    assert same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } i"), "x.matrix")
    assert not same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } j"), "x.matrix")
    assert not same_formula(tex, tex.replace("w_{jN}", "w_{Nj}"), "x.matrix")


STEP_X_CHAIN = '<div class="step" data-step="x.chain" markdown>'
STRUCTURE_DEFECTS = {
    "unchecked step id": (STEP_X_CHAIN, '<div class="step" data-step="x.extra" markdown>\n\n$$\nL = 0\n$$\n\n'
                                        '</div>\n\n' + STEP_X_CHAIN, "x.extra has no check"),
    "missing step": (STEP_X_CHAIN, '<div class="note" markdown>', "required step x.chain is missing"),
    "stray display formula": ("## 对 W 求梯度", "$$\nL = 0\n$$\n\n## 对 W 求梯度", "outside a step div"),
    "stray environment": ("## 对 W 求梯度", "\\begin{aligned} L \\end{aligned}\n\n## 对 W 求梯度",
                          "outside a step div"),
    "two formulas in a step": (STEP_X_CHAIN, STEP_X_CHAIN + "\n\n$$\nL = 0\n$$\n", "exactly one $$ formula"),
    "text in a step": (STEP_X_CHAIN, STEP_X_CHAIN + "\n\nSee below.\n", "exactly one $$ formula"),
    "duplicate step": (STEP_X_CHAIN, '<div class="step" data-step="x.formula" markdown>', "appears twice"),
    "no steps at all": ('class="step"', 'class="stp"', "has no <div class=\"step\""),
}


@pytest.mark.parametrize("defect", STRUCTURE_DEFECTS)
def test_structure_problems_are_detected(defect: str) -> None:
    """Each of the structural rules (a)-(d) fails on a page that breaks it."""
    old, new, message = STRUCTURE_DEFECTS[defect]
    text = PAGES["zh"].read_text(encoding="utf-8")
    text = re.sub(r'<div class="step"[^>]*data-step="([^"]+)"[^>]*>',
                  r'<div class="step" data-step="\1" markdown>', text)
    assert old in text, f"{old!r} is not on the page"
    problems = analyse_page(text.replace(old, new), "page", "zh").problems
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("lang", PAGES)
@pytest.mark.parametrize("step_id", REQUIRED_STEPS)
def test_step(step_id: str, lang: str, sizes: Sizes) -> None:
    tex, where = page_step(lang, step_id)
    assert check_step(step_id, tex, sizes, where) > 0


@pytest.mark.parametrize("step_id, letter, size", [("x.matrix", "i", 0), ("w.matrix", "j", 2)])
def test_schematic_matrix_is_not_applied_at_the_edges(step_id: str, letter: str, size: int) -> None:
    """The pictures put the labelled row i (column j) between zero rows (columns), so for i = 1 or i = M
    (j = 1 or j = N) they are only schematic, as the page says; the expansion rejects those cases."""
    tex, where = page_step("zh", step_id)
    chain = parse(tex, where).clauses[0]
    assert isinstance(chain, Chain)
    for sizes in SIZES:
        for edge in (1, sizes[size]):
            ev = Evaluator(world(*sizes), {"i": 1, "j": 1, letter: edge}, where)
            shape = ev.evaluate(chain.sides[0]).shape
            with pytest.raises(TexMeaningError, match="does not apply"):
                ev.evaluate(chain.sides[1], shape)


@dataclass(frozen=True)
class Mutation:
    """Text edits of a step's TeX (each ``old`` must occur exactly once) that make the step wrong."""

    step: str
    edits: tuple[tuple[str, str], ...]

    def apply(self, tex: str) -> str:
        for old, new in self.edits:
            assert tex.count(old) == 1, f"{old!r} occurs {tex.count(old)} times in {self.step}"
            tex = tex.replace(old, new)
        return tex

    def __str__(self) -> str:
        return f"{self.step}: " + "; ".join(f"{old} -> {new}" for old, new in self.edits)


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
)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_mutated_step_fails(mutation: Mutation) -> None:
    """A wrong index, bound, label, factor order or shape in a step's TeX makes its check fail, for each
    size triple, and for a mathematical reason: the mutant still parses."""
    tex, where = page_step("zh", mutation.step)
    mutant = mutation.apply(tex)
    try:
        parse(mutant, where)
    except TexSyntaxError as error:
        pytest.fail(f"the mutant must be valid syntax, so that its check fails on the mathematics: {error}")
    except TexMeaningError:
        pass
    for sizes in SIZES:
        with pytest.raises((StepMismatch, TexMeaningError)):
            check_step(mutation.step, mutant, sizes, f"mutant of {where}")


SYNTAX_ERRORS = (
    ("x.element", r"= w_{jn}", r"= \hat{w}_{jn}", r"\hat"),
    ("x.depends", r"m \ne i", "m \u2260 i", "\u2260"),
    ("x.depends", r"\quad (m \ne i)", r"\quad \text{if } m \ne i", "if "),
    ("x.chain", r"g_{mn}", r"g_{mn}^{2}", "2"),
    ("x.formula", r"\sum_{k=1}^{N}", r"\sum\limits_{k=1}^{N}", r"\limits"),
    ("x.collapse", r"g_{in}\, w_{jn}", r"g_{in}\! w_{jn}", r"\!"),
    ("x.matrix", r"\vphantom{w_{j1}}", r"\phantom{w_{j1}}", r"\phantom"),
    ("x.rowcol", r"G_{i,:}", r"G[i,:]", "["),
    ("w.element", r"\frac{\partial w_{kj}}{\partial w_{ij}}", r"\frac{w_{kj}}{w_{ij}}", "w"),
    ("w.element", r"\\" + "\n" + r"&= \sum", r"\\" + "\n" + r"= \sum", "="),
    ("w.matrix_form", r"X^{\mathsf T} G", r"X^{\top} G", r"\top"),
)


@pytest.mark.parametrize("step_id, old, new, token", SYNTAX_ERRORS, ids=lambda v: str(v))
def test_unknown_syntax_is_rejected(step_id: str, old: str, new: str, token: str) -> None:
    """Nothing outside the grammar is ignored: the error names the step and the offending token."""
    tex, where = page_step("zh", step_id)
    mutant = Mutation(step_id, ((old, new),)).apply(tex)
    with pytest.raises(TexSyntaxError) as info:
        parse(mutant, where)
    assert step_id in str(info.value) and token in str(info.value), str(info.value)


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
