r"""Translate the restricted TeX of the derivation steps on the fully-connected-layer page into SymPy.

The translator is a tokenizer, a small recursive-descent parser that builds an AST, and an evaluator
that turns the AST into SymPy values for concrete sizes ``(M, D, N)`` and concrete index values.
It knows exactly the TeX the step formulas use; anything else raises :class:`TexSyntaxError` naming
the step and the token. The only tokens it drops are the spacing macros ``\,`` and ``\;`` and the
contents of ``\vphantom{...}`` (layout only); ``\quad``/``\qquad`` separate clauses.

Grammar (``|`` alternatives, ``*`` repetition, ``[...]`` optional)::

    display   := clause ([","] ("\quad" | "\qquad") clause)*
    clause    := aligned | condition | chain
    aligned   := "\begin{aligned}" expr ["&"] ("=" expr)* ("\\" "&" "=" expr ("=" expr)*)* "\end{aligned}"
    condition := "(" relation ("," relation)* ")"          relation := expr ("\ne" | "=") expr
    chain     := expr ("=" expr)+
    expr      := sum [ "\times" sum ]                       a \times b is a shape (rows, cols)
    sum       := product (("+" | "-") product)*
    product   := factor (["\cdot"] factor)*                 juxtaposition is multiplication
    factor    := "\sum" "_{" letter "=" index "}" "^" index product     the body is the rest of the product
               | "\frac{\partial" expr "}{\partial" expr "}"
               | primary postfix*
    primary   := number | letter | "\delta" subscript | "(" expr ")" | bmatrix [side-labels]
               | "\underset{\substack{\uparrow \\ label}}{" bmatrix "}"
    postfix   := subscript | "^{\mathsf T}"
    subscript := "_" (index | "{" index+ "}" | "{" index ("," index)* "}")
    index     := one letter | one digit | ":"
    bmatrix   := "\begin{bmatrix}" cell ("&" cell)* ("\\" cell ("&" cell)*)* "\end{bmatrix}"
    cell      := expr | "\cdots" | "\vdots" | "\ddots" | (empty)
    side-labels := "\begin{matrix}" row ("\\" row)* "\end{matrix}"
    row       := ("\vphantom{...}" | "\leftarrow" label)*
    label     := (\text{...} | index)*  with exactly one index outside \text

Meaning of the symbols (sizes ``M, D, N``; all indices one-based):
``x_{ij}``, ``w_{ij}``, ``g_{mn}`` are the symbols ``x_i_j``, ``w_i_j``, ``g_m_n``; ``y_{mn}`` is the
entry ``(XW)_{mn}`` as an expression in them; ``X, W, G, Y`` are the matrices; ``L`` is an undefined
function ``L(y_11, ..., y_MN)`` of all entries of ``Y``; ``M, D, N`` are the sizes; ``\delta_{ab}`` is the
Kronecker delta; ``^{\mathsf T}`` transposes; ``A_{i,:}`` and ``A_{:,j}`` are a row and a column; a product
of matrices is the matrix product. ``\frac{\partial F}{\partial v}`` differentiates with SymPy, with the
layout convention for a matrix ``F`` or a matrix ``v``, and every ``dL/dy_mn`` that SymPy produces (a
``Subs`` object) becomes ``g_mn``. Bare lowercase letters are allowed only as indices and in conditions.

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

A 1x1 matrix is identified with its entry when compared (see ``agree``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeAlias

import sympy as sp

SIZE_LETTERS = ("M", "D", "N")
ENTRY_BASES = {"x": "X", "w": "W", "y": "Y", "g": "G"}
MATRIX_NAMES = ("X", "W", "Y", "G")
LOSS_NAME = "L"
KNOWN_MACROS = frozenset({
    r"\frac", r"\partial", r"\sum", r"\delta", r"\mathsf", r"\cdots", r"\vdots", r"\ddots",
    r"\underset", r"\substack", r"\leftarrow", r"\uparrow", r"\vphantom", r"\quad", r"\qquad",
    r"\ne", r"\times", r"\cdot", r"\begin", r"\end", r"\text", "\\\\",
})
DROPPED_MACROS = frozenset({r"\,", r"\;"})
ENVIRONMENTS = frozenset({"aligned", "bmatrix", "matrix"})
PUNCTUATION = "{}_^&=(),:+-"
ELLIPSES = {r"\cdots": "cdots", r"\vdots": "vdots", r"\ddots": "ddots"}
ROW_WORDS = frozenset({"行", "row"})
COLUMN_WORDS = frozenset({"列", "column"})
ROW_BREAK = "\\\\"

_LEXEME = re.compile(
    r"(?P<space>\s+)|(?P<macro>\\[A-Za-z]+)|(?P<symbol>\\[^A-Za-z])|(?P<number>[0-9]+)"
    r"|(?P<letter>[A-Za-z])|(?P<punct>[{}_^&=(),:+\-])"
)
_ENV_NAME = re.compile(r"\s*\{([A-Za-z]+)\}")


class TexError(Exception):
    """Base class of translation errors."""


class TexSyntaxError(TexError):
    """The TeX uses syntax outside the supported grammar."""


class TexMeaningError(TexError):
    """The TeX is well formed but denotes nothing (an index out of range, a shape mismatch, ...)."""


# --------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One TeX token: ``kind`` is macro, begin, end, text, number, letter or punct."""

    kind: str
    value: str
    start: int
    end: int


