r"""Parse the restricted TeX of derivation steps into an abstract syntax tree.

The parser is a tokenizer and a small recursive-descent parser; it knows exactly the TeX that step
formulas use, and anything else raises :class:`TexSyntaxError` naming the step and the token. The
only tokens it drops are the spacing macros ``\,`` and ``\;`` and the contents of ``\vphantom{...}``
(layout only); ``\quad``/``\qquad`` separate clauses. What the tree means is the business of
:mod:`derivations.steps.evaluate`; nothing here knows any topic's letters.

Grammar (``|`` alternatives, ``*`` repetition, ``[...]`` optional)::

    display   := clause ([","] ("\quad" | "\qquad") clause)*
    clause    := aligned | condition | chain
    aligned   := "\begin{aligned}" expr ["&"] ("=" expr)* ("\\" "&" "=" expr ("=" expr)*)* "\end{aligned}"
    condition := "(" relation ("," relation)* ")"          relation := expr ("\ne" | "=") expr
    chain     := expr ("=" expr)+
    expr      := sum [ "\times" sum ]                       a \times b is a shape (rows, cols)
    sum       := ["-"] hadamard (("+" | "-") hadamard)*
    hadamard  := product ("\odot" product)*                 element-wise; binds looser than juxtaposition
    product   := factor (["\cdot"] factor)*                 juxtaposition is multiplication
    factor    := "\sum" "_{" letter "=" index "}" "^" index product     the body is the rest of the product
               | "\frac{\partial" expr "}{\partial" expr "}"           a derivative
               | "\frac{" expr "}{" expr "}"                           a quotient (no \partial in either part)
               | "\mathrm{d}" primary postfix*                           a differential: dX, dx_{ij}
               | primary postfix*
    primary   := number | letter | "\delta" subscript | "(" expr ")" | bmatrix [side-labels]
               | "\langle" expr "," expr "\rangle"                      the Frobenius inner product
               | "\underset{\substack{\uparrow \\ label}}{" bmatrix "}"
               | function ["'"] "(" expr ("," expr)* ")"           \sigma(z_{ij}), \max(0, z_{ij}), \sigma'(Z)
               | letter "'" "(" expr ("," expr)* ")"               f'(z_{ij}), the derivative of a declared f
               | "\mathbf{1}" ["_" index]                               a column of ones
               | ["\mathbb{1}"] "[" (relation | comparison) "]"         an Iverson bracket: 1 or 0
    comparison:= expr (">" | "<" | "\ge" | "\le") expr                  of values: [z_{ij} > 0], [Z > 0]
    function  := "\sigma" | "\tanh" | "\exp" | "\ln" | "\max" | "\Phi" | "\varphi"
               | "\operatorname{" letters "}"
    postfix   := subscript | "^{\mathsf T}" | "^" digit | "^{" number "}"      a transpose or a power
    letter    := one of A-Z a-z | "\hat{" one of A-Z a-z "}"                   \hat{y} is the letter ŷ
    subscript := "_" (index | "{" index+ "}" | "{" index ("," index)* "}")
    index     := one letter | one digit | ":"
    bmatrix   := "\begin{bmatrix}" cell ("&" cell)* ("\\" cell ("&" cell)*)* "\end{bmatrix}"
    cell      := expr | "\cdots" | "\vdots" | "\ddots" | (empty)        not every cell of a matrix empty
    side-labels := "\begin{matrix}" row ("\\" row)* "\end{matrix}"
    row       := ("\vphantom{...}" | "\leftarrow" label)*
    label     := (\text{...} | index)*  with exactly one index outside \text
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TypeAlias

FUNCTION_MACROS = {r"\sigma": "sigma", r"\tanh": "tanh", r"\exp": "exp", r"\ln": "ln", r"\max": "max",
                   r"\Phi": "Phi", r"\varphi": "varphi"}
# Comparisons of values, allowed only inside an Iverson bracket.
COMPARISONS = {">": "gt", "<": "lt", r"\ge": "ge", r"\geq": "ge", r"\le": "le", r"\leq": "le"}
KNOWN_MACROS = frozenset({
    r"\frac", r"\partial", r"\sum", r"\delta", r"\mathsf", r"\cdots", r"\vdots", r"\ddots",
    r"\underset", r"\substack", r"\leftarrow", r"\uparrow", r"\vphantom", r"\quad", r"\qquad",
    r"\ne", r"\times", r"\cdot", r"\odot", r"\begin", r"\end", r"\text", r"\operatorname",
    r"\mathbf", r"\mathbb", r"\hat", r"\mathrm", r"\langle", r"\rangle", "\\\\",
    r"\ge", r"\geq", r"\le", r"\leq",
    *FUNCTION_MACROS,
})
DROPPED_MACROS = frozenset({r"\,", r"\;"})
ENVIRONMENTS = frozenset({"aligned", "bmatrix", "matrix"})
# \mathbf, \mathbb and \mathrm take exactly this argument: the vector of ones, the indicator and the
# upright d of a differential.
FONT_TOKENS = {r"\mathbf": ("1", "ones"), r"\mathbb": ("1", "indicator"), r"\mathrm": ("d", "differential")}
ELLIPSES = {r"\cdots": "cdots", r"\vdots": "vdots", r"\ddots": "ddots"}
ROW_WORDS = frozenset({"行", "row"})
COLUMN_WORDS = frozenset({"列", "column"})
ROW_BREAK = "\\\\"

_LEXEME = re.compile(
    r"(?P<space>\s+)|(?P<macro>\\[A-Za-z]+)|(?P<symbol>\\[^A-Za-z])|(?P<number>[0-9]+)"
    r"|(?P<letter>[A-Za-z])|(?P<punct>[{}_^&=(),:+\-\[\]'<>])"
)
_ENV_NAME = re.compile(r"\s*\{([A-Za-z]+)\}")
_FUNCTION_NAME = re.compile(r"[A-Za-z]+")


class TexError(Exception):
    """Base class of translation errors."""


class TexSyntaxError(TexError):
    """The TeX uses syntax outside the supported grammar."""


class TexMeaningError(TexError):
    """The TeX is well formed but denotes nothing (an index out of range, a shape mismatch, ...)."""


# --------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One TeX token: ``kind`` is macro, begin, end, text, function, ones, indicator, differential, number,
    letter or punct; a function's ``value`` is its name (``sigma`` for ``\\sigma``, ``erf`` for
    ``\\operatorname{erf}``)."""

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
            if value == r"\operatorname":
                name, after = _braced(tex, _skip_space(tex, end), where)
                if not _FUNCTION_NAME.fullmatch(name):
                    raise _syntax_error(where, tex, pos, after, f"unsupported operator name {name!r}")
                tokens.append(Token("function", name, pos, after))
                pos = after
                continue
            if value == r"\hat":
                content, after = _braced(tex, _skip_space(tex, end), where)
                if not re.fullmatch(r"[A-Za-z]", content.strip()):
                    raise _syntax_error(where, tex, pos, after,
                                        f"unsupported \\hat{{{content}}}: only a single letter wears a hat")
                tokens.append(Token("letter", unicodedata.normalize("NFC", content.strip() + "\u0302"), pos,
                                    after))
                pos = after
                continue
            if value in FONT_TOKENS:
                content, after = _braced(tex, _skip_space(tex, end), where)
                expected, kind = FONT_TOKENS[value]
                if content.strip() != expected:
                    raise _syntax_error(where, tex, pos, after,
                                        f"unsupported {value}{{{content}}}: only {value}{{{expected}}}")
                tokens.append(Token(kind, f"{value}{{{expected}}}", pos, after))
                pos = after
                continue
            if value in FUNCTION_MACROS:
                tokens.append(Token("function", FUNCTION_MACROS[value], pos, end))
                pos = end
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
class Power(Node):
    """``base^{n}`` for a positive integer ``n``."""

    base: Node
    exponent: int


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
class Hadamard(Node):
    """``a \\odot b \\odot ...``: the element-wise product."""

    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Frac(Node):
    """``\\frac{num}{den}`` without ``\\partial``: a quotient."""

    num: Node
    den: Node


