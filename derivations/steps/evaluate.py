r"""Evaluate a parsed step formula in a :class:`~derivations.steps.world.World`.

The evaluator gives each node a SymPy value for concrete sizes and concrete values of the step's
free index letters (all one-based). What the symbols mean comes from the topic's setting:

* an entry letter with its indices (``x_{ij}``, or ``b_{j}`` for a vector) is the symbol or, for an
  output, the expression in the symbols; a matrix name is the matrix; the loss name is the loss;
  a size letter is the size; a label entry ``y_{i}`` is a concrete class index;
* ``\delta_{ab}`` and an Iverson bracket ``[a = b]`` (``\mathbb{1}[a \ne b]``) are 1 or 0 for
  concrete indices; an Iverson bracket comparing values, ``[z_{ij} > 0]``, is the SymPy
  ``Piecewise`` 1 where it holds and 0 elsewhere, entry by entry for a matrix (``[Z > 0]``);
  ``^{\mathsf T}`` transposes; ``^{n}`` raises a scalar to a positive integer power; ``A_{i,:}``
  and ``A_{:,j}`` are a row and a column and ``v_{k}`` is an entry of a computed row or column; a
  product of matrices is the matrix product; ``\odot`` multiplies equal-shaped matrices entry by
  entry; ``\frac{a}{b}`` divides by a nonzero scalar;
* a function applied to scalars is its SymPy meaning (the topic's, or a built-in one), applied to
  matrices it works entry by entry; a primed name (``\sigma'``, ``f'``) is its derivative;
* a letter the topic declares a constant (``s``, ``c``) is that scalar;
* a number added to or subtracted from a matrix applies to every entry: ``1 - A`` subtracts each
  entry of ``A`` from 1 (only a literal number, never a scalar expression, is spread this way);
* ``\langle A, B \rangle`` is the Frobenius inner product of two matrices of one shape, the sum of
  ``a_ij b_ij`` (equal to ``tr(A^T B)``);
* ``\mathrm{d}`` is the differential of the factor after it with respect to all the setting's
  variables (see :meth:`~derivations.steps.world.World.differential`): ``\mathrm{d}X`` is the matrix of
  the symbols ``dx_ij``, ``\mathrm{d}Y`` and ``\mathrm{d}L`` are the first-order changes of an output
  and of the loss, written in them; it is an error for anything that depends on no variable;
* ``\mathbf{1}_{M}`` is a column of ``M`` ones; ``\mathbf{1}`` takes its length from the matrix it
  multiplies (``\mathbf{1}^{\mathsf T} G`` has ``rows(G)`` ones);
* ``\frac{\partial F}{\partial v}`` differentiates with SymPy, with the layout convention for a
  matrix ``F`` or a matrix ``v``; only entries of the setting's variables may be differentiated by,
  and every ``dL/dy_mn`` SymPy produces becomes ``g_mn``. The one exception is a scalar output by an
  earlier output matrix, both named (``\frac{\partial L}{\partial Z_{2}}``): the forward pass is
  taken again from that matrix on (:meth:`~derivations.steps.world.World.gradient_through`);
* a capital letter with a one-digit subscript names a matrix declared with that name (``W_{1}`` is
  ``W_1``), when one is; otherwise it indexes the matrix of that letter. Bare lowercase letters other than
  declared vector names are allowed only as indices and in conditions.

Schematic matrices (``\cdots``, ``\vdots``, ``\ddots``) are expanded into concrete matrices:

* Explicit lines (rows, and within them columns) get positions.  The first explicit line is line 1.
  The last explicit line is the last line of the matrix when the size is known from the context (the
  other side of the ``=``).  A labelled line (``\leftarrow \text{row } i`` beside the row, or
  ``\underset{\substack{\uparrow \\ \text{column } j}}{...}`` under the middle explicit column) is at
  the labelled index.  Lines not separated by an ellipsis are adjacent.
* An ellipsis between two lines stands for the lines in between, and they continue the pattern: cells
  that are equal stay equal (``0 & \cdots & 0`` is all zeros), cells that are entries of the same matrix
  differing in one index interpolate that index (``w_{j1} & \cdots & w_{jN}`` is ``w_{jc}`` for
  ``c = 1..N``; then the index difference also fixes how many lines the ellipsis stands for), and next
  to a labelled line the hidden lines repeat the other, unlabelled neighbour (the labelled line is a
  single line).  Anything else is ambiguous and raises :class:`TexMeaningError`.
* Positions must be consistent and strictly increasing; an ellipsis may stand for no line at all.  A
  picture whose labelled line would coincide with the first or last line (``i = 1`` or ``i = M``) is
  rejected as not applicable, as the page itself says the picture is schematic there.

A 1x1 matrix is identified with its entry when compared (see :func:`agree`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeAlias

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.steps.syntax import (
    Add,
    Apply,
    Cell,
    Condition,
    Delta,
    Deriv,
    Differential,
    Frac,
    Hadamard,
    Inner,
    Iverson,
    Letter,
    MatrixLit,
    Node,
    Num,
    Ones,
    Power,
    Prod,
    Relation,
    ShapeOf,
    Sub,
    Sum,
    TexMeaningError,
    Transpose,
)
from derivations.steps.world import World


@dataclass(frozen=True)
class Shape:
    """The value of ``rows \\times cols``."""

    rows: int
    cols: int

    def __str__(self) -> str:
        return f"{self.rows}x{self.cols}"


UNSIZED_ONES = r"the length of \mathbf{1} is not determined here: write \mathbf{1}_{M}, or multiply a matrix"


@dataclass(frozen=True)
class UnsizedOnes:
    """``\\mathbf{1}`` (a column) or its transpose (a row) within a product, before the factor beside
    it sizes it; it never leaves :meth:`Evaluator.factor_values`."""

    row: bool

    def __str__(self) -> str:
        return r"\mathbf{1}^T" if self.row else r"\mathbf{1}"


Value: TypeAlias = "sp.Expr | sp.ImmutableMatrix | Shape"


@dataclass(frozen=True)
class Entry:
    """A schematic cell that is an entry of a named matrix, with concrete indices."""

    base: str
    index: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.base}_{{{','.join(map(str, self.index))}}}"


@dataclass(frozen=True)
class Const:
    """A schematic cell with any other scalar value."""

    value: sp.Expr

    def __str__(self) -> str:
        return str(self.value)


Lines: TypeAlias = "list[list[Entry | Const]]"


def _same_cell(a: Entry | Const, b: Entry | Const) -> bool:
    if isinstance(a, Const) and isinstance(b, Const):
        return _is_zero(a.value - b.value)
    return a == b


def _varying(a: Entry | Const, b: Entry | Const) -> int | None:
    """The position of the one index in which two entries of the same matrix differ, else ``None``."""
    if not (isinstance(a, Entry) and isinstance(b, Entry)) or a.base != b.base:
        return None
    differing = [k for k, (u, v) in enumerate(zip(a.index, b.index, strict=True)) if u != v]
    return differing[0] if len(differing) == 1 else None


def _is_matrix(value: object) -> bool:
    return isinstance(value, sp.MatrixBase)


def _is_shape(value: object) -> bool:
    return isinstance(value, Shape)


def _is_zero(difference: sp.Expr) -> bool:
    """Whether an expression is identically zero: expanded first (enough for polynomials, fast); else
    refuted at once if it is nonzero at a sample point, and otherwise proved by simplification, with
    hyperbolic functions written as exponentials (``tanh(z)`` against ``(e^z - e^-z) / (e^z + e^-z)``)."""
    expanded = sp.expand(difference)
    if expanded == 0:
        return True
    if expanded.is_polynomial() or _nonzero_somewhere(expanded):
        return False
    if sp.cancel(difference) == 0:  # a rational function of exponentials (softmax), far faster than simplify
        return True
    if expanded.atoms(sp.tanh, sp.sinh, sp.cosh):
        expanded = expanded.rewrite(sp.exp)
    return sp.simplify(expanded) == 0


def _nonzero_somewhere(expr: sp.Expr) -> bool:
    """Whether ``expr`` is clearly nonzero at one of two fixed sample points (positive symbols get
    positive values). Only ever a quick refutation: ``False`` proves nothing.

    An undefined function has no value at a point, so each of its values, and each value of its
    derivative, at a distinct argument (``f(z_1)``, ``f'(z_1)``, ``f(z_2)``) is given a value of its own:
    some differentiable ``f`` takes all of them, so a nonzero result refutes the identity for that ``f``."""
    for kind in (sp.Subs, sp.Derivative, AppliedUndef):
        expr = expr.xreplace({a: sp.Dummy(f"opaque{k}") for k, a in enumerate(
            sorted(expr.atoms(kind), key=sp.default_sort_key))})
    symbols = sorted(expr.free_symbols, key=str)
    for seed in (1, 2):
        point = {x: sp.Rational(37 * seed + 11 * k + 5, 41) * (1 if x.is_positive or (k + seed) % 2 else -1)
                 for k, x in enumerate(symbols)}
        value = expr.subs(point).evalf(30)
        if value.is_number and value.is_comparable and abs(value) > sp.Float("1e-20"):
            return True
    return False


def agree(a: Value, b: Value) -> bool:
    """Whether two values are equal: shapes exactly, matrices entrywise, a 1x1 matrix as its entry.

    >>> agree(sp.ImmutableMatrix([[sp.Symbol("x")]]), sp.Symbol("x"))
    True
    >>> z = sp.Symbol("z")
    >>> agree(sp.exp(-z) / (1 + sp.exp(-z)) ** 2, 1 / (1 + sp.exp(-z)) * (1 - 1 / (1 + sp.exp(-z))))
    True
    """
    if _is_shape(a) or _is_shape(b):
        return a == b
    a, b = (v[0, 0] if _is_matrix(v) and v.shape == (1, 1) else v for v in (a, b))
    if _is_matrix(a) != _is_matrix(b):
        return False
    if _is_matrix(a):
        return a.shape == b.shape and all(_is_zero(u - v) for u, v in zip(a, b, strict=True))
    return _is_zero(a - b)


class Evaluator:
    """Evaluate AST nodes in a :class:`World` with concrete values for the free index letters."""

    def __init__(self, world: World, env: Mapping[str, int], where: str) -> None:
        self.world = world
        self.env = dict(env)
        self.where = where

    def error(self, message: str) -> TexMeaningError:
        return TexMeaningError(f"step {self.where} with {self._binding()}: {message}")

    def _binding(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in self.world.sizes.items())
        return ", ".join([sizes, *(f"{k}={v}" for k, v in sorted(self.env.items()))])

    # -- indices and conditions
    def index(self, item: str) -> int | None:
        """The value of one index item; ``None`` for ``:``."""
        if item == ":":
            return None
        if item.isdigit():
            return int(item)
        if item in self.world.sizes:
            return self.world.sizes[item]
        if item.islower() and item in self.env:
            return self.env[item]
        raise self.error(f"index letter {item} is not bound (not a free index of the step, not summed)")

    def integer(self, item: str) -> int:
        value = self.index(item)
        if value is None:
            raise self.error("':' is not allowed here")
        return value

    def holds(self, condition: Condition) -> bool:
        """Whether every relation of a condition such as ``(m \\ne i)`` holds."""
        return all(self.relation(relation) for relation in condition.relations)

    def relation(self, relation: Relation) -> bool:
        """Whether ``a = b`` or ``a \\ne b`` holds between two indices."""
        left, right = (self._index_node(side) for side in (relation.left, relation.right))
        return (left != right) if relation.op == "ne" else (left == right)

    def _comparison(self, relation: Relation) -> Value:
        """``[a > b]`` of values: ``Piecewise((1, a > b), (0, True))``, entry by entry for matrices."""
        left, right = self.evaluate(relation.left), self.evaluate(relation.right)
        if _is_shape(left) or _is_shape(right):
            raise self.error("cannot compare a shape")
        compare = {"gt": sp.StrictGreaterThan, "lt": sp.StrictLessThan, "ge": sp.GreaterThan,
                   "le": sp.LessThan}[relation.op]

        def one(a: sp.Expr, b: sp.Expr) -> sp.Expr:
            return sp.Piecewise((1, compare(a, b)), (0, True))

        shapes = {v.shape for v in (left, right) if _is_matrix(v)}
        if not shapes:
            return one(left, right)
        if len(shapes) > 1:
            raise self.error(f"comparison of matrices of different shapes {sorted(shapes)}")
        (shape,) = shapes
        return sp.ImmutableMatrix(*shape, lambda r, c: one(*(v[r, c] if _is_matrix(v) else v
                                                             for v in (left, right))))

    def _index_node(self, node: Node) -> int:
        if isinstance(node, Letter):
            return self.integer(node.name)
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Sub) and isinstance(node.base, Letter) and node.base.name in self.world.labels:
            if len(node.indices) != 1:
                raise self.error(f"the label {node.base.name} takes one index")
            return self.world.label(node.base.name, self.integer(node.indices[0]), self.where)
        raise self.error(f"a relation compares index letters, numbers or labels, not {node}")

    # -- expressions
    def evaluate(self, node: Node, shape: tuple[int, int] | None = None) -> Value:
        """The value of ``node``; ``shape`` sizes a schematic matrix from the other side of ``=``."""
        match node:
            case Num(value):
                return sp.Integer(value)
            case Letter(name):
                return self._letter(name)
            case Sub(base, indices):
                return self._subscript(base, indices)
            case Transpose(base):
                value = self.evaluate(base)
                if not _is_matrix(value):
                    raise self.error("only a matrix can be transposed")
                return value.T
            case Power(base, exponent):
                value = self.evaluate(base)
                if _is_matrix(value) or _is_shape(value):
                    raise self.error(r"only a scalar has a power here (write A \odot A for a matrix)")
                return value**exponent
            case Delta(indices):
                if len(indices) != 2:
                    raise self.error("delta needs two indices")
                return sp.Integer(int(self.integer(indices[0]) == self.integer(indices[1])))
            case Iverson(relation):
                if relation.op in ("eq", "ne"):
                    return sp.Integer(int(self.relation(relation)))
                return self._comparison(relation)
            case Inner(left, right):
                return self._inner(self.evaluate(left), self.evaluate(right))
            case Differential(base):
                return self._differential(self.evaluate(base))
            case Deriv(num, den):
                return self._derivative(num, den)
            case Frac(num, den):
                return self._quotient(self.evaluate(num), self.evaluate(den))
            case Apply(name, args):
                return self._apply(name, [self.evaluate(arg) for arg in args])
            case Ones(length):
                if length is None:
                    raise self.error(UNSIZED_ONES)
                return sp.ImmutableMatrix.ones(self.integer(length), 1)
            case Sum():
                return self._sum(node)
            case Prod(factors):
                return functools.reduce(self._multiply, self.factor_values(node))
            case Hadamard(factors):
                return functools.reduce(self._hadamard, (self.evaluate(f) for f in factors))
            case Add(terms):
                values = [self._scaled(sign, self.evaluate(term)) for sign, term in terms]
                shapes = {v.shape for v in values if _is_matrix(v)}
                if len(shapes) == 1:
                    (shape,) = shapes
                    values = [sp.ImmutableMatrix.ones(*shape) * v if isinstance(term, Num) else v
                              for (_, term), v in zip(terms, values, strict=True)]
                return functools.reduce(self._add, values)
            case ShapeOf(rows, cols):
                return Shape(self._size(rows), self._size(cols))
            case MatrixLit():
                return self._matrix(node, shape)
        raise self.error(f"{type(node).__name__} is not an expression")

    def _letter(self, name: str) -> Value:
        if name in self.world.values:
            return self.world.values[name]
        if name in self.world.setting.constants:
            return self.world.setting.constants[name]
        if self.world.loss is not None and name == self.world.loss.func.__name__:
            return self.world.loss
        if name in self.world.sizes:
            return sp.Integer(self.world.sizes[name])
        raise self.error(f"bare letter {name} has no meaning outside a subscript or condition")

    def _size(self, node: Node) -> int:
        value = self.evaluate(node)
        if not isinstance(value, sp.Integer):
            raise self.error(r"the operands of \times must be sizes")
        return int(value)

    def _subscript(self, base: Node, indices: tuple[str, ...]) -> Value:
        if isinstance(base, Letter) and base.name in self.world.entries:
            return self.world.entry(base.name, tuple(map(self.integer, indices)), self.where)
        if isinstance(base, Letter) and base.name in self.world.labels:
            raise self.error(f"the label {base.name} is an index: it may appear only in a relation")
        if isinstance(base, Letter) and len(indices) == 1 and indices[0].isdigit() \
                and f"{base.name}_{indices[0]}" in self.world.values:
            return self.world.values[f"{base.name}_{indices[0]}"]
        if isinstance(base, Letter) and base.name.islower() and base.name not in self.world.values:
            raise self.error(f"unknown indexed symbol {base.name}")
        value = self.evaluate(base)
        if _is_matrix(value) and len(indices) == 1 and 1 in value.shape:
            indices = ("1", *indices) if value.rows == 1 else (*indices, "1")
        if not _is_matrix(value) or len(indices) != 2:
            raise self.error("only a matrix can be indexed, with two indices (one for a row or column)")
        row, col = (self.index(item) for item in indices)
        for k, limit in ((row, value.rows), (col, value.cols)):
            if k is not None and not 1 <= k <= limit:
                raise self.error(f"index {k} out of range for a {value.rows}x{value.cols} matrix")
        rows = slice(None) if row is None else slice(row - 1, row)
        cols = slice(None) if col is None else slice(col - 1, col)
        part = value[rows, cols]
        return part[0, 0] if row is not None and col is not None else sp.ImmutableMatrix(part)

    def _output_name(self, node: Node) -> str | None:
        """The name of the forward output a node names (``H``, or ``Z_{2}`` for ``Z_2``), else ``None``."""
        outputs = {o.name for o in self.world.setting.forward}
        if isinstance(node, Letter):
            return node.name if node.name in outputs else None
        if isinstance(node, Sub) and isinstance(node.base, Letter) and len(node.indices) == 1:
            named = f"{node.base.name}_{node.indices[0]}"
            return named if named in outputs else None
        return None

    def _derivative(self, num: Node, den: Node) -> Value:
        by, of = self._output_name(den), self._output_name(num)
        if by is not None and of is not None:
            return self.world.gradient_through(of, by, self.where)
        f, v = self.evaluate(num), self.evaluate(den)
        variables = ", ".join(self.world.setting.variables)
        if _is_shape(f) or _is_shape(v):
            raise self.error("cannot differentiate a shape")
        if _is_matrix(v):
            if _is_matrix(f) or not all(s in self.world.variables for s in v):
                raise self.error(f"can differentiate only a scalar by a whole matrix ({variables})")
            return v.applyfunc(lambda s: self.world.diff(f, s))
        if v not in self.world.variables:
            raise self.error(f"cannot differentiate with respect to {v}: not an entry of {variables}")
        if _is_matrix(f):
            return f.applyfunc(lambda e: self.world.diff(e, v))
        return self.world.diff(f, v)

    def _sum(self, node: Sum) -> Value:
        if node.var in self.env or node.var in self.world.sizes:
            raise self.error(f"summation variable {node.var} shadows a bound letter")
        total: Value | None = None
        for k in range(self.integer(node.lower), self.integer(node.upper) + 1):
            value = Evaluator(self.world, {**self.env, node.var: k}, self.where).evaluate(node.body)
            total = value if total is None else self._add(total, value)
        return sp.Integer(0) if total is None else total

    def factor_values(self, product: Prod) -> list[Value]:
        """The values of a product's factors, each ``\\mathbf{1}`` sized by the matrix beside it."""
        values = [self._factor(f) for f in product.factors]
        for k, value in enumerate(values):
            if not isinstance(value, UnsizedOnes):
                continue
            neighbour = values[k + 1] if value.row and k + 1 < len(values) else (
                values[k - 1] if not value.row and k > 0 else None)
            if not _is_matrix(neighbour):
                raise self.error(UNSIZED_ONES)
            length = neighbour.rows if value.row else neighbour.cols
            values[k] = sp.ImmutableMatrix.ones(*((1, length) if value.row else (length, 1)))
        return values

    def _factor(self, node: Node) -> Value:
        """A factor's value; ``\\mathbf{1}`` and its transpose stay unsized until the product sizes them."""
        if isinstance(node, Ones) and node.length is None:
            return UnsizedOnes(row=False)
        if isinstance(node, Transpose) and isinstance(node.base, Ones) and node.base.length is None:
            return UnsizedOnes(row=True)
        return self.evaluate(node)

    def _apply(self, name: str, args: list[Value]) -> Value:
        """A function of scalars, or of matrices of one shape entry by entry (scalars broadcast)."""
        function = self.world.function(name, self.where)
        if any(map(_is_shape, args)):
            raise self.error(f"{name} of a shape")
        shapes = {a.shape for a in args if _is_matrix(a)}
        if len(shapes) > 1:
            raise self.error(f"{name} of matrices of different shapes {sorted(shapes)}")
        try:
            if not shapes:
                return function(*args)
            (shape,) = shapes
            return sp.ImmutableMatrix(*shape, lambda r, c: function(
                *(a[r, c] if _is_matrix(a) else a for a in args)))
        except TypeError as error:
            raise self.error(f"{name} cannot take {len(args)} arguments: {error}") from None

    def _inner(self, a: Value, b: Value) -> Value:
        if not (_is_matrix(a) and _is_matrix(b)):
            raise self.error(r"\langle A, B \rangle takes two matrices")
        if a.shape != b.shape:
            raise self.error(rf"\langle A, B \rangle of a {a.rows}x{a.cols} and a {b.rows}x{b.cols} matrix")
        return sp.Add(*(u * v for u, v in zip(a, b, strict=True)))

    def _differential(self, value: Value) -> Value:
        if _is_shape(value):
            raise self.error(r"\mathrm{d} of a shape")
        entries = list(value) if _is_matrix(value) else [value]
        if not any(e.free_symbols & self.world.variables for e in entries):
            variables = ", ".join(self.world.setting.variables)
            raise self.error(rf"\mathrm{{d}} of {value}, which depends on none of the variables {variables}")
        if _is_matrix(value):
            return value.applyfunc(self.world.differential)
        return self.world.differential(value)

    def _hadamard(self, a: Value, b: Value) -> Value:
        if not (_is_matrix(a) and _is_matrix(b)):
            raise self.error(r"\odot multiplies two matrices entry by entry")
        if a.shape != b.shape:
            raise self.error(rf"\odot of a {a.rows}x{a.cols} and a {b.rows}x{b.cols} matrix")
        return a.multiply_elementwise(b)

    def _quotient(self, a: Value, b: Value) -> Value:
        if _is_shape(a) or _is_shape(b) or _is_matrix(b):
            raise self.error(r"\frac{a}{b} divides a scalar or a matrix by a scalar")
        if b == 0:
            raise self.error(r"\frac{a}{b} with b = 0")
        return a / b

    def _multiply(self, a: Value, b: Value) -> Value:
        if isinstance(a, Shape) and isinstance(b, Shape):
            if a.cols != b.rows:
                raise self.error(f"shapes ({a})({b}) do not chain")
            return Shape(a.rows, b.cols)
        if isinstance(a, Shape) or isinstance(b, Shape):
            raise self.error("a shape multiplied by a non-shape")
        if _is_matrix(a) and _is_matrix(b) and a.cols != b.rows:
            raise self.error(f"cannot multiply a {a.rows}x{a.cols} matrix by a {b.rows}x{b.cols} matrix")
        return a * b

    def _add(self, a: Value, b: Value) -> Value:
        if _is_shape(a) or _is_shape(b) or _is_matrix(a) != _is_matrix(b) or (
                _is_matrix(a) and a.shape != b.shape):
            raise self.error("cannot add values of different kinds or shapes")
        return a + b

    def _scaled(self, sign: int, value: Value) -> Value:
        if _is_shape(value):
            raise self.error("cannot negate a shape")
        return value if sign == 1 else -value

    # -- schematic matrices
    def _cell(self, cell: Cell) -> Entry | Const:
        if isinstance(cell, Sub) and isinstance(cell.base, Letter) and cell.base.name in self.world.entries:
            return Entry(cell.base.name, tuple(self.integer(item) for item in cell.indices))
        assert isinstance(cell, Node)
        value = self.evaluate(cell)
        if _is_matrix(value) or _is_shape(value):
            raise self.error("a matrix cell must be a scalar")
        return Const(value)

    def _materialize(self, cell: Entry | Const) -> sp.Expr:
        if isinstance(cell, Const):
            return cell.value
        return self.world.entry(cell.base, cell.index, self.where)

    def _matrix(self, literal: MatrixLit, shape: tuple[int, int] | None) -> sp.ImmutableMatrix:
        rows = literal.rows
        explicit = [r for r, row in enumerate(rows) if not self._is_ellipsis_row(row)]
        if not explicit or explicit[0] != 0 or explicit[-1] != len(rows) - 1:
            raise self.error("a matrix must begin and end with explicit rows")
        row_gaps = self._gaps(explicit, "row")
        dots = [all(rows[r][c] == "cdots" for r in explicit) for c in range(len(rows[0]))]
        for c in range(len(rows[0])):
            if not dots[c] and any(rows[r][c] == "cdots" for r in explicit):
                raise self.error(r"\cdots must fill the same column in every explicit row")
        explicit_cols = [c for c, is_dots in enumerate(dots) if not is_dots]
        if not explicit_cols or explicit_cols[0] != 0 or explicit_cols[-1] != len(dots) - 1:
            raise self.error("a matrix must begin and end with explicit columns")
        col_gaps = self._gaps(explicit_cols, "column")
        grid = [[self._cell(rows[r][c]) for c in explicit_cols] for r in explicit]
        row_label = col_label = None
        if literal.row_label is not None:
            if literal.row_label.row not in explicit:
                raise self.error("the row label points at an ellipsis row")
            row_label = (explicit.index(literal.row_label.row), self.integer(literal.row_label.index))
        if literal.col_label is not None:
            if len(explicit_cols) % 2 == 0:
                raise self.error("a column label under the matrix needs a middle explicit column")
            col_label = (len(explicit_cols) // 2, self.integer(literal.col_label.index))
        columns = [list(column) for column in zip(*grid, strict=True)]
        full_columns = self._expand_axis(columns, col_gaps, col_label, shape and shape[1], "column")
        partial_rows = [list(row) for row in zip(*full_columns, strict=True)]
        full_rows = self._expand_axis(partial_rows, row_gaps, row_label, shape and shape[0], "row")
        return sp.ImmutableMatrix([[self._materialize(cell) for cell in row] for row in full_rows])

    def _is_ellipsis_row(self, row: Sequence[Cell]) -> bool:
        marks = [cell in ("vdots", "ddots", "") for cell in row]
        if all(marks) and any(cell in ("vdots", "ddots") for cell in row):
            return True
        if any(cell in ("vdots", "ddots", "") for cell in row):
            raise self.error(r"a row mixes \vdots, \ddots or empty cells with explicit cells")
        return False

    def _gaps(self, explicit: list[int], axis: str) -> list[bool]:
        """For consecutive explicit lines, whether an ellipsis lies between them."""
        gaps = []
        for a, b in pairwise(explicit):
            if b - a > 2:
                raise self.error(f"two ellipses in a row along the {axis}s")
            gaps.append(b - a == 2)
        return gaps

    def _expand_axis(self, lines: list[list[Entry | Const]], ellipsis: list[bool],
                     label: tuple[int, int] | None, extent: int | None, axis: str) -> Lines:
        """Place explicit lines at positions and fill the lines that ellipses stand for."""
        labelled = {label[0]} if label else set()
        gaps: list[int | None] = [None if e else 1 for e in ellipsis]
        for t, is_ellipsis in enumerate(ellipsis):
            if not is_ellipsis or {t, t + 1} & labelled:
                continue
            for a, b in zip(lines[t], lines[t + 1], strict=True):
                if _same_cell(a, b):
                    continue
                k = _varying(a, b)
                if k is None:
                    raise self.error(f"the {axis} ellipsis between {a} and {b} continues no index pattern")
                assert isinstance(a, Entry) and isinstance(b, Entry)
                step = b.index[k] - a.index[k]
                if gaps[t] not in (None, step):
                    raise self.error(f"the {axis} ellipsis after line {t + 1} spans {gaps[t]} and {step}")
                gaps[t] = step
        anchors = {0: 1}
        if label is not None:
            self._anchor(anchors, label[0], label[1], axis, "its label")
        if extent is not None:
            self._anchor(anchors, len(lines) - 1, extent, axis, "the size of the other side")
        positions = self._positions(len(lines), gaps, anchors, axis)
        out: list[list[Entry | Const]] = []
        for t, line in enumerate(lines):
            out.append(line)
            for q in range(positions[t] + 1, positions[t + 1] if t + 1 < len(lines) else 0):
                out.append([self._hidden(a, b, q - positions[t], t in labelled, t + 1 in labelled, axis)
                            for a, b in zip(line, lines[t + 1], strict=True)])
        return out

    def _anchor(self, anchors: dict[int, int], line: int, position: int, axis: str, why: str) -> None:
        if anchors.get(line, position) != position:
            raise self.error(f"explicit {axis} line {line + 1} is at {axis} {anchors[line]} and, by {why}, "
                             f"at {axis} {position}")
        anchors[line] = position

    def _positions(self, count: int, gaps: list[int | None], anchors: dict[int, int], axis: str) -> list[int]:
        positions: list[int | None] = [anchors.get(t) for t in range(count)]
        changed = True
        while changed:
            changed = False
            for t, gap in enumerate(gaps):
                left, right = positions[t], positions[t + 1]
                if gap is None and left is not None and right is not None:
                    gaps[t], changed = right - left, True
                elif gap is not None and left is not None and right is None:
                    positions[t + 1], changed = left + gap, True
                elif gap is not None and right is not None and left is None:
                    positions[t], changed = right - gap, True
        if None in positions or None in gaps:
            raise self.error(f"cannot tell which {axis}s the ellipses stand for")
        for t, gap in enumerate(gaps):
            if positions[t + 1] - positions[t] != gap:
                raise self.error(f"inconsistent {axis} positions {positions}")
            if gap < 1:
                raise self.error(f"the schematic does not apply: explicit {axis}s at {positions}")
        return positions  # type: ignore[return-value]

    def _hidden(self, a: Entry | Const, b: Entry | Const, offset: int, left_labelled: bool,
                right_labelled: bool, axis: str) -> Entry | Const:
        if right_labelled:
            return a
        if left_labelled or _same_cell(a, b):
            return b
        k = _varying(a, b)
        assert k is not None and isinstance(a, Entry)
        return Entry(a.base, tuple(v + offset if p == k else v for p, v in enumerate(a.index)))
