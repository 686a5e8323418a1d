"""Read a worked-example formula back from the built HTML, twice.

MathJax leaves two renderings of each formula: the SVG a reader sees (glyph references into the
page's glyph sprite, grouped by ``data-mml-node``) and the MathML a screen reader reads. Both are
turned into the same linear text by one serializer, and must agree:

=============================  ==========================
rendered                       text
=============================  ==========================
``\\frac{a}{b}``                ``(a)/(b)``
``x_{23}``, ``W^{\\mathsf T}``  ``x_{23}``, ``W^{T}``
``\\sum_{k=1}^{4}``             ``∑_{k=1}^{4}``
a matrix                       ``[{1,-2;3,4}]`` (rows ``;``, cells ``,``)
``\\ln 3``                      ``ln3``
``\\hat{Y}``                   ``Y^{^}``
=============================  ==========================

Numbers are then read from that text by kind (``derivations.values``): exact (``-3``,
``-(3)/(4)``), rounded (``0.2689``, with exactly the stated number of digits) and log
(``ln3``, ``ln(1)/(2)``). A fraction is never mistaken for the digits of its parts run together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bs4 import Tag

GLYPH = re.compile(r"-([0-9A-F]+)$")
# Stretchy brackets are drawn from pieces; a screen reader gets the one character.
PIECES = {**dict.fromkeys("⎡⎢⎣", "["), **dict.fromkeys("⎤⎥⎦", "]"), **dict.fromkeys("⎛⎜⎝", "("),
          **dict.fromkeys("⎞⎟⎠", ")")}
# A hat is drawn as the modifier letter circumflex; MathML writes the ASCII one.
ACCENTS = {"\u02c6": "^"}
SILENT = {"\u2061", "\u2062", "\u2063"}  # function application, invisible times and separator
# Read as the concatenation of their children (svg: the drawing's root and any nested svg; MathML has none).
GROUPS = {"math", "mrow", "TeXAtom", "mstyle", "mpadded", "inferredMrow", "semantics", "svg"}
SCRIPTS = {"msub": ("_",), "msup": ("^",), "msubsup": ("_", "^"), "munder": ("_",), "mover": ("^",),
           "munderover": ("_", "^")}
EXACT = r"-?(?:\d+|\(\d+\)/\(\d+\))"
NUMBER = {
    "exact": re.compile(rf"^{EXACT}$"),
    "rounded": re.compile(r"^-?\d+\.\d+$"),
    "log": re.compile(r"^-?ln(?:\d+|\(\d+\)/\(\d+\))$"),
}


class Unreadable(Exception):
    """The formula does not have the form a reader of its kind expects."""


@dataclass(frozen=True)
class Ln:
    """A displayed ``ln(arg)``, kept exact; ``sign`` is -1 for ``-\\ln``."""

    arg: Fraction
    sign: int = 1

    def power(self) -> Fraction:
        """``e`` to this logarithm, exactly: two logarithms are equal when their powers are."""
        return self.arg ** self.sign


def kind_of(node: Tag) -> str:
    return node.get("data-mml-node") or node.name


def children(node: Tag) -> list[Tag]:
    tags = [c for c in node.children if isinstance(c, Tag)]
    if node.name in ("g", "svg"):
        # The SVG tree's children other than g and svg (a fraction's rule, glyph uses) are drawn, not read.
        return [c for c in tags if c.name in ("g", "svg")]
    return tags


def _leaf_svg(node: Tag) -> str:
    out = []
    for el in node.descendants:
        if el.name == "use":
            m = GLYPH.search(el.get("xlink:href", ""))
            out.append(chr(int(m.group(1), 16)) if m else "?")
        elif el.name == "text":
            out.append(el.get_text())
    return "".join(out)


def _normal(text: str) -> str:
    text = "".join(PIECES.get(c, ACCENTS.get(c, c)) for c in unicodedata.normalize("NFKC", text)
                   if c not in SILENT)
    text = re.sub(r"\[+", "[", re.sub(r"\]+", "]", text)) if set(text) <= set("[]") else text
    return text.replace("−", "-").replace(" ", "").replace("\u00a0", "")


def serialize(node: Tag, svg: bool) -> str:
    """The linear text of a MathML node, or of the SVG group that draws it."""
    kind = kind_of(node)
    parts = children(node)
    if kind in GROUPS:
        return "".join(serialize(c, svg) for c in parts)
    if kind == "mfrac":
        num, den = parts
        return f"({serialize(num, svg)})/({serialize(den, svg)})"
    if kind in SCRIPTS:
        base, *scripts = parts
        # Lowest first, as SCRIPTS lists them: msubsup draws its superscript first. MathML's scripts carry no
        # translate, so their order stays.
        scripts.sort(key=_lift)
        try:
            marked = list(zip(SCRIPTS[kind], scripts, strict=True))
        except ValueError:
            raise Unreadable(f"{kind} with {len(scripts)} scripts") from None
        return serialize(base, svg) + "".join(f"{m}{{{serialize(s, svg)}}}" for m, s in marked)
    if kind == "mtable":
        rows = [r for r in parts if kind_of(r) in ("mtr", "mlabeledtr")]
        return "{" + ";".join(",".join(serialize(c, svg) for c in children(r) if kind_of(c) == "mtd")
                              for r in rows) + "}"
    if kind in ("mtd", "mtr"):
        return "".join(serialize(c, svg) for c in parts)
    if kind == "mspace":
        return ""
    if kind in ("mi", "mn", "mo", "mtext", "ms"):
        return _normal(_leaf_svg(node) if svg else node.get_text())
    raise Unreadable(f"unexpected {kind} node")


def _lift(node: Tag) -> float:
    m = re.search(r"translate\(\s*[-\d.e]+\s*,\s*([-\d.e]+)", node.get("transform", ""))
    return float(m[1]) if m else 0.0


def _within(block: Tag, outer: str, name: str, attrs: dict[str, str] | None = None) -> Tag | None:
    """The first ``name`` element inside an ``outer`` one: CSS's ``outer name[attrs]``, without the cost
    of a selector engine (verify reads every block of every page, tests read them hundreds of times)."""
    for container in block.find_all(outer):
        found = container.find(name, attrs=attrs or {})
        if found is not None:
            return found
    return None


def readings(block: Tag) -> tuple[str, str]:
    """The SVG text and the MathML text of one ``div.worked`` formula."""
    svg_root = _within(block, "svg", "g", {"data-mml-node": "math"})
    mml_root = _within(block, "mjx-assistive-mml", "math")
    if svg_root is None or mml_root is None:
        raise Unreadable("the formula is not typeset (no SVG or no MathML)")
    return serialize(svg_root, svg=True), serialize(mml_root, svg=False)


def split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside every bracket pair."""
    depth, out, cur = 0, [], []
    for c in text:
        depth += c in "([{"
        depth -= c in ")]}"
        if c == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    return [*out, "".join(cur)]


