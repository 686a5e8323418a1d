"""Check every worked-example number a built site displays, from the built HTML alone.

``python -m derivations.verify SITE_DIR [--docs DOCS_DIR]`` first takes from the page sources
what must be there: every ``{{ topic.quantity }}`` line of every page, in both languages. Each
must appear exactly once on its built page. Each formula is read twice (the glyphs its SVG draws
and the MathML a screen reader reads, :mod:`derivations.verify.html`), the two readings must
agree, and the topic's check module (``derivations/verify/checks/<topic>.py``) compares every
left-hand side with what it must say and recomputes every result exactly, or at 50 digits, from
the inputs displayed on the same page. Nothing here imports the topic modules that produced the
numbers.

Exit codes: 0 when all agree; 1 on any mismatch, each named by page, quantity and entry; 2 when
an argument or a file cannot be read; 3 when a check module itself fails (a bug in verify).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import re
import sys
import traceback
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

from bs4 import BeautifulSoup, SoupStrainer, Tag

from derivations.topics import TOPICS
from derivations.values import PRECISION
from derivations.verify import html
from derivations.verify.exact import Matrix, agrees, matmul

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)(?:@(\d+))?\.(\w+)\s*\}\}")
Key = tuple[str, str, str]  # (topic, exercise number or "", quantity)
# Only the worked-example blocks are parsed: a page is mostly glyphs and navigation that verify never reads.
WORKED = SoupStrainer("div", attrs={"class": "worked"})
Value = Fraction | Decimal | html.Ln
# What an input a check computes with may hold, and how a mismatch says it.
KINDS = {"exact": (Fraction, "an exact number"), "log": (html.Ln, "a logarithm ln a")}


def subscript(i: int | str, j: int | str) -> str:
    """A two-index subscript as pages write it: ``23``, ``2k``, or ``10,3`` once an index is longer."""
    i, j = str(i), str(j)
    return f"{i}{j}" if len(i) == len(j) == 1 else f"{i},{j}"


class Mismatch(Exception):
    """Something the page displays is wrong, missing or unreadable."""


class Unusable(Exception):
    """An argument or a file verify cannot read at all."""


class Page:
    """The worked-example formulas of one topic on one built page, and what was found wrong.

    A check module reads each quantity through this class, which records what it read: a block
    no check reads is a mismatch too.
    """

    def __init__(self, name: str, topic: str, blocks: dict[str, Tag]):
        self.name, self.topic, self.blocks = name, topic, blocks
        self.errors: list[str] = []
        self.read: set[str] = set()
        self.checked = 0

    # -- reading
    def segments(self, quantity: str) -> list[str]:
        """The formula's text split at its top-level ``=`` signs; SVG and MathML must agree."""
        if quantity not in self.blocks:
            raise Mismatch(f"{quantity}: not shown on the page")
        self.read.add(quantity)
        try:
            svg, mml = html.readings(self.blocks[quantity])
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}: unreadable formula: {err}") from None
        if svg != mml:
            raise Mismatch(f"{quantity}: the SVG draws {svg!r} but the MathML says {mml!r}")
        return html.split_top(mml, "=")

    def lhs(self, quantity: str, expected: list[str], values: int = 1) -> list[str]:
        """Check the labels before the value (the last ``values`` segments); return those segments."""
        parts = self.segments(quantity)
        shown = parts[:-values]
        self.checked += 1
        if shown != expected:
            raise Mismatch(f"{quantity}: the left-hand side reads {' = '.join(shown)!r}, "
                           f"it must read {' = '.join(expected)!r}")
        return parts[-values:]

    def number(self, quantity: str, text: str) -> Value:
        block = self.blocks[quantity]
        places = block.get("data-places")
        try:
            return html.number(text, block.get("data-kind", ""), int(places) if places else None)
        except (html.Unreadable, ValueError) as err:
            raise Mismatch(f"{quantity}: {err}") from None

    def matrix(self, quantity: str, expected_lhs: list[str], kind: str | None = None) -> Matrix:
        """The one matrix a block shows; with ``kind``, every entry must be of it (an input a check
        computes with: ``exact`` rationals or ``log`` logarithms)."""
        (text,) = self.lhs(quantity, expected_lhs)
        found = self._one_matrix(quantity, text)
        if kind is not None and not all(isinstance(v, KINDS[kind][0]) for row in found for v in row):
            raise Mismatch(f"{quantity}: every entry must be {KINDS[kind][1]}")
        return found

    def _one_matrix(self, quantity: str, text: str) -> Matrix:
        try:
            found = html.matrices(text)
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}: {err}") from None
        if len(found) != 1:
            raise Mismatch(f"{quantity}: expected one matrix after the last '=', found {len(found)}")
        return self._cells(quantity, found[0])

    def numbers(self, quantity: str, expected_lhs: list[str]) -> list[Value]:
        """``(a, b, ...)``: several numbers in parentheses, such as a layer's sizes."""
        (text,) = self.lhs(quantity, expected_lhs)
        if not (text.startswith("(") and text.endswith(")")):
            raise Mismatch(f"{quantity}: expected numbers in parentheses, found {text!r}")
        return [self.number(quantity, t) for t in html.split_top(text[1:-1], ",")]

    def _cells(self, quantity: str, rows: list[list[str]]) -> Matrix:
        if len({len(r) for r in rows}) != 1:
            raise Mismatch(f"{quantity}: the matrix has rows of different lengths")
        return [[self.number(quantity, c) for c in row] for row in rows]

    def entry(self, quantity: str, shape: tuple[int, int]) -> tuple[int, int]:
        """The 1-based entry a block names in ``data-entry``, validated against ``shape``."""
        raw = self.blocks[quantity].get("data-entry") if quantity in self.blocks else None
        m = re.fullmatch(r"(\d+),(\d+)", raw or "")
        if not m or not (1 <= int(m[1]) <= shape[0] and 1 <= int(m[2]) <= shape[1]):
            raise Mismatch(f"{quantity}: data-entry={raw!r} is not a 1-based entry of a "
                           f"{shape[0]}x{shape[1]} matrix")
        return int(m[1]), int(m[2])

    # -- comparing
    def expect(self, quantity: str, shown: Value, wanted: Value, where: str = "") -> None:
        """One displayed number against its recomputed value: a logarithm ``html.Ln`` exactly, as one."""
        self.checked += 1
        places = self.blocks[quantity].get("data-places")
        if isinstance(shown, html.Ln) or isinstance(wanted, html.Ln):
            right = (isinstance(shown, html.Ln) and isinstance(wanted, html.Ln)
                     and shown.power() == wanted.power())
        else:
            right = agrees(shown, wanted, int(places) if places else None)
        if not right:
            self.errors.append(f"{self.name}: {quantity}{where} shows {_show(shown)}, "
                               f"recomputed from the displayed inputs: {_show(wanted)}")

    def expect_matrix(self, quantity: str, expected_lhs: list[str], wanted: list[list[Value]]) -> None:
        self._compare(quantity, self.matrix(quantity, expected_lhs), wanted)

    def _compare(self, quantity: str, shown: Matrix, wanted: Matrix, where: str = "") -> None:
        if [len(r) for r in shown] != [len(r) for r in wanted]:
            raise Mismatch(f"{quantity}{where}: shows a {len(shown)}x{len(shown[0])} matrix, "
                           f"recomputed: {len(wanted)}x{len(wanted[0])}")
        for i, (srow, wrow) in enumerate(zip(shown, wanted, strict=True), 1):
            for j, (s, w) in enumerate(zip(srow, wrow, strict=True), 1):
                self.expect(quantity, s, w, f"{where}[{i},{j}]")

    def expect_product(self, quantity: str, expected_lhs: list[str], factors: list[Matrix]) -> None:
        """``A B ... = C``: matrices side by side, each as recomputed, and their product."""
        text, total_text = self.lhs(quantity, expected_lhs, values=2)
        try:
            found = html.matrices(text)
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}: {err}") from None
        if len(found) != len(factors):
            raise Mismatch(f"{quantity}: shows a product of {len(found)} matrices, "
                           f"recomputed: {len(factors)}")
        for k, (rows, wanted) in enumerate(zip(found, factors, strict=True), 1):
            self._compare(quantity, self._cells(quantity, rows), wanted, f" factor {k} ")
        self._compare(quantity, self._one_matrix(quantity, total_text), functools.reduce(matmul, factors),
                      " product ")

    def expect_scalar(self, quantity: str, expected_lhs: list[str], wanted: Value) -> None:
        (text,) = self.lhs(quantity, expected_lhs)
        self.expect(quantity, self.number(quantity, text), wanted)

    def expect_terms(self, quantity: str, expected_lhs: list[str], pairs: list[tuple[Fraction, Fraction]],
                     where: str) -> Fraction:
        """``a_1 b_1 + ... = total``: every factor as recomputed, the total their sum. Returns the total."""
        text, total_text = self.lhs(quantity, expected_lhs, values=2)
        try:
            shown = [tuple(self.number(quantity, f) for f in term) for term in html.terms(text)]
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}{where}: {err}") from None
        if len(shown) != len(pairs):
            raise Mismatch(f"{quantity}{where}: shows {len(shown)} terms, the sum has {len(pairs)}")
        for k, ((a, b), (u, v)) in enumerate(zip(shown, pairs, strict=True), 1):
            self.expect(quantity, a, u, f"{where} term {k} first factor")
            self.expect(quantity, b, v, f"{where} term {k} second factor")
        total = self.number(quantity, total_text)
        self.expect(quantity, total, _sum([u * v for u, v in pairs]), f"{where} total")
        return total

    def expect_sum(self, quantity: str, expected_lhs: list[str], terms: list[Fraction],
                   where: str) -> Fraction:
        """``t_1 + t_2 + ... = total``: every term as recomputed, the total their sum. Returns the total."""
        text, total_text = self.lhs(quantity, expected_lhs, values=2)
        try:
            shown = [self.number(quantity, html.unparen(t)) for t in html.split_top(text, "+")]
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}{where}: {err}") from None
        if len(shown) != len(terms):
            raise Mismatch(f"{quantity}{where}: shows {len(shown)} terms, the sum has {len(terms)}")
        for k, (s, w) in enumerate(zip(shown, terms, strict=True), 1):
            self.expect(quantity, s, w, f"{where} term {k}")
        total = self.number(quantity, total_text)
        self.expect(quantity, total, _sum(terms), f"{where} total")
        return total

    def expect_rowcol(self, quantity: str, expected_lhs: list[str], row: list[Fraction], col: list[Fraction],
                      where: str) -> None:
        """``[row] [col] = total``: a 1xK row, a Kx1 column, as recomputed, and their product."""
        text, total_text = self.lhs(quantity, expected_lhs, values=2)
        try:
            found = html.matrices(text)
        except html.Unreadable as err:
            raise Mismatch(f"{quantity}{where}: {err}") from None
        if len(found) != 2 or len(found[0]) != 1 or any(len(r) != 1 for r in found[1]):
            raise Mismatch(f"{quantity}{where}: expected a row vector times a column vector")
        shown_row = self._cells(quantity, found[0])[0]
        shown_col = [r[0] for r in self._cells(quantity, found[1])]
        if (len(shown_row), len(shown_col)) != (len(row), len(col)):
            raise Mismatch(f"{quantity}{where}: shows a 1x{len(shown_row)} row and a {len(shown_col)}x1 "
                           f"column, recomputed: 1x{len(row)} and {len(col)}x1")
        for k, (s, w) in enumerate(zip(shown_row, row, strict=True), 1):
            self.expect(quantity, s, w, f"{where} row entry {k}")
        for k, (s, w) in enumerate(zip(shown_col, col, strict=True), 1):
            self.expect(quantity, s, w, f"{where} column entry {k}")
        total = sum((a * b for a, b in zip(row, col, strict=True)), Fraction(0))
        self.expect(quantity, self.number(quantity, total_text), total, f"{where} total")