@dataclass(frozen=True)
class Apply(Node):
    """A function applied to arguments: ``\\sigma(z_{ij})`` is ``Apply("sigma", (z_{ij},))``; its derivative
    ``\\sigma'(z_{ij})`` is ``Apply("sigma'", ...)``, and ``f'(z_{ij})`` is ``Apply("f'", ...)``."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Ones(Node):
    """``\\mathbf{1}``, a column of ones; ``length`` is the index item of ``\\mathbf{1}_{M}`` or ``None``."""

    length: str | None


@dataclass(frozen=True)
class Inner(Node):
    """``\\langle A, B \\rangle``: the Frobenius inner product, the sum of ``a_ij b_ij``."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Differential(Node):
    """``\\mathrm{d}`` applied to the factor after it: ``\\mathrm{d}X`` is ``dX``, ``\\mathrm{d}x_{ij}`` is
    ``dx_ij``; ``\\mathrm{d}X\\, W`` is ``(dX) W``."""

    base: Node


@dataclass(frozen=True)
class Iverson(Node):
    """``[a = b]`` or ``\\mathbb{1}[a \\ne b]`` of indices, or ``[z_{ij} > 0]`` of values: 1 where the
    relation holds, else 0."""

    relation: Relation


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
            if token.kind == "punct" and token.value in "({[":
                depth += 1
            elif token.kind == "punct" and token.value in ")}]":
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
        sign = 1
        if self.at("punct", "-"):
            self.next()
            sign = -1
        terms = [(sign, self.hadamard())]
        while self.at("punct", "+", "-"):
            sign = 1 if self.next().value == "+" else -1
            terms.append((sign, self.hadamard()))
        return terms[0][1] if terms == [(1, terms[0][1])] else Add(tuple(terms))

    def hadamard(self) -> Node:
        factors = [self.product()]
        while self.at("macro", r"\odot"):
            self.next()
            factors.append(self.product())
        return factors[0] if len(factors) == 1 else Hadamard(tuple(factors))

    def _factor_starts(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("number", "letter", "function", "ones", "indicator", "differential"):
            return True
        if token.kind == "punct":
            return token.value in ("(", "[")
        if token.kind == "begin":
            return token.value == "bmatrix"
        return token.kind == "macro" and token.value in (
            r"\frac", r"\sum", r"\delta", r"\underset", r"\langle")

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
        if self.at("text"):
            raise self.error(r"\text{...} is allowed only in row and column labels")
        if not factors:
            raise self.error("expected an expression")
        return factors[0] if len(factors) == 1 else Prod(tuple(factors))

    def factor(self) -> Node:
        if self.at("macro", r"\sum"):
            return self.summation()
        if self.at("macro", r"\frac"):
            return self.fraction()
        if self.at("differential"):
            self.next()
            if not self._factor_starts() or self.at("differential") or self.at("macro", r"\sum", r"\frac"):
                raise self.error(r"\mathrm{d} must be followed by what it is the differential of, such as X "
                                 r"or x_{ij}")
            return Differential(self.postfixed(self.primary()))
        return self.postfixed(self.primary())

    def postfixed(self, node: Node) -> Node:
        """A primary with its subscripts and transpose marks."""
        while self.at("punct", "_", "^"):
            if self.next().value == "_":
                node = Sub(node, self.subscript())
            elif self.at("number") or (self.at("punct", "{") and self.at("number", ahead=1)):
                node = Power(node, self.exponent())
            else:
                self.transpose_mark()
                node = Transpose(node)
        return node

    def exponent(self) -> int:
        """The ``n`` of ``^{n}`` (or ``^n`` for one digit): a positive integer."""
        braced = self.at("punct", "{")
        if braced:
            self.next()
        token = self.next()
        if token.kind != "number" or (not braced and len(token.value) != 1) or int(token.value) < 1:
            raise self.error("a power needs a positive integer exponent, ^2 or ^{12}", token)
        if braced:
            self.expect("punct", "}")
        return int(token.value)

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

    def fraction(self) -> Deriv | Frac:
        r"""A derivative ``\frac{\partial F}{\partial v}`` or a quotient ``\frac{a}{b}``, never a mix."""
        self.expect("macro", r"\frac")
        derivative = self.at("macro", r"\partial", ahead=1)
        parts = []
        for _ in range(2):
            self.expect("punct", "{")
            if self.at("macro", r"\partial") != derivative:
                raise self.error(r"a derivative \frac{\partial F}{\partial v} needs \partial in both parts")
            if derivative:
                self.next()
            parts.append(self.expr())
            self.expect("punct", "}")
        return Deriv(parts[0], parts[1]) if derivative else Frac(parts[0], parts[1])

    def primary(self) -> Node:
        token = self.peek()
        assert token is not None
        if token.kind == "number":
            return Num(int(self.next().value))
        if token.kind == "letter":
            if self.at("punct", "'", ahead=1):
                return self.application()
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
        if token.kind == "function":
            return self.application()
        if token.kind == "ones":
            self.next()
            if not self.at("punct", "_"):
                return Ones(None)
            self.next()
            first, items = self.peek(), self.subscript()
            if len(items) != 1 or items[0] == ":":
                raise self.error(r"\mathbf{1}_{...} takes one size letter or digit", first)
            return Ones(items[0])
        if token.kind == "indicator" or token.value == "[":
            return self.iverson()
        if token.value == r"\langle":
            return self.inner()
        literal = self.bmatrix()
        if self.at("begin", "matrix"):
            return MatrixLit(literal.rows, row_label=self.side_labels(len(literal.rows)))
        return literal

    def application(self) -> Apply:
        name = self.next().value
        if self.at("punct", "'"):
            self.next()
            name += "'"
        if not self.at("punct", "("):
            raise self.error(f"a function ({name}) needs its arguments in parentheses")
        self.next()
        args = [self.expr()]
        while self.at("punct", ","):
            self.next()
            args.append(self.expr())
        self.expect("punct", ")")
        return Apply(name, tuple(args))

    def inner(self) -> Inner:
        opening = self.expect("macro", r"\langle")
        left = self.expr()
        if not self.at("punct", ","):
            raise self.error(r"\langle A, B \rangle needs a comma between its two matrices", opening)
        self.next()
        right = self.expr()
        self.expect("macro", r"\rangle")
        return Inner(left, right)

    def iverson(self) -> Iverson:
        if self.at("indicator"):
            self.next()
        opening = self.expect("punct", "[")
        left = self.expr()
        token = self.peek()
        if token is not None and token.kind in ("punct", "macro") and token.value in COMPARISONS:
            op = COMPARISONS[self.next().value]
        elif self.at("macro", r"\ne") or self.at("punct", "="):
            op = "ne" if self.next().value == r"\ne" else "eq"
        else:
            raise self.error(r"an Iverson bracket [...] must hold one relation a = b, a \ne b, a > b, a < b, "
                             r"a \ge b or a \le b", opening)
        relation = Relation(op, left, self.expr())
        self.expect("punct", "]")
        return Iverson(relation)

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
        r"""The superscript ``{\mathsf T}`` (or ``{\mathsf{T}}``); the others are powers and ``\sum``'s."""
        expected = [("punct", "{"), ("macro", r"\mathsf"), ("letter", "T"), ("punct", "}")]
        if self.at("punct", "{", ahead=2):
            expected[2:3] = [("punct", "{"), ("letter", "T"), ("punct", "}")]
        for kind, value in expected:
            if not self.at(kind, value):
                raise self.error(r"a superscript is {\mathsf T} or a positive integer power")
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
        if all(cell == "" for row in rows for cell in row):
            raise self.error("a matrix with no cells")
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
            has = ", ".join(items) or "none"
            raise self.error(f"a label needs exactly one index outside \\text (this one has {has})", first)
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