def number(text: str, kind: str, places: int | None = None) -> Fraction | Decimal | Ln:
    """Read one displayed number of the given kind."""
    if kind not in NUMBER:
        raise Unreadable(f"unknown kind of number {kind!r}")
    if not NUMBER[kind].match(text):
        raise Unreadable(f"{text!r} is not a number of kind {kind}")
    if kind == "rounded":
        digits = len(text.split(".")[1])
        if digits != places:
            raise Unreadable(f"{text} shows {digits} digits after the point, the page states {places}")
        return Decimal(text)
    if kind == "log":
        sign = -1 if text.startswith("-") else 1
        return Ln(_exact(text.lstrip("-")[2:]), sign)
    return _exact(text)


def _exact(text: str) -> Fraction:
    m = re.fullmatch(r"(-?)\((\d+)\)/\((\d+)\)", text)
    if m:
        try:
            return Fraction(int(m[1] + m[2]), int(m[3]))
        except ZeroDivisionError:
            raise Unreadable(f"{text} divides by zero") from None
    return Fraction(int(text))


def matrices(text: str) -> list[list[list[str]]]:
    """The matrices a segment consists of, as cell texts; anything else in it is unreadable."""
    found = re.findall(r"\[\{([^{}\[\]]*(?:\{[^{}]*\}[^{}\[\]]*)*)\}\]", text)
    if "".join(f"[{{{m}}}]" for m in found) != text:
        raise Unreadable(f"{text!r} is not a row of bracketed matrices")
    return [[split_top(row, ",") for row in split_top(m, ";")] for m in found]


def terms(text: str) -> list[tuple[str, str]]:
    """``a⋅b+c⋅d`` as factor texts, parentheses around negative factors removed."""
    out = []
    for term in split_top(text, "+"):
        factors = split_top(term, "⋅")
        if len(factors) != 2:
            raise Unreadable(f"cannot read {term!r} as a product of two numbers")
        out.append(tuple(unparen(f) for f in factors))
    return out


def unparen(text: str) -> str:
    """A factor or term without the parentheses a negative number needs."""
    if text.startswith("(-") and text.endswith(")"):
        return text[1:-1]
    if text.startswith("-"):
        raise Unreadable(f"a negative factor {text!r} must be in parentheses")
    return text