def _snippet(tex: str, start: int, end: int) -> str:
    return " ".join(tex[max(0, start - 25):end + 25].split())


def _syntax_error(where: str, tex: str, start: int, end: int, message: str) -> TexSyntaxError:
    return TexSyntaxError(f"step {where}: {message} at offset {start}, near '{_snippet(tex, start, end)}'")


def _braced(tex: str, pos: int, where: str) -> tuple[str, int]:
    """Return the text inside the balanced braces that open at ``pos`` and the offset after them."""
    if pos >= len(tex) or tex[pos] != "{":
        raise _syntax_error(where, tex, pos, pos + 1, "expected '{'")
    depth = 0
    for k in range(pos, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[k], 0)
        if depth == 0:
            return tex[pos + 1:k], k + 1
    raise _syntax_error(where, tex, pos, pos + 1, "unbalanced '{'")


def tokenize(tex: str, where: str) -> list[Token]:
    r"""Split TeX into tokens; ``\,`` and ``\;`` are dropped, unknown macros and characters raise.

    >>> " ".join(t.value for t in tokenize(r"\sum_{k=1}^{D} x_{ik}\, w_{kj}", "doc"))
    '\\sum _ { k = 1 } ^ { D } x _ { i k } w _ { k j }'
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(tex):
        match = _LEXEME.match(tex, pos)
        if match is None:
            raise _syntax_error(where, tex, pos, pos + 1, f"unsupported character {tex[pos]!r}")
        kind, value, end = match.lastgroup or "", match.group(), match.end()
        if kind in ("macro", "symbol"):
            if value in DROPPED_MACROS:
                pos = end
                continue
            if value not in KNOWN_MACROS:
                raise _syntax_error(where, tex, pos, end, f"unsupported macro {value}")
            if value == r"\text":
                content, after = _braced(tex, _skip_space(tex, end), where)
                tokens.append(Token("text", content, pos, after))
                pos = after
                continue
            if value in (r"\begin", r"\end"):
                name = _ENV_NAME.match(tex, end)
                if name is None or name.group(1) not in ENVIRONMENTS:
                    raise _syntax_error(where, tex, pos, end + 12, f"unsupported environment after {value}")
                tokens.append(Token(value[1:], name.group(1), pos, name.end()))
                pos = name.end()
                continue
            kind = "macro"
        if kind != "space":
            tokens.append(Token(kind, value, pos, end))
        pos = end
    return tokens


def _skip_space(tex: str, pos: int) -> int:
    while pos < len(tex) and tex[pos].isspace():
        pos += 1
    return pos


# ------------------------------------------------------------------------------------------------ AST


class Node:
    """Base class of AST nodes."""


@dataclass(frozen=True)
class Num(Node):
    value: int


@dataclass(frozen=True)
class Letter(Node):
    name: str


@dataclass(frozen=True)
class Sub(Node):
    """``base_{indices}``; each index is one letter, one digit or ``:``."""

    base: Node
    indices: tuple[str, ...]


@dataclass(frozen=True)
class Transpose(Node):
    base: Node


@dataclass(frozen=True)
class Delta(Node):
    indices: tuple[str, ...]


@dataclass(frozen=True)
class Deriv(Node):
    """``\\frac{\\partial num}{\\partial den}``."""

    num: Node
    den: Node


@dataclass(frozen=True)
class Sum(Node):
    var: str
    lower: str
    upper: str
    body: Node


@dataclass(frozen=True)
class Prod(Node):
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Add(Node):
    terms: tuple[tuple[int, Node], ...]


@dataclass(frozen=True)
class ShapeOf(Node):
    """``rows \\times cols``."""

    rows: Node
    cols: Node


@dataclass(frozen=True)
class Label(Node):
    """A row label beside a matrix (``row`` is the literal row it sits on) or a column label under it."""

    axis: str
    index: str
    words: str
    row: int | None = None


Cell: TypeAlias = "Node | str"


@dataclass(frozen=True)
class MatrixLit(Node):
    """A ``bmatrix``; cells are nodes or one of ``cdots``, ``vdots``, ``ddots``, ``""`` (empty)."""

    rows: tuple[tuple[Cell, ...], ...]
    row_label: Label | None = None
    col_label: Label | None = None


@dataclass(frozen=True)
class Relation(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Condition(Node):
    relations: tuple[Relation, ...]
    source: str


@dataclass(frozen=True)
class Chain(Node):
    """``side = side = ...``, with the TeX source of each side for messages."""

    sides: tuple[Node, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Display(Node):
    clauses: tuple[Chain | Condition, ...]
    where: str


# --------------------------------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the token list; every token must be consumed by some rule."""

    def __init__(self, tex: str, where: str) -> None:
        self.tex = tex
        self.where = where
        self.tokens = tokenize(tex, where)
        self.pos = 0

    # -- token helpers
    def peek(self, ahead: int = 0) -> Token | None:
        k = self.pos + ahead
        return self.tokens[k] if k < len(self.tokens) else None

    def at(self, kind: str, *values: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == kind and (not values or token.value in values)

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of formula")
        self.pos += 1
        return token

    def expect(self, kind: str, value: str) -> Token:
        if not self.at(kind, value):
            raise self.error(f"expected {value!r}")
        return self.next()

    def error(self, message: str, token: Token | None = None) -> TexSyntaxError:
        token = token or self.peek()
        if token is None:
            return TexSyntaxError(f"step {self.where}: {message} at the end of the formula")
        message = f"{message}, found {token.value!r}"
        return _syntax_error(self.where, self.tex, token.start, token.end, message)

    def source(self, first: int) -> str:
        return self.tex[self.tokens[first].start:self.tokens[self.pos - 1].end].strip()

    # -- top level
    def display(self) -> Display:
        clauses = [self.clause()]
        while self.peek() is not None:
            if self.at("punct", ",") and self.at("macro", r"\quad", r"\qquad", ahead=1):
                self.next()
            if not self.at("macro", r"\quad", r"\qquad"):
                raise self.error("unexpected token")
            self.next()
            clauses.append(self.clause())
        return Display(tuple(clauses), self.where)

    def clause(self) -> Chain | Condition:
        if self.at("begin", "aligned"):
            return self.aligned()
        if self.at("punct", "(") and self._paren_holds_relation():
            return self.condition()
        return self.chain()

    def _paren_holds_relation(self) -> bool:
        depth = 0
        for token in self.tokens[self.pos:]:
            if token.kind == "punct" and token.value in "({":
                depth += 1
            elif token.kind == "punct" and token.value in ")}":
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and (token.value == r"\ne" or (token.value == "=" and token.kind == "punct")):
                return True
        return False

    def chain(self) -> Chain:
        sides, sources = [], []
        while True:
            first = self.pos
            sides.append(self.expr())
            sources.append(self.source(first))
            if not self.at("punct", "="):
                break
            self.next()
        if len(sides) < 2:
            raise self.error("expected '=' after the expression")
        return Chain(tuple(sides), tuple(sources))

    def aligned(self) -> Chain:
        self.expect("begin", "aligned")
        first = self.pos
        sides, sources = [self.expr()], [self.source(first)]
        ampersand = False
        while not self.at("end", "aligned"):
            if self.at("macro", ROW_BREAK):
                self.next()
                ampersand = False
                if not (self.at("punct", "&") and self.at("punct", "=", ahead=1)):
                    raise self.error("each continued row of an aligned block must start with '&='")
                continue
            if self.at("punct", "&") and not ampersand:
                self.next()
                ampersand = True
                if not self.at("punct", "="):
                    raise self.error("'&' must be followed by '='")
                continue
            self.expect("punct", "=")
            first = self.pos
            sides.append(self.expr())
            sources.append(self.source(first))
        self.next()
        if len(sides) < 2:
            raise self.error("an aligned block needs at least one '='")
        return Chain(tuple(sides), tuple(sources))

    def condition(self) -> Condition:
        first = self.pos
        self.expect("punct", "(")
        relations = [self.relation()]
        while self.at("punct", ","):
            self.next()
            relations.append(self.relation())
        self.expect("punct", ")")
        return Condition(tuple(relations), self.source(first))

    def relation(self) -> Relation:
        left = self.expr()
        if self.at("macro", r"\ne"):
            op = "ne"
        elif self.at("punct", "="):
            op = "eq"
        else:
            raise self.error(r"expected '\ne' or '=' in the condition")
        self.next()
        return Relation(op, left, self.expr())

    # -- expressions
    def expr(self) -> Node:
        left = self.sum()
        if self.at("macro", r"\times"):
            self.next()
            return ShapeOf(left, self.sum())
        return left

    def sum(self) -> Node:
        terms = [(1, self.product())]
        while self.at("punct", "+", "-"):
            sign = 1 if self.next().value == "+" else -1
            terms.append((sign, self.product()))
        return terms[0][1] if len(terms) == 1 else Add(tuple(terms))

    def _factor_starts(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("number", "letter"):
            return True
        if token.kind == "punct":
            return token.value == "("
        if token.kind == "begin":
            return token.value == "bmatrix"
        return token.kind == "macro" and token.value in (r"\frac", r"\sum", r"\delta", r"\underset")

    def product(self) -> Node:
        factors: list[Node] = []
        while True:
            if self.at("macro", r"\cdot"):
                if not factors:
                    raise self.error(r"'\cdot' without a left factor")
                self.next()
                if not self._factor_starts():
                    raise self.error(r"'\cdot' without a right factor")
            if not self._factor_starts():
                break
            factors.append(self.factor())
        if not factors and self.at("text"):
            raise self.error(r"\text{...} is allowed only in row and column labels")
        if not factors:
            raise self.error("expected an expression")
        return factors[0] if len(factors) == 1 else Prod(tuple(factors))

    def factor(self) -> Node:
        if self.at("macro", r"\sum"):
            return self.summation()
        if self.at("macro", r"\frac"):
            return self.derivative()
        node = self.primary()
        while self.at("punct", "_", "^"):
            if self.next().value == "_":
                node = Sub(node, self.subscript())
            else:
                self.transpose_mark()
                node = Transpose(node)
        return node

    def summation(self) -> Sum:
        self.expect("macro", r"\sum")
        self.expect("punct", "_")
        self.expect("punct", "{")
        var = self.next()
        if var.kind != "letter" or not var.value.islower():
            raise self.error("the summation variable must be a lowercase letter", var)
        self.expect("punct", "=")
        lower = self.index_item()
        self.expect("punct", "}")
        self.expect("punct", "^")
        if self.at("punct", "{"):
            self.next()
            upper = self.index_item()
            self.expect("punct", "}")
        else:
            upper = self.index_item()
        return Sum(var.value, lower, upper, self.product())

    def derivative(self) -> Deriv:
        self.expect("macro", r"\frac")
        parts = []
        for _ in range(2):
            self.expect("punct", "{")
            if not self.at("macro", r"\partial"):
                raise self.error(r"only derivative fractions \frac{\partial F}{\partial v} are supported")
            self.next()
            parts.append(self.expr())
            self.expect("punct", "}")
        return Deriv(parts[0], parts[1])

    def primary(self) -> Node:
        token = self.peek()
        assert token is not None
        if token.kind == "number":
            return Num(int(self.next().value))
        if token.kind == "letter":
            return Letter(self.next().value)
        if token.value == r"\delta":
            self.next()
            self.expect("punct", "_")
            return Delta(self.subscript())
        if token.value == "(":
            self.next()
            inner = self.expr()
            self.expect("punct", ")")
            return inner
        if token.value == r"\underset":
            return self.underset()
        literal = self.bmatrix()
        if self.at("begin", "matrix"):
            return MatrixLit(literal.rows, row_label=self.side_labels(len(literal.rows)))
        return literal

    def index_item(self) -> str:
        token = self.next()
        if token.kind == "letter" or (token.kind == "number" and len(token.value) == 1):
            return token.value
        raise self.error("expected one index letter or digit", token)

    def subscript(self) -> tuple[str, ...]:
        if not self.at("punct", "{"):
            return (self.index_item(),)
        self.next()
        groups: list[list[str]] = [[]]
        while not self.at("punct", "}"):
            token = self.next()
            if token.kind == "punct" and token.value == ",":
                groups.append([])
            elif token.kind == "letter" or (token.kind == "punct" and token.value == ":"):
                groups[-1].append(token.value)
            elif token.kind == "number":
                groups[-1].extend(token.value)
            else:
                raise self.error("unsupported token in a subscript", token)
        self.next()
        if len(groups) == 1:
            items = tuple(groups[0])
        elif all(len(group) == 1 for group in groups):
            items = tuple(group[0] for group in groups)
        else:
            raise self.error("comma-separated subscripts need exactly one index per part")
        if not items:
            raise self.error("empty subscript")
        return items

    def transpose_mark(self) -> None:
        r"""The superscript ``{\mathsf T}`` (or ``{\mathsf{T}}``), the only one outside ``\sum``."""
        expected = [("punct", "{"), ("macro", r"\mathsf"), ("letter", "T"), ("punct", "}")]
        if self.at("punct", "{", ahead=2):
            expected[2:3] = [("punct", "{"), ("letter", "T"), ("punct", "}")]
        for kind, value in expected:
            if not self.at(kind, value):
                raise self.error(r"the only supported superscript is {\mathsf T}")
            self.next()

    def bmatrix(self) -> MatrixLit:
        self.expect("begin", "bmatrix")
        rows: list[list[Cell]] = [[]]
        while True:
            rows[-1].append(self.cell())
            if self.at("punct", "&"):
                self.next()
            elif self.at("macro", ROW_BREAK):
                self.next()
                rows.append([])
            else:
                self.expect("end", "bmatrix")
                break
        if rows[-1] == [""] and len(rows) > 1:
            rows.pop()
        if len({len(row) for row in rows}) != 1:
            raise self.error("the rows of the matrix have different numbers of cells")
        return MatrixLit(tuple(tuple(row) for row in rows))

    def cell(self) -> Cell:
        if self.at("punct", "&") or self.at("macro", ROW_BREAK) or self.at("end", "bmatrix"):
            return ""
        if self.at("macro", *ELLIPSES):
            return ELLIPSES[self.next().value]
        return self.expr()

    def side_labels(self, rows: int) -> Label | None:
        self.expect("begin", "matrix")
        label: Label | None = None
        row = 0
        while not self.at("end", "matrix"):
            if self.at("macro", ROW_BREAK):
                self.next()
                row += 1
            elif self.at("macro", r"\vphantom"):
                self.next()
                self.skip_group()
            elif self.at("macro", r"\leftarrow"):
                if label is not None:
                    raise self.error("more than one row label")
                self.next()
                label = self.label("row", row, stop=(r"\vphantom", ROW_BREAK))
            else:
                raise self.error(r"a side label column may hold only \vphantom and \leftarrow labels")
        end = self.next()
        if row + 1 != rows:
            raise self.error(f"the side label column has {row + 1} rows but the matrix has {rows}", end)
        return label

    def skip_group(self) -> None:
        """Skip a braced group (the argument of ``\\vphantom``, which only reserves height)."""
        self.expect("punct", "{")
        depth = 1
        while depth:
            token = self.next()
            if token.kind == "punct" and token.value in "{}":
                depth += 1 if token.value == "{" else -1

    def underset(self) -> MatrixLit:
        self.expect("macro", r"\underset")
        self.expect("punct", "{")
        self.expect("macro", r"\substack")
        self.expect("punct", "{")
        self.expect("macro", r"\uparrow")
        self.expect("macro", ROW_BREAK)
        label = self.label("column", None, stop=())
        self.expect("punct", "}")
        self.expect("punct", "}")
        self.expect("punct", "{")
        literal = self.bmatrix()
        self.expect("punct", "}")
        return MatrixLit(literal.rows, col_label=label)

    def label(self, axis: str, row: int | None, stop: tuple[str, ...]) -> Label:
        texts, items, first = [], [], self.peek()
        while not (self.at("end", "matrix") or self.at("punct", "}") or self.at("macro", *stop)):
            token = self.next()
            if token.kind == "text":
                texts.append(token.value)
            elif token.kind in ("letter", "number"):
                items.append(token.value)
            else:
                raise self.error("unsupported token in a label", token)
        if len(items) != 1:
            raise self.error(f"a label needs exactly one index outside \\text, found {items}", first)
        words = "".join("".join(texts).replace("第", "").split()).lower()
        allowed = ROW_WORDS if axis == "row" else COLUMN_WORDS
        if words not in allowed:
            raise TexMeaningError(
                f"step {self.where}: a {axis} label must say one of {sorted(allowed)}, says {words!r}")
        return Label(axis, items[0], words, row)


def parse(tex: str, where: str) -> Display:
    r"""Parse one step formula; ``where`` (the step id) is named in every error.

    >>> parse(r"\frac{\partial y_{mn}}{\partial x_{ij}} = 0 \quad (m \ne i)", "doc").clauses[1].source
    '(m \\ne i)'
    """
    parser = _Parser(tex, where)
    if parser.peek() is None:
        raise TexSyntaxError(f"step {where}: empty formula")
    return parser.display()


def tokens_without_text(tex: str, where: str) -> list[tuple[str, str]]:
    r"""The token stream without ``\text{...}`` tokens, for comparing pages in different languages."""
    return [(t.kind, t.value) for t in tokenize(tex, where) if t.kind != "text"]


# ----------------------------------------------------------------------------------------------- world


@dataclass(frozen=True)
class Shape:
    """The value of ``rows \\times cols``."""

    rows: int
    cols: int

    def __str__(self) -> str:
        return f"{self.rows}x{self.cols}"


Value: TypeAlias = "sp.Expr | sp.ImmutableMatrix | Shape"


def _symbols(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(rows, cols, lambda r, c: sp.Symbol(f"{name}_{r + 1}_{c + 1}"))


@dataclass(frozen=True, eq=False)
class World:
    """The page's setting for concrete sizes: the symbol matrices, ``Y = XW`` and the loss ``L(Y)``."""

    sizes: Mapping[str, int]
    matrices: Mapping[str, sp.ImmutableMatrix]
    loss: sp.Expr
    loss_function: sp.FunctionClass
    variables: frozenset[sp.Symbol]
    _derivatives: dict[tuple[sp.Expr, sp.Symbol], sp.Expr] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, M: int, D: int, N: int) -> World:
        """The world for sizes ``(M, D, N)``; ``Y`` is the SymPy matrix product of ``X`` and ``W``."""
        X, W, G = _symbols("x", M, D), _symbols("w", D, N), _symbols("g", M, N)
        Y = X * W
        L = sp.Function(LOSS_NAME)
        return cls({"M": M, "D": D, "N": N}, {"X": X, "W": W, "G": G, "Y": Y}, L(*Y), L,
                   frozenset(X) | frozenset(W))

    def entry(self, base: str, row: int, col: int, where: str) -> sp.Expr:
        """The entry ``base_{row, col}`` (one-based), with a range check."""
        matrix = self.matrices[ENTRY_BASES[base]]
        if not (1 <= row <= matrix.rows and 1 <= col <= matrix.cols):
            raise TexMeaningError(f"step {where}: {base}_{{{row},{col}}} is out of range for "
                                  f"{ENTRY_BASES[base]} of shape {matrix.rows}x{matrix.cols}")
        return matrix[row - 1, col - 1]

    def diff(self, f: sp.Expr, v: sp.Symbol) -> sp.Expr:
        """``df/dv`` with every ``dL/dy_mn`` replaced by ``g_mn``."""
        key = (f, v)
        if key not in self._derivatives:
            derivative = sp.diff(f, v).replace(lambda e: isinstance(e, sp.Subs), self._g_of)
            if derivative.has(sp.Derivative, sp.Subs):
                raise TexMeaningError(f"unmapped derivative left in d({f})/d({v})")
            self._derivatives[key] = derivative
        return self._derivatives[key]

    def _g_of(self, subs: sp.Subs) -> sp.Symbol:
        """Map ``Subs(Derivative(L(..., xi, ...), xi), xi, y_mn)`` at ``Y`` to ``g_mn``."""
        derivative = subs.expr
        Y, G = self.matrices["Y"], self.matrices["G"]
        if not (isinstance(derivative, sp.Derivative) and derivative.expr.func == self.loss_function
                and derivative.derivative_count == 1):
            raise TexMeaningError(f"unexpected derivative {subs}")
        (variable,) = derivative.variables
        point = dict(zip(subs.variables, subs.point, strict=True))
        arguments = [point.get(a, a) for a in derivative.expr.args]
        if arguments != list(Y):
            raise TexMeaningError(f"derivative of L not evaluated at Y: {subs}")
        m, n = divmod(derivative.expr.args.index(variable), Y.cols)
        return G[m, n]


@functools.cache
def world(M: int, D: int, N: int) -> World:
    """The cached :class:`World` for sizes ``(M, D, N)``."""
    return World.build(M, D, N)


# ------------------------------------------------------------------------------------------ evaluator


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
        return sp.expand(a.value - b.value) == 0
    return a == b


def _varying(a: Entry | Const, b: Entry | Const) -> int | None:
    """The position of the one index in which two entries of the same matrix differ, else ``None``."""
    if not (isinstance(a, Entry) and isinstance(b, Entry)) or a.base != b.base:
        return None
    differing = [k for k, (u, v) in enumerate(zip(a.index, b.index, strict=True)) if u != v]
    return differing[0] if len(differing) == 1 else None


def _is_matrix(value: object) -> bool:
    return isinstance(value, sp.MatrixBase)


def agree(a: Value, b: Value) -> bool:
    """Whether two values are equal: shapes exactly, matrices entrywise, a 1x1 matrix as its entry."""
    if isinstance(a, Shape) or isinstance(b, Shape):
        return a == b
    a, b = (v[0, 0] if _is_matrix(v) and v.shape == (1, 1) else v for v in (a, b))
    if _is_matrix(a) != _is_matrix(b):
        return False
    if _is_matrix(a):
        return a.shape == b.shape and all(sp.expand(u - v) == 0 for u, v in zip(a, b, strict=True))
    return sp.expand(a - b) == 0


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
        if item in SIZE_LETTERS:
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
        result = True
        for relation in condition.relations:
            left, right = (self._index_node(side) for side in (relation.left, relation.right))
            result &= (left != right) if relation.op == "ne" else (left == right)
        return result

    def _index_node(self, node: Node) -> int:
        if isinstance(node, Letter):
            return self.integer(node.name)
        if isinstance(node, Num):
            return node.value
        raise self.error(f"a condition compares index letters or numbers, not {node}")

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
            case Delta(indices):
                if len(indices) != 2:
                    raise self.error("delta needs two indices")
                return sp.Integer(int(self.integer(indices[0]) == self.integer(indices[1])))
            case Deriv(num, den):
                return self._derivative(num, den)
            case Sum():
                return self._sum(node)
            case Prod(factors):
                return functools.reduce(self._multiply, (self.evaluate(f) for f in factors))
            case Add(terms):
                values = [self._scaled(sign, self.evaluate(term)) for sign, term in terms]
                return functools.reduce(self._add, values)
            case ShapeOf(rows, cols):
                return Shape(self._size(rows), self._size(cols))
            case MatrixLit():
                return self._matrix(node, shape)
        raise self.error(f"{type(node).__name__} is not an expression")

    def _letter(self, name: str) -> Value:
        if name in MATRIX_NAMES:
            return self.world.matrices[name]
        if name == LOSS_NAME:
            return self.world.loss
        if name in SIZE_LETTERS:
            return sp.Integer(self.world.sizes[name])
        raise self.error(f"bare letter {name} has no meaning outside a subscript or condition")

    def _size(self, node: Node) -> int:
        value = self.evaluate(node)
        if not isinstance(value, sp.Integer):
            raise self.error(r"the operands of \times must be sizes")
        return int(value)

    def _subscript(self, base: Node, indices: tuple[str, ...]) -> Value:
        if isinstance(base, Letter) and base.name in ENTRY_BASES:
            if len(indices) != 2:
                raise self.error(f"{base.name} needs two indices, got {indices}")
            return self.world.entry(base.name, self.integer(indices[0]), self.integer(indices[1]), self.where)
        if isinstance(base, Letter) and base.name.islower():
            raise self.error(f"unknown indexed symbol {base.name}")
        value = self.evaluate(base)
        if not _is_matrix(value) or len(indices) != 2:
            raise self.error("only a matrix can be indexed, with two indices")
        row, col = (self.index(item) for item in indices)
        for k, limit in ((row, value.rows), (col, value.cols)):
            if k is not None and not 1 <= k <= limit:
                raise self.error(f"index {k} out of range for a {value.rows}x{value.cols} matrix")
        rows = slice(None) if row is None else slice(row - 1, row)
        cols = slice(None) if col is None else slice(col - 1, col)
        part = value[rows, cols]
        return part[0, 0] if row is not None and col is not None else sp.ImmutableMatrix(part)

    def _derivative(self, num: Node, den: Node) -> Value:
        f, v = self.evaluate(num), self.evaluate(den)
        if _is_matrix(v):
            if _is_matrix(f) or not all(s in self.world.variables for s in v):
                raise self.error("can differentiate only a scalar with respect to the matrix X or W")
            return v.applyfunc(lambda s: self.world.diff(f, s))
        if v not in self.world.variables:
            raise self.error(f"cannot differentiate with respect to {v}: not an entry of X or W")
        if _is_matrix(f):
            return f.applyfunc(lambda e: self.world.diff(e, v))
        if isinstance(f, Shape):
            raise self.error("cannot differentiate a shape")
        return self.world.diff(f, v)

    def _sum(self, node: Sum) -> Value:
        if node.var in self.env or node.var in SIZE_LETTERS:
            raise self.error(f"summation variable {node.var} shadows a bound letter")
        total: Value | None = None
        for k in range(self.integer(node.lower), self.integer(node.upper) + 1):
            value = Evaluator(self.world, {**self.env, node.var: k}, self.where).evaluate(node.body)
            total = value if total is None else self._add(total, value)
        return sp.Integer(0) if total is None else total

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
        if isinstance(a, Shape) or isinstance(b, Shape) or _is_matrix(a) != _is_matrix(b) or (
                _is_matrix(a) and a.shape != b.shape):
            raise self.error("cannot add values of different kinds or shapes")
        return a + b

    def _scaled(self, sign: int, value: Value) -> Value:
        if isinstance(value, Shape):
            raise self.error("cannot negate a shape")
        return value if sign == 1 else -value

    # -- schematic matrices
    def _cell(self, cell: Cell) -> Entry | Const:
        if isinstance(cell, Sub) and isinstance(cell.base, Letter) and cell.base.name in ENTRY_BASES:
            return Entry(cell.base.name, tuple(self.integer(item) for item in cell.indices))
        assert isinstance(cell, Node)
        value = self.evaluate(cell)
        if _is_matrix(value) or isinstance(value, Shape):
            raise self.error("a matrix cell must be a scalar")
        return Const(value)

    def _materialize(self, cell: Entry | Const) -> sp.Expr:
        if isinstance(cell, Const):
            return cell.value
        if len(cell.index) != 2:
            raise self.error(f"{cell} needs two indices")
        return self.world.entry(cell.base, *cell.index, self.where)

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