def _sum(values: list[Fraction] | list[Decimal]) -> Fraction | Decimal:
    """The exact sum of Fractions, or the sum of 50-digit Decimals (values with no exact form) at full
    precision; the two kinds are never mixed.

    >>> _sum([Fraction(1, 2), Fraction(1, 3)]), _sum([Decimal("0.1"), Decimal("-0.3")])
    (Fraction(5, 6), Decimal('-0.2'))
    """
    if any(isinstance(v, Decimal) for v in values):
        with localcontext() as ctx:
            ctx.prec = PRECISION + 10
            return sum(values, Decimal(0))
    return sum(values, Fraction(0))


def _show(v: object) -> str:
    if isinstance(v, html.Ln):
        return f"{'-' if v.sign < 0 else ''}ln {v.arg}"
    return str(v)


def source_quantities(docs: Path) -> dict[str, list[Key]]:
    """Every placeholder of every page source, keyed by the built page it must appear on."""
    found: dict[str, list[Key]] = {}
    for path in sorted(docs.rglob("*.md")):
        rel = path.relative_to(docs).as_posix()
        lang, stem = ("en/", rel[: -len(".en.md")]) if rel.endswith(".en.md") else ("", rel[: -len(".md")])
        page = lang + ("" if stem == "index" else stem.removesuffix("/index") + "/") + "index.html"
        text = _read(path)
        found[page] = [(t, n or "", q) for t, n, q in (m.groups() for m in PLACEHOLDER.finditer(text))]
    return {page: qs for page, qs in found.items() if qs}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise Unusable(f"cannot read {path}: {err}") from None


