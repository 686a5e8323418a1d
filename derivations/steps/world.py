"""What a topic's step formulas are about: its sizes, symbols, forward pass, loss and functions.

A topic declares a :class:`Setting`; :func:`world` builds it for concrete sizes as SymPy values:
symbol matrices, the outputs of the forward pass as expressions in those symbols, and the loss as
an undefined function of the output whose derivatives SymPy reports with ``dL/dy_mn`` renamed to
the entry ``g_mn`` of the upstream gradient. Each entry of a variable, such as ``x_2_3``, has a
differential, the independent symbol ``dx_2_3``. Nothing here names any topic's letters.

Examples
--------
>>> setting = Setting(
...     sizes=("M", "N"),
...     symbols=(Matrix("Z", "z", "M", "N"), Matrix("b", "b", "1", "N")),
...     forward=(Output("Y", "y", lambda Z, b: Z + sp.ones(Z.rows, 1) * b),),
...     variables=("Z", "b"),
...     loss=Loss("L", of="Y", gradient=Matrix("G", "g", "M", "N")),
... )
>>> w = world(setting, (2, 3))
>>> w.entry("y", (2, 3), "doc"), w.entry("b", (3,), "doc")
(b_3 + z_2_3, b_3)
>>> w.diff(w.loss, sp.Symbol("b_3"))
g_1_3 + g_2_3
>>> w.differential(w.entry("y", (2, 3), "doc"))
db_3 + dz_2_3
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import UndefinedFunction

from derivations.steps.syntax import TexMeaningError

Function = Callable[..., sp.Expr]
# Functions every topic may use; a topic's own ``functions`` add to these (\sigma) or replace them.
BUILTIN_FUNCTIONS: Mapping[str, Function] = {
    "exp": sp.exp, "ln": sp.log, "tanh": sp.tanh, "erf": sp.erf, "max": sp.Max,
}


@dataclass(frozen=True)
class Matrix:
    """A matrix of independent symbols: ``Matrix("X", "x", "M", "D")`` is ``X`` with entries ``x_{ij}``.

    ``rows`` and ``cols`` are size letters or ``"1"``. A matrix with a ``"1"`` is a vector whose
    entries take one index: ``Matrix("b", "b", "1", "N")`` has entries ``b_{j}``. The entry symbols
    are named ``x_2_3`` for a matrix and ``b_3`` for a vector (indices one-based). ``real=True``
    declares them real, so that identities such as ``ln(e^z) = z`` hold for SymPy.
    """

    name: str
    entry: str
    rows: str
    cols: str
    real: bool = False

    @property
    def vector(self) -> bool:
        return "1" in (self.rows, self.cols)

    def build(self, sizes: Mapping[str, int]) -> sp.ImmutableMatrix:
        rows, cols = (1 if d == "1" else sizes[d] for d in (self.rows, self.cols))
        assumptions = {"real": True} if self.real else {}
        if self.vector:
            return sp.ImmutableMatrix(rows, cols, lambda r, c: sp.Symbol(f"{self.entry}_{r + c + 1}",
                                                                         **assumptions))
        return sp.ImmutableMatrix(rows, cols, lambda r, c: sp.Symbol(f"{self.entry}_{r + 1}_{c + 1}",
                                                                     **assumptions))


@dataclass(frozen=True)
class Output:
    """A value the forward pass computes: ``Output("Y", "y", lambda X, W: X * W)``.

    ``of`` receives by parameter name any of the symbol matrices, the outputs declared before this
    one, the label tuples and the sizes (ints). ``entry`` is the letter of its entries (``y_{mn}``),
    or ``None`` for a scalar output.
    """

    name: str
    entry: str | None
    of: Callable[..., sp.Expr | sp.ImmutableMatrix]


@dataclass(frozen=True)
class Loss:
    """An undefined scalar function ``name`` of every entry of the output ``of``.

    SymPy writes ``dL/dy_mn`` as a ``Subs`` object; each is renamed to the entry ``g_mn`` of the
    symbol matrix ``gradient``, which has the shape of the output.
    """

    name: str
    of: str
    gradient: Matrix


@dataclass(frozen=True)
class Labels:
    """Class indices: ``Labels("y", "M", "N", values)`` is ``y_{i}`` in ``1..N`` for ``i`` in ``1..M``.

    ``values`` picks the labels for concrete sizes (it receives the sizes by letter). Labels are
    concrete integers, so ``[y_{i} = k]`` is 1 or 0.
    """

    entry: str
    length: str
    classes: str
    values: Callable[[Mapping[str, int]], tuple[int, ...]]


@dataclass(frozen=True, eq=False)
class Setting:
    """Everything a topic's step formulas may name, declared once per topic.

    ``sizes`` are the size letters, ``symbols`` the matrices of independent symbols, ``forward`` the
    outputs computed from them in order, ``variables`` the names of the symbol matrices one may
    differentiate by, ``loss`` the undefined loss of an output, ``functions`` the SymPy meaning of
    functions beyond :data:`BUILTIN_FUNCTIONS` (``{"sigma": lambda x: 1 / (1 + sp.exp(-x))}``), and
    ``labels`` any vectors of class indices, and ``constants`` letters that stand for scalars
    (``{"s": sp.Symbol("s", positive=True)}``). A function may be an undefined SymPy function
    (``sp.Function("f")``), for a step that holds for every ``f``; its derivative then stays
    symbolic, as ``f'`` on the page does.
    """

    sizes: tuple[str, ...]
    symbols: tuple[Matrix, ...]
    forward: tuple[Output, ...]
    variables: tuple[str, ...]
    loss: Loss | None = None
    functions: Mapping[str, Function] = field(default_factory=dict)
    labels: tuple[Labels, ...] = ()
    constants: Mapping[str, sp.Expr] = field(default_factory=dict)

    def __post_init__(self) -> None:
        gradient = (self.loss.gradient,) if self.loss else ()
        matrices = (*self.symbols, *gradient)
        names = [m.name for m in matrices] + [o.name for o in self.forward] + list(self.sizes)
        names += [self.loss.name] if self.loss else []
        entries = [m.entry for m in matrices] + [o.entry for o in self.forward if o.entry]
        entries += [labels.entry for labels in self.labels]
        clash = set(self.constants) & {*names, *entries}
        if clash or not all(len(c) == 1 and c.islower() for c in self.constants):
            raise ValueError(f"constants are single lowercase letters not otherwise declared: "
                             f"{sorted(self.constants)}")
        for kind, items in (("name", names), ("entry letter", entries)):
            if len(set(items)) != len(items):
                raise ValueError(f"a {kind} is declared twice: {items}")
        if not all(len(s) == 1 and s.isupper() for s in self.sizes):
            raise ValueError(f"size letters are single capitals: {self.sizes}")
        if not all(len(e) == 1 and e.islower() for e in entries):
            raise ValueError(f"entry letters are single lowercase letters: {entries}")
        dims = {d for m in matrices for d in (m.rows, m.cols)} | {
            d for labels in self.labels for d in (labels.length, labels.classes)}
        if not dims <= {*self.sizes, "1"}:
            raise ValueError(f"undeclared sizes {sorted(dims - {*self.sizes, '1'})}")
        if not set(self.variables) <= {m.name for m in self.symbols}:
            raise ValueError(f"variables {self.variables} must be symbol matrices")
        if self.loss and self.loss.of not in {o.name for o in self.forward}:
            raise ValueError(f"the loss must be of an output, not {self.loss.of}")


Value = sp.Expr | sp.ImmutableMatrix


@dataclass(frozen=True, eq=False)
class World:
    """A :class:`Setting` for concrete sizes: every named value, entry letter and label as SymPy."""

    setting: Setting
    sizes: Mapping[str, int]
    values: Mapping[str, Value]
    entries: Mapping[str, str]
    vectors: frozenset[str]
    labels: Mapping[str, tuple[int, ...]]
    loss: sp.Expr | None
    variables: frozenset[sp.Symbol]
    _derivatives: dict[tuple[sp.Expr, sp.Symbol], sp.Expr] = field(default_factory=dict, repr=False)
    _through: dict[tuple[str, str], sp.ImmutableMatrix] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, setting: Setting, sizes: tuple[int, ...]) -> World:
        if len(sizes) != len(setting.sizes):
            raise ValueError(f"sizes {sizes} do not match the size letters {setting.sizes}")
        size = dict(zip(setting.sizes, sizes, strict=True))
        declared = (*setting.symbols, *((setting.loss.gradient,) if setting.loss else ()))
        values: dict[str, Value] = {m.name: m.build(size) for m in declared}
        entries = {m.entry: m.name for m in declared}
        labels = {}
        for vector in setting.labels:
            chosen = tuple(vector.values(size))
            if len(chosen) != size[vector.length] or not all(1 <= v <= size[vector.classes] for v in chosen):
                raise ValueError(f"labels {vector.entry} = {chosen} do not fit {vector}")
            labels[vector.entry] = chosen
        for output in setting.forward:
            namespace = {**size, **values, **labels}
            values[output.name] = _call(output.of, namespace, output.name)
            if output.entry:
                entries[output.entry] = output.name
        loss = None
        if setting.loss:
            of, gradient = values[setting.loss.of], values[setting.loss.gradient.name]
            if not isinstance(of, sp.MatrixBase) or of.shape != gradient.shape:
                raise ValueError(f"the gradient {setting.loss.gradient.name} must have the shape of the "
                                 f"matrix {setting.loss.of}")
            loss = sp.Function(setting.loss.name)(*of)
        vectors = frozenset(m.entry for m in declared if m.vector)
        variables = frozenset(s for name in setting.variables for s in values[name])
        return cls(setting, size, values, entries, vectors, labels, loss, variables)

    # -- what the evaluator asks
    def entry(self, letter: str, index: tuple[int, ...], where: str) -> sp.Expr:
        """The entry ``letter_{index}`` (one-based; one index for a vector), with a range check."""
        name = self.entries[letter]
        matrix = self.values[name]
        assert isinstance(matrix, sp.MatrixBase)
        vector = letter in self.vectors
        if len(index) != (1 if vector else 2):
            raise TexMeaningError(f"step {where}: {letter} takes {1 if vector else 2} indices, "
                                  f"got {len(index)}")
        if vector:
            row, col = (1, index[0]) if matrix.rows == 1 else (index[0], 1)
        else:
            row, col = index
        if not (1 <= row <= matrix.rows and 1 <= col <= matrix.cols):
            raise TexMeaningError(f"step {where}: {letter}_{{{','.join(map(str, index))}}} is out of "
                                  f"range for {name} of shape {matrix.rows}x{matrix.cols}")
        return matrix[row - 1, col - 1]

    def label(self, letter: str, index: int, where: str) -> int:
        """The class index ``letter_{index}``."""
        values = self.labels[letter]
        if not 1 <= index <= len(values):
            raise TexMeaningError(f"step {where}: {letter}_{{{index}}} is out of range 1..{len(values)}")
        return values[index - 1]

    def function(self, name: str, where: str) -> Function:
        """The SymPy meaning of a function name; ``name'`` is the derivative of ``name``'s meaning."""
        if name.endswith("'") and name not in self.setting.functions:
            base = self.function(name[:-1], where)
            t = sp.Dummy("t")
            derivative = sp.diff(base(t), t)
            return lambda x: derivative.subs(t, x)
        meaning = self.setting.functions.get(name, BUILTIN_FUNCTIONS.get(name))
        if meaning is None:
            raise TexMeaningError(f"step {where}: the function {name} is not declared by this topic "
                                  f"(known: {sorted({*BUILTIN_FUNCTIONS, *self.setting.functions})})")
        return meaning

    def diff(self, f: sp.Expr, v: sp.Symbol) -> sp.Expr:
        """``df/dv`` with every ``dL/dy_mn`` replaced by ``g_mn``."""
        key = (f, v)
        if key not in self._derivatives:
            derivative = sp.diff(f, v).replace(lambda e: isinstance(e, sp.Subs) and self._of_loss(e),
                                               self._g_of)
            # Through an undefined f, SymPy differentiates L by the applied f(z) itself: dL/d f(z_mn).
            derivative = derivative.replace(lambda e: isinstance(e, sp.Derivative) and self._of_loss(e),
                                            self._g_of_direct)
            if any(not self._of_declared(d) for d in derivative.atoms(sp.Derivative, sp.Subs)):
                raise TexMeaningError(f"unmapped derivative left in d({f})/d({v})")
            self._derivatives[key] = derivative
        return self._derivatives[key]

    def gradient_through(self, of: str, by: str, where: str) -> sp.ImmutableMatrix:
        """``d(of)/d(by)`` for a scalar output ``of`` computed from an earlier output matrix ``by``: the chain
        rule's meaning of a derivative by an intermediate value. The forward pass is computed again from
        ``by`` on, with ``by`` replaced by fresh symbols; ``of`` is differentiated by those, and each fresh
        symbol is then replaced by the entry of ``by`` it stands for."""
        names = [o.name for o in self.setting.forward]
        if by not in names or of not in names or names.index(of) <= names.index(by):
            raise TexMeaningError(f"step {where}: d{of}/d{by} needs an output {of} computed from the "
                                  f"output {by}")
        if (of, by) not in self._through:
            cut = self.values[by]
            if not isinstance(cut, sp.MatrixBase):
                raise TexMeaningError(f"step {where}: {by} is not a matrix")
            fresh = sp.ImmutableMatrix(cut.rows, cut.cols, lambda r, c: sp.Symbol(
                f"{by}.{r + 1}.{c + 1}", **_assumptions(cut[r, c])))
            namespace: dict[str, object] = {**self.sizes, **self.labels,
                                            **{m.name: self.values[m.name] for m in self.setting.symbols}}
            for output in self.setting.forward:
                namespace[output.name] = fresh if output.name == by else (
                    self.values[output.name] if names.index(output.name) < names.index(by)
                    else _call(output.of, namespace, output.name))
            value = namespace[of]
            if isinstance(value, sp.MatrixBase):
                raise TexMeaningError(f"step {where}: d{of}/d{by} differentiates a matrix {of}")
            back = dict(zip(fresh, cut, strict=True))
            # subs, not xreplace: through an undefined function, d ReLU(s)/ds becomes ReLU' at the entry.
            self._through[of, by] = fresh.applyfunc(lambda s: sp.diff(value, s).subs(back))
        return self._through[of, by]

    def _of_loss(self, e: sp.Subs | sp.Derivative) -> bool:
        """Whether ``e`` is a derivative of the loss: ``Subs(Derivative(L(..), xi), xi, y)`` or
        ``Derivative(L(..), y)``."""
        derivative = e.expr if isinstance(e, sp.Subs) else e
        return self.loss is not None and isinstance(derivative, sp.Derivative) and \
            derivative.expr.func == self.loss.func

    def _g_of_direct(self, derivative: sp.Derivative) -> sp.Symbol:
        """Map ``Derivative(L(y_11, ...), y_mn)``, taken at the output, to ``g_mn``."""
        assert self.setting.loss is not None and self.loss is not None
        gradient = self.values[self.setting.loss.gradient.name]
        (variable,) = derivative.variables
        if derivative.derivative_count != 1 or list(derivative.expr.args) != list(self.loss.args) or \
                variable not in self.loss.args:
            raise TexMeaningError(f"unexpected derivative {derivative}")
        return list(gradient)[list(self.loss.args).index(variable)]

    def _of_declared(self, derivative: sp.Expr) -> bool:
        """Whether a derivative SymPy leaves is of an undefined function the topic declared (``f'``)."""
        inner = derivative.expr if isinstance(derivative, sp.Subs) else derivative
        undefined = {f for f in self.setting.functions.values() if isinstance(f, UndefinedFunction)}
        return isinstance(inner, sp.Derivative) and inner.expr.func in undefined

    def differential(self, f: sp.Expr) -> sp.Expr:
        """The first-order change of ``f``: the sum over the variables ``v`` of ``df/dv`` times ``dv``, where
        the differential of a variable's entry ``x_2_3`` is the independent symbol ``dx_2_3``."""
        return sp.Add(*(self.diff(f, v) * sp.Symbol(f"d{v.name}")
                        for v in sorted(self.variables, key=lambda s: s.name) if v in f.free_symbols))

    def _g_of(self, subs: sp.Subs) -> sp.Symbol:
        """Map ``Subs(Derivative(L(..., xi, ...), xi), xi, y_mn)`` at the output to ``g_mn``."""
        assert self.setting.loss is not None and self.loss is not None
        derivative = subs.expr
        gradient = self.values[self.setting.loss.gradient.name]
        if not (isinstance(derivative, sp.Derivative) and derivative.expr.func == self.loss.func
                and derivative.derivative_count == 1):
            raise TexMeaningError(f"unexpected derivative {subs}")
        (variable,) = derivative.variables
        point = dict(zip(subs.variables, subs.point, strict=True))
        arguments = [point.get(a, a) for a in derivative.expr.args]
        if arguments != list(self.loss.args):
            raise TexMeaningError(f"derivative of the loss not taken at {self.setting.loss.of}: {subs}")
        return list(gradient)[derivative.expr.args.index(variable)]


def _assumptions(entry: sp.Expr) -> dict[str, bool]:
    """A fresh symbol standing for ``entry`` is real when ``entry`` is, so ``ln(e^z) = z`` still holds."""
    return {"real": True} if entry.is_real else {}


def _call(function: Callable[..., Value], namespace: Mapping[str, object], name: str) -> Value:
    """Call a forward definition with the values its parameters name."""
    wanted = list(inspect.signature(function).parameters)
    missing = [p for p in wanted if p not in namespace]
    if missing:
        raise ValueError(f"the definition of {name} names {missing}, which are not declared before it")
    return function(**{p: namespace[p] for p in wanted})


@functools.cache
def world(setting: Setting, sizes: tuple[int, ...]) -> World:
    """The cached :class:`World` of ``setting`` for concrete ``sizes`` (in the order of its size letters)."""
    return World.build(setting, tuple(sizes))
