"""Check every worked-example number a built site displays, from the built HTML alone.

``python -m derivations.verify SITE_DIR`` reads each ``div.worked`` formula twice: the
glyphs its SVG draws and the MathML a screen reader reads. The two must agree, and every
displayed result must equal an exact rational recomputation from the inputs displayed on
the same page. Nothing here imports the topic modules that produced the numbers.

Exit codes: 0 when all agree, 1 on any mismatch (each named by page, quantity and entry),
2 when the argument is not a built site.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from bs4 import BeautifulSoup, Tag

Matrix = list[list[Fraction]]
GLYPH = re.compile(r"-([0-9A-F]+)$")
TERM = re.compile(r"^\(?(-?\d+(?:/\d+)?)\)?⋅\(?(-?\d+(?:/\d+)?)\)?$")


@dataclass
class Formula:
    """A displayed formula split at its top-level ``=`` signs, as a list of segments."""

    segments: list[list[Tag]]
    text: Callable[[Tag], str]
    cells: Callable[[Tag], Matrix]

    def value_text(self, k: int = -1) -> str:
        return "".join(self.text(node) for node in self.segments[k])

    def matrices(self, k: int = -1) -> list[Matrix]:
        return [self.cells(t) for node in self.segments[k] for t in _tables(node, self.text)]


def _tables(node: Tag, text: Callable[[Tag], str]) -> Iterator[Tag]:
    if _kind(node) == "mtable":
        yield node
        return
    for child in _children(node):
        yield from _tables(child, text)


def _kind(node: Tag) -> str:
    return node.get("data-mml-node") or node.name


def _children(node: Tag) -> list[Tag]:
    if node.name == "g" or node.name == "svg":
        return [c for c in node.find_all("g", recursive=False)]
    return [c for c in node.children if isinstance(c, Tag)]


def _number(s: str) -> Fraction:
    return Fraction(s.replace("−", "-").strip("()"))


def _mml_text(node: Tag) -> str:
    return node.get_text().replace("−", "-")


def _svg_text(node: Tag) -> str:
    """The characters the SVG draws, read from each glyph reference in document order."""
    out = []
    for el in [node, *node.find_all(["use", "text"])]:
        if el.name == "use":
            m = GLYPH.search(el.get("xlink:href", ""))
            out.append(chr(int(m.group(1), 16)) if m else "?")
        elif el.name == "text":
            out.append(el.get_text())
    return "".join(out).replace("−", "-")


def _rows(table: Tag, text: Callable[[Tag], str]) -> Matrix:
    rows = [r for r in _children(table) if _kind(r) == "mtr"]
    return [[_number(text(c)) for c in _children(r) if _kind(c) == "mtd"] for r in rows]


def _split(root: Tag, text: Callable[[Tag], str]) -> list[list[Tag]]:
    nodes = _children(root)
    while len(nodes) == 1 and _kind(nodes[0]) == "mrow":
        nodes = _children(nodes[0])
    segments: list[list[Tag]] = [[]]
    for node in nodes:
        if _kind(node) == "mo" and text(node) == "=":
            segments.append([])
        else:
            segments[-1].append(node)
    return segments


def read(block: Tag) -> tuple[Formula, Formula]:
    """The SVG reading and the MathML reading of one worked-example formula."""
    svg_root = block.select_one('svg g[data-mml-node="math"]')
    mml_root = block.select_one("mjx-assistive-mml math")
    if svg_root is None or mml_root is None:
        raise Mismatch("the formula is not typeset (no SVG or no MathML)")
    svg = Formula(_split(svg_root, _svg_text), _svg_text, lambda t: _rows(t, _svg_text))
    mml = Formula(_split(mml_root, _mml_text), _mml_text, lambda t: _rows(t, _mml_text))
    return svg, mml


class Mismatch(Exception):
    """A displayed number that disagrees with its recomputation."""


def matrix(f: Formula) -> Matrix:
    found = f.matrices()
    if len(found) != 1:
        raise Mismatch(f"expected one matrix after the last '=', found {len(found)}")
    return found[0]


def scalar(f: Formula) -> Fraction:
    return _number(f.value_text())


def terms(f: Formula) -> list[tuple[Fraction, Fraction]]:
    out = []
    for term in f.value_text(-2).split("+"):
        m = TERM.match(term)
        if m is None:
            raise Mismatch(f"cannot read the term {term!r} as a product")
        out.append((_number(m.group(1)), _number(m.group(2))))
    return out


def rowcol(f: Formula) -> tuple[list[Fraction], list[Fraction]]:
    found = f.matrices(-2)
    if len(found) != 2 or len(found[0]) != 1 or any(len(r) != 1 for r in found[1]):
        raise Mismatch("expected a row vector times a column vector before the last '='")
    return found[0][0], [r[0] for r in found[1]]


READERS: dict[str, Callable] = {"matrix": matrix, "scalar": scalar, "terms": terms, "rowcol": rowcol}


def _matmul(A: Matrix, B: Matrix) -> Matrix:
    if len(A[0]) != len(B):
        raise Mismatch(f"shapes {len(A)}x{len(A[0])} and {len(B)}x{len(B[0])} do not multiply")
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), Fraction(0)) for j in range(len(B[0]))]
            for i in range(len(A))]


def _transpose(A: Matrix) -> Matrix:
    return [list(col) for col in zip(*A, strict=False)]


class Page:
    """The worked-example formulas of one topic on one page, and the mismatches found."""

    def __init__(self, name: str, blocks: dict[str, Tag]):
        self.name, self.blocks, self.errors, self.checked = name, blocks, [], 0

    def get(self, quantity: str, kind: str):
        """The displayed value, read from SVG and MathML, which must agree."""
        svg, mml = read(self.blocks[quantity])
        a, b = READERS[kind](svg), READERS[kind](mml)
        if a != b:
            raise Mismatch(f"{quantity}: the SVG draws {_show(a)} but the MathML says {_show(b)}")
        return a

    def expect(self, quantity: str, shown, wanted, what: str = "") -> None:
        self.checked += 1
        if shown != wanted:
            self.errors.append(f"{self.name}: {quantity}{what} shows {_show(shown)}, "
                               f"recomputed from the displayed inputs: {_show(wanted)}")

    def expect_matrix(self, quantity: str, shown: Matrix, wanted: Matrix) -> None:
        if [len(r) for r in shown] != [len(r) for r in wanted]:
            self.expect(quantity, f"shape {len(shown)}x{len(shown[0])}",
                        f"shape {len(wanted)}x{len(wanted[0])}")
            return
        for i, (srow, wrow) in enumerate(zip(shown, wanted, strict=False), 1):
            for j, (s, w) in enumerate(zip(srow, wrow, strict=False), 1):
                self.expect(quantity, s, w, f"[{i},{j}]")

    def entry(self, quantity: str) -> tuple[int, int]:
        i, j = self.blocks[quantity]["data-entry"].split(",")
        return int(i), int(j)


def _show(v) -> str:
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(_show(x) for x in v) + ")"
    return str(v)


def check_linear(p: Page) -> None:
    """Y = XW, L = sum G*Y, dL/dX = G W^T, dL/dW = X^T G, each from its index definition."""
    X, W, G = (p.get(q, "matrix") for q in ("X", "W", "G"))
    Y = _matmul(X, W)
    dX = [[sum((G[i][n] * W[j][n] for n in range(len(W[0]))), Fraction(0)) for j in range(len(W))]
          for i in range(len(X))]
    dW = [[sum((X[m][i] * G[m][j] for m in range(len(X))), Fraction(0)) for j in range(len(G[0]))]
          for i in range(len(W))]
    wanted = {"Y": Y, "dX": dX, "dW": dW}
    for q in ("Y", "dX", "dW"):
        if q in p.blocks:
            p.expect_matrix(q, p.get(q, "matrix"), wanted[q])
    if "L" in p.blocks:
        L = sum((G[m][n] * Y[m][n] for m in range(len(Y)) for n in range(len(Y[0]))), Fraction(0))
        p.expect("L", p.get("L", "scalar"), L)
    factors = {"dX": lambda i, j: (G[i - 1], W[j - 1]),
               "dW": lambda i, j: (_transpose(X)[i - 1], _transpose(G)[j - 1])}
    for grad, pair in factors.items():
        for form in ("entry", "rowcol"):
            q = f"{grad}_{form}"
            if q not in p.blocks:
                continue
            i, j = p.entry(q)
            left, right = pair(i, j)
            if form == "entry":
                shown = p.get(q, "terms")
                p.expect(q, shown, list(zip(left, right, strict=False)), f"[{i},{j}] terms")
                total = sum((a * b for a, b in shown), Fraction(0))
            else:
                row, col = p.get(q, "rowcol")
                p.expect(q, (row, col), (left, right), f"[{i},{j}] row and column")
                total = sum((a * b for a, b in zip(row, col, strict=False)), Fraction(0))
            shown_total = p.get(q, "scalar")
            p.expect(q, shown_total, total, f"[{i},{j}] sum of its displayed terms")
            p.expect(q, shown_total, wanted[grad][i - 1][j - 1], f"[{i},{j}]")


CHECKS: dict[str, Callable[[Page], None]] = {"linear": check_linear}


def verify(site: Path) -> tuple[int, int, list[str]]:
    """Return (pages with worked examples, displayed numbers checked, mismatches)."""
    pages, checked, errors = 0, 0, []
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        by_topic: dict[str, dict[str, Tag]] = {}
        for block in soup.select("div.worked[data-example][data-quantity]"):
            by_topic.setdefault(block["data-example"], {})[block["data-quantity"]] = block
        for topic, blocks in by_topic.items():
            name = f"{path.relative_to(site).as_posix()} ({topic})"
            if topic not in CHECKS:
                errors.append(f"{name}: no check is defined for worked example {topic!r}")
                continue
            page = Page(name, blocks)
            try:
                CHECKS[topic](page)
            except Mismatch as err:
                page.errors.append(f"{name}: {err}")
            except KeyError as err:
                page.errors.append(f"{name}: the page does not show {err}, needed to recompute the rest")
            pages += 1
            checked += page.checked
            errors += page.errors
    if pages == 0:
        errors.append(f"{site}: no worked-example formulas found (div.worked); nothing was verified")
    return pages, checked, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m derivations.verify", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", type=Path, help="a site built by `mkdocs build`")
    args = parser.parse_args(argv)
    if not (args.site_dir / "index.html").is_file():
        parser.error(f"argument site_dir: {args.site_dir} is not a built site (no index.html)")
    pages, checked, errors = verify(args.site_dir)
    for line in errors:
        print(f"MISMATCH {line}", file=sys.stderr)
    print(f"verify: {pages} page(s) with worked examples, {checked} displayed numbers checked, "
          f"{len(errors)} mismatch(es)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