def _check_module(topic: str) -> Callable[[Page], None]:
    return importlib.import_module(f"derivations.verify.checks.{topic}").check


def _name(key: Key) -> str:
    topic, exercise, quantity = key
    return f"{topic}{'@' + exercise if exercise else ''}.{quantity}"


def verify_page(rel: str, soup: BeautifulSoup, expected: list[Key]) -> tuple[int, list[str]]:
    """Check one built page against the placeholders of its source; return (numbers checked, mismatches)."""
    errors: list[str] = []
    blocks: dict[Key, list[Tag]] = {}
    for block in soup.find_all("div", class_="worked"):
        key = (block.get("data-example", ""), block.get("data-exercise", ""), block.get("data-quantity", ""))
        blocks.setdefault(key, []).append(block)
    for key, found in blocks.items():
        if key not in expected:
            errors.append(f"{rel}: shows {_name(key)}, which its page source does not ask for")
        elif len(found) > 1:
            errors.append(f"{rel}: shows {_name(key)} {len(found)} times; its source asks for it once")
    for key in expected:
        if key not in blocks:
            errors.append(f"{rel}: {_name(key)} is in the page source but not on the built page")
    checked = 0
    for topic, exercise in dict.fromkeys((t, n) for t, n, _ in expected):
        name = f"{rel} ({topic}{f' exercise {exercise}' if exercise else ''})"
        if topic not in TOPICS:
            errors.append(f"{name}: no topic {topic!r} in the registry, so nothing checks it")
            continue
        page = Page(name, topic, {q: b[0] for (t, n, q), b in blocks.items()
                                  if (t, n) == (topic, exercise) and len(b) == 1})
        try:
            _check_module(topic)(page)
        except Mismatch as err:
            page.errors.append(f"{name}: {err}")
        for q in sorted(set(page.blocks) - page.read):
            if (topic, exercise, q) in expected:
                page.errors.append(f"{name}: {q} is shown but no check reads it")
        checked += page.checked
        errors += page.errors
    return checked, errors


