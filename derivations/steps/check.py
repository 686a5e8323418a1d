"""Check step formulas against a topic's ground truth, and say what a topic's step checks declare.

A :class:`Topic` is everything one topic's step-check file (``tests/steps/test_<name>.py``)
declares: the setting its formulas live in, the size tuples to check at, the headings that bound
its derivation, one :class:`Check` per step, the ground truth, and the mutations and syntax errors
that must be rejected. :func:`check_step` compares every side of every ``=`` of a step with the
ground truth, for every concrete value of the step's free index letters.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from derivations.steps.evaluate import Evaluator, Shape, Value, agree
from derivations.steps.syntax import Chain, Condition, Deriv, Display, Node, Prod, ShapeOf, parse
from derivations.steps.world import Setting, world

Sizes = tuple[int, ...]
Env = Mapping[str, int]
Ranges = Callable[[Mapping[str, int]], range]


class StepMismatch(AssertionError):
    """A step formula disagrees with the ground truth."""


def full(size: str) -> Ranges:
    """All indices ``1..size``."""
    return lambda sizes: range(1, sizes[size] + 1)


def interior(size: str) -> Ranges:
    """Indices ``2..size-1``, where a schematic picture with a middle line applies."""
    return lambda sizes: range(2, sizes[size])


@dataclass(frozen=True)
class Check:
    """What a step claims: free index letters with their ranges, the ground truth, the clause kinds.

    ``truth(t, env)`` receives the topic's ground truth for one size tuple and the values of the free
    letters; ``clauses`` are ``equation`` (a chain of ``=``), ``condition`` (``(m \\ne i)``, where the
    equation holds) and ``shape`` (``(M \\times N)(N \\times D) = M \\times D`` after a matrix form).
    """

    free: tuple[tuple[str, Ranges], ...]
    truth: Callable[[object, Env], Value]
    clauses: tuple[str, ...] = ("equation",)


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


@dataclass(frozen=True)
class SyntaxCase:
    """An edit of a step's TeX outside the grammar; the error must name the step and ``token``."""

    step: str
    old: str
    new: str
    token: str

    def __str__(self) -> str:
        return f"{self.step}: {self.old} -> {self.new}"


@dataclass(frozen=True, eq=False)
class Topic:
    """Everything a topic's step-check file declares.

    ``name`` names the pages ``docs/<name>.md`` (Chinese) and ``docs/<name>.en.md`` (English);
    ``sections`` maps each language to the heading that starts the derivation and the heading that
    follows it; ``sizes`` are the size tuples, in the order of ``setting.sizes``; ``checks`` has one
    :class:`Check` per step the pages must show, in page order; ``truth(sizes)`` builds the ground
    truth the checks read, independently of the translator.
    """

    name: str
    setting: Setting
    sizes: tuple[Sizes, ...]
    sections: Mapping[str, tuple[str, str]]
    checks: Mapping[str, Check]
    truth: Callable[[Sizes], object]
    mutations: tuple[Mutation, ...] = ()
    syntax_errors: tuple[SyntaxCase, ...] = ()
    _truths: dict[Sizes, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for sizes in self.sizes:
            if len(sizes) != len(self.setting.sizes):
                raise ValueError(f"{self.name}: sizes {sizes} do not match {self.setting.sizes}")
        for case in (*self.mutations, *self.syntax_errors):
            if case.step not in self.checks:
                raise ValueError(f"{self.name}: {case} edits a step that has no check")

    def truth_at(self, sizes: Sizes) -> object:
        """The ground truth for one size tuple, computed once."""
        if sizes not in self._truths:
            self._truths[sizes] = self.truth(sizes)
        return self._truths[sizes]

    def size_of(self, sizes: Sizes) -> dict[str, int]:
        return dict(zip(self.setting.sizes, sizes, strict=True))


def bindings(check: Check, size_of: Mapping[str, int]) -> Iterator[dict[str, int]]:
    """Every assignment of concrete values to the step's free index letters."""
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


def _factors(node: Node) -> tuple[Node, ...]:
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
    stated = _factors(statement.sides[0])
    values = ev.factor_values(rhs) if isinstance(rhs, Prod) else [ev.evaluate(rhs)]
    if len(values) != len(stated):
        raise StepMismatch(f"{context}: the shape statement has {len(stated)} factors, the product "
                           f"{len(values)}")
    for k, (value, shape) in enumerate(zip(values, stated, strict=True), start=1):
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


def check_step(topic: Topic, step_id: str, tex: str, sizes: Sizes, where: str | None = None) -> int:
    """Check one step formula for one size tuple; return how many index bindings it was compared at."""
    where = where or step_id
    check = topic.checks[step_id]
    display: Display = parse(tex, where)
    kinds = tuple(map(clause_kind, display.clauses))
    if kinds != check.clauses:
        raise StepMismatch(f"{where}: expected clauses {check.clauses}, found {kinds}")
    equation = display.clauses[0]
    assert isinstance(equation, Chain)
    condition = next((c for c in display.clauses if isinstance(c, Condition)), None)
    setting = world(topic.setting, sizes)
    named = f"({', '.join(topic.setting.sizes)}) = {sizes}"
    compared = 0
    for env in bindings(check, topic.size_of(sizes)):
        ev = Evaluator(setting, env, where)
        expected = check.truth(topic.truth_at(sizes), env)
        context = f"{where}, {named}, {env}"
        if condition is not None and not ev.holds(condition):
            if expected == 0:
                raise StepMismatch(f"{context}: {condition.source} excludes a case where the derivative is "
                                   "identically zero, so it is not exactly the case where it vanishes")
            continue
        check_chain(equation, ev, expected, context)
        compared += 1
    if compared == 0:
        raise StepMismatch(f"{where}, {named}: vacuous, no index values satisfy the condition")
    if "shape" in kinds:
        statement = display.clauses[1]
        assert isinstance(statement, Chain)
        check_shapes(equation, statement, Evaluator(setting, {}, where), f"{where}, {sizes}")
    return compared