def verify(site: Path, docs: Path) -> tuple[int, int, list[str]]:
    """Return (pages with worked examples, displayed numbers checked, mismatches)."""
    expected = source_quantities(docs)
    pages, checked, errors = 0, 0, []
    built = {p.relative_to(site).as_posix(): p for p in site.rglob("*.html")}
    for rel in sorted(set(built) | set(expected)):
        wanted = expected.get(rel, [])
        if rel not in built:
            errors.append(f"{rel}: missing from the built site; its source shows "
                          f"{len(wanted)} worked-example quantities")
            continue
        soup = BeautifulSoup(_read(built[rel]), "html.parser", parse_only=WORKED)
        if not wanted and not soup.find_all("div", class_="worked"):
            continue
        n, errs = verify_page(rel, soup, wanted)
        pages, checked, errors = pages + 1, checked + n, errors + errs
    if pages == 0:
        errors.append(f"{site}: no worked-example formulas found (div.worked); nothing was verified")
    return pages, checked, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m derivations.verify", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", type=Path, help="a site built by `mkdocs build`")
    parser.add_argument("--docs", type=Path, help="the page sources (default: docs/ beside SITE_DIR)")
    args = parser.parse_args(argv)
    docs = args.docs or args.site_dir.resolve().parent / "docs"
    if not (args.site_dir / "index.html").is_file():
        parser.error(f"argument site_dir: {args.site_dir} is not a built site (no index.html)")
    if not docs.is_dir():
        parser.error(f"argument --docs: {docs} is not a folder of page sources")
    try:
        pages, checked, errors = verify(args.site_dir, docs)
    except Unusable as err:
        print(f"verify: {err}", file=sys.stderr)
        return 2
    except Exception:
        print(f"verify: internal error in a check module, not a finding about the site:\n"
              f"{traceback.format_exc()}", file=sys.stderr)
        return 3
    for line in errors:
        print(f"MISMATCH {line}", file=sys.stderr)
    print(f"verify: {pages} page(s) with worked examples, {checked} displayed numbers checked, "
          f"{len(errors)} mismatch(es)")
    return 1 if errors else 0
