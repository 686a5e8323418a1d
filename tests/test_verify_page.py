"""``derivations.verify`` in-process and fast: every reader, every check and every message, one at a time.

tests/test_verify.py runs verify end to end on a copy of the whole built site. Here the worked-example
blocks of the built pages are cut out once, and each test changes one thing in them (or typesets a
formula or a whole example of its own with the build's own hooks) and calls verify's functions
directly, so that ``make mutation`` sees every change to ``derivations/verify/`` in seconds.
"""

from __future__ import annotations

import copy
import functools
import importlib
import re
import sys
from collections import namedtuple
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup, SoupStrainer, Tag

from derivations.example import NumberTuple, Shown
from derivations.topics import linear
from derivations.verify import (
    Mismatch,
    Page,
    Unusable,
    exact,
    html,
    main,
    source_quantities,
    subscript,
    verify,
    verify_page,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ("linear/index.html", "en/linear/index.html")
QUANTITIES = tuple(linear.worked_example().quantities)
# What one page of the FC example checks: 11 left-hand sides, the 6 + 12 + 8 entries of X, W, G read as
# inputs, and every recomputed number: Y 8, L 1, dX 6, dW 12, each expansion's factors, total and the
# total against the gradient matrix (4 terms: 10, 2 terms: 6), each row times column (4 + 4 + 1, 2 + 2 + 1).
CHECKED_PER_PAGE = 11 + 8 + 1 + 6 + 12 + 10 + 9 + 6 + 5
# The sections added since (batch reading, Jacobian view, memory, the D = N example, the bridges) check
# 170 more labels and numbers on each page, as measured on the built page.
CHECKED_PER_PAGE += 170
# Inputs of those sections: a changed input shows in what is computed from it, not under its own name.
INPUTS = ("X", "W", "G", "layer", "sq_X", "sq_W", "sq_G")
with localcontext(prec=50):
    THIRD = Decimal(1) / Decimal(3)  # 1/3 to the 50 digits verify computes with
with localcontext(prec=60):
    THIRD_OFF = {shift: THIRD + Decimal(shift) for shift in ("5E-41", "-5E-41", "5E-40", "-5E-40")}


# -- material: the built pages' blocks, and formulas typeset by the build's own hooks ------------------


def _hook(name: str):
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "hooks"))


def typeset(blocks_html: str) -> str:
    """``div.worked`` blocks holding TeX, typeset exactly as the build does."""
    stub = SimpleNamespace(file=SimpleNamespace(src_uri="test.md"))
    return _hook("mathjax").on_page_content(blocks_html, page=stub)


def example_html(example) -> str:
    """Every quantity of a worked example as the build renders it."""
    block = _hook("examples")._block
    return typeset("".join(block(example.topic, None, name, q) for name, q in example.quantities.items()))


def verify_example(example) -> tuple[int, list[str]]:
    """verify's verdict on a page showing every quantity of ``example``: numbers checked, mismatches."""
    keys = [(example.topic, "", q) for q in example.quantities]
    soup = BeautifulSoup(example_html(example), "html.parser")
    return verify_page(f"{example.topic}/index.html", soup, keys)


def formula(tex: str, kind: str = "exact", places: int | None = None, quantity: str = "s") -> Tag:
    div = (f'<div class="worked" data-example="t" data-quantity="{quantity}" data-kind="{kind}"'
           + (f' data-places="{places}"' if places is not None else "") + ">"
           + f'<div class="arithmatex">\\[{tex}\\]</div></div>')
    return BeautifulSoup(typeset(div), "html.parser").select_one("div.worked")


@pytest.fixture(scope="module")
def built(site_dir: Path) -> dict[str, str]:
    """The worked-example blocks of each built FC page, as HTML."""
    only = SoupStrainer("div", class_="worked")
    pages = {rel: BeautifulSoup((site_dir / rel).read_text(encoding="utf-8"), "html.parser", parse_only=only)
             for rel in PAGES}
    for soup in pages.values():  # the page's own example only; exercises are checked the same way
        for exercise in soup.select("div.worked[data-exercise]"):
            exercise.decompose()
    return {rel: str(soup) for rel, soup in pages.items()}


@pytest.fixture(scope="module")
def expected() -> dict[str, list[tuple[str, str]]]:
    return source_quantities(DOCS)


def soup_of(text: str) -> BeautifulSoup:
    """A tree of ``text`` of its own, which the test may change: parsed once, then copied (four times faster
    than parsing the FC page again, which was most of this file's time)."""
    soup = BeautifulSoup("", "html.parser")
    for node in _parsed(text).contents:
        soup.append(copy.copy(node))
    return soup


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def block(soup: BeautifulSoup, quantity: str) -> Tag:
    found = soup.select_one(f'div.worked[data-quantity="{quantity}"]')
    assert found is not None, quantity
    return found


def numbers(b: Tag, text: str) -> tuple[Tag, Tag]:
    """The MathML ``mn`` reading ``text`` (the first one) and the SVG group that draws it."""
    mn = next(m for m in b.select("mjx-assistive-mml mn") if m.get_text() == text)
    g = next(g for g in b.select('svg g[data-mml-node="mn"]') if _drawn(g) == text)
    return mn, g


def _drawn(g: Tag) -> str:
    return "".join(chr(int(u["xlink:href"].rsplit("-", 1)[1], 16)) for u in g.find_all("use"))


def redraw(b: Tag, old: str, new: str) -> None:
    """Show ``new`` where the block shows the number ``old`` (first occurrence), in MathML and SVG alike."""
    mn, g = numbers(b, old)
    mn.string = new
    uses = g.find_all("use")
    template = uses[0]["xlink:href"].rsplit("-", 1)[0]
    for u in uses[1:]:
        u.decompose()
    uses[0]["xlink:href"] = f"{template}-{ord(new[0]):X}"
    for ch in reversed(new[1:]):
        twin = soup_of(str(uses[0])).use
        twin["xlink:href"] = f"{template}-{ord(ch):X}"
        uses[0].insert_after(twin)


def run_page(text: str, rel: str = PAGES[0], wanted: list[tuple[str, str, str]] | None = None):
    wanted = wanted if wanted is not None else [("linear", "", q) for q in QUANTITIES]
    return verify_page(rel, soup_of(text), wanted)


def errors_after(built: dict[str, str], change, rel: str = PAGES[0]) -> list[str]:
    soup = soup_of(built[rel])
    change(soup)
    return verify_page(rel, soup, [("linear", "", q) for q in QUANTITIES])[1]


# -- Page, one reader at a time ---------------------------------------------------------------------------


def page(*blocks: Tag) -> Page:
    return Page("p", "t", {b["data-quantity"]: b for b in blocks})


@pytest.mark.parametrize("tex, kind, places, wanted", [
    (r"s = \frac{3}{4}", "exact", None, Fraction(3, 4)),
    (r"s = -\frac{3}{4}", "exact", None, Fraction(-3, 4)),
    ("s = -12", "exact", None, Fraction(-12)),
    ("s = 0.2689", "rounded", 4, Decimal("0.2689")),
    ("s = -1.50", "rounded", 2, Decimal("-1.50")),
    (r"s = \ln 3", "log", None, html.Ln(Fraction(3))),
    (r"s = -\ln \frac{1}{2}", "log", None, html.Ln(Fraction(1, 2), -1)),
])
def test_each_kind_of_number_is_read(tex, kind, places, wanted) -> None:
    p = page(formula(tex, kind, places))
    (text,) = p.lhs("s", ["s"])
    assert p.number("s", text) == wanted
    assert p.read == {"s"} and p.checked == 1


@pytest.mark.parametrize("tex, kind, places, message", [
    ("s = 0.269", "rounded", 4, "s: 0.269 shows 3 digits after the point, the page states 4"),
    ("s = 0.2689", "rounded", None, "s: 0.2689 shows 4 digits after the point, the page states None"),
    ("s = 3", "rounded", 4, "s: '3' is not a number of kind rounded"),
    ("s = 0.25", "exact", None, "s: '0.25' is not a number of kind exact"),
    (r"s = \ln 3", "exact", None, "s: 'ln3' is not a number of kind exact"),
    ("s = 3", "log", None, "s: '3' is not a number of kind log"),
    ("s = 3", "complex", None, "s: unknown kind of number 'complex'"),
    (r"s = \frac{3}{0}", "exact", None, "s: (3)/(0) divides by zero"),
    (r"s = \ln \frac{3}{0}", "log", None, "s: (3)/(0) divides by zero"),
    (r"s = -\frac{3}{00}", "exact", None, "s: -(3)/(00) divides by zero"),
])
def test_a_number_of_the_wrong_form_is_a_mismatch(tex, kind, places, message) -> None:
    p = page(formula(tex, kind, places))
    (text,) = p.lhs("s", ["s"])
    with pytest.raises(Mismatch) as info:
        p.number("s", text)
    assert str(info.value) == message


def test_a_page_stating_no_number_of_places_is_a_mismatch() -> None:
    b = formula("s = 0.25", "rounded", 2)
    b["data-places"] = "two"
    p = page(b)
    with pytest.raises(Mismatch, match=r"^s: invalid literal"):
        p.number("s", "0.25")


def test_a_missing_kind_is_a_mismatch() -> None:
    b = formula("s = 3")
    del b["data-kind"]
    with pytest.raises(Mismatch, match=r"^s: unknown kind of number ''$"):
        page(b).number("s", "3")


@pytest.mark.parametrize("shown, wanted, places, ok", [
    ("0.2689", Decimal("0.26894142"), 4, True),
    ("0.2690", Decimal("0.26894142"), 4, False),
    ("0.2689", Decimal("0.26895"), 4, True),  # exactly half a unit away: still the right rounding
    ("0.2689", Decimal("0.2689500001"), 4, False),
    ("0.2689", Decimal("0.2688500000"), 4, True),
    ("0.2689", Decimal("0.2688499999"), 4, False),
    ("1.5", Fraction(3, 2), 1, True),
])
def test_a_rounded_value_is_right_within_half_a_unit(shown, wanted, places, ok) -> None:
    p = page(formula(f"s = {shown}", "rounded", places))
    p.expect_scalar("s", ["s"], wanted)
    assert (p.errors == []) is ok, p.errors
    assert p.checked == 2
    if not ok:
        assert p.errors == [f"p: s shows {shown}, recomputed from the displayed inputs: {wanted}"]


def test_a_logarithm_shown_where_a_value_is_due_is_named_as_shown() -> None:
    p = page(formula(r"s = -\ln 3", "log"))
    p.expect_scalar("s", ["s"], Fraction(-1))
    assert p.errors == ["p: s shows -ln 3, recomputed from the displayed inputs: -1"]
    p = page(formula(r"s = \ln \frac{1}{2}", "log"))
    p.expect_scalar("s", ["s"], Decimal(-1))
    assert p.errors == ["p: s shows ln 1/2, recomputed from the displayed inputs: -1"]


def test_an_exact_value_is_compared_exactly() -> None:
    p = page(formula(r"s = \frac{1}{3}"))
    p.expect_scalar("s", ["s"], Fraction(1, 3))
    p.expect("s", Fraction(1, 3), THIRD)  # computed to 50 digits: equal to 40
    assert p.errors == [] and p.checked == 3
    p.expect("s", Fraction(1, 3), Decimal("0.3333333333"))
    p.expect("s", Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**60))
    assert len(p.errors) == 2


@pytest.mark.parametrize("said", ["13", "11"])
def test_svg_and_mathml_must_agree(said: str) -> None:
    b = formula("s = 12")
    b.select_one("mjx-assistive-mml mn").string = said
    with pytest.raises(Mismatch) as info:
        page(b).segments("s")
    assert str(info.value) == f"s: the SVG draws 's=12' but the MathML says 's={said}'"


def test_an_untypeset_formula_is_unreadable() -> None:
    b = formula("s = 12")
    b.select_one("mjx-assistive-mml").decompose()
    with pytest.raises(Mismatch, match=r"^s: unreadable formula: the formula is not typeset"):
        page(b).segments("s")
    b = formula("s = 12")
    b.select_one("svg").decompose()
    with pytest.raises(Mismatch, match=r"^s: unreadable formula: the formula is not typeset"):
        page(b).segments("s")


def test_a_formula_with_an_unknown_node_is_unreadable() -> None:
    b = formula(r"s = \sqrt{4}")
    p = page(b)
    with pytest.raises(Mismatch, match=r"^s: unreadable formula: unexpected msqrt node$"):
        p.segments("s")
    assert p.read == {"s"}


def test_segments_are_split_at_top_level_equals_only() -> None:
    p = page(formula(r"s = t_{i=1} = \begin{bmatrix} 1 & 2 \end{bmatrix}"))
    assert p.segments("s") == ["s", "t_{i=1}", "[{1,2}]"]
    with pytest.raises(Mismatch, match=r"^missing: not shown on the page$"):
        p.segments("missing")


def test_a_left_hand_side_may_have_two_values() -> None:
    p = page(formula(r"s = a = 1 \cdot 2 = 2"))
    assert p.lhs("s", ["s", "a"], values=2) == ["1⋅2", "2"]
    with pytest.raises(Mismatch) as info:
        p.lhs("s", ["s"], values=2)
    assert str(info.value) == "s: the left-hand side reads 's = a', it must read 's'"
    assert p.checked == 2


@pytest.mark.parametrize("tex, message", [
    (r"s = \begin{bmatrix} 1 \end{bmatrix}\begin{bmatrix} 2 \end{bmatrix}",
     "s: expected one matrix after the last '=', found 2"),
    ("s = 3", "s: '3' is not a row of bracketed matrices"),
    (r"s = \begin{bmatrix} 1 & 2 \\ 3 \end{bmatrix}", "s: the matrix has rows of different lengths"),
    (r"s = \begin{bmatrix} 1 & x \end{bmatrix}", "s: 'x' is not a number of kind exact"),
    ("s =", "s: expected one matrix after the last '=', found 0"),
])
def test_a_malformed_matrix_is_a_mismatch(tex, message) -> None:
    with pytest.raises(Mismatch) as info:
        page(formula(tex)).matrix("s", ["s"])
    assert str(info.value) == message


def test_matrices_are_read_and_compared_entry_by_entry() -> None:
    tex = r"s = \begin{bmatrix} 1 & -\frac{1}{2} \\ 0 & 7 \end{bmatrix}"
    p = page(formula(tex))
    assert p.matrix("s", ["s"]) == [[1, Fraction(-1, 2)], [0, 7]]
    p.expect_matrix("s", ["s"], [[1, Fraction(-1, 2)], [1, 7]])
    assert p.errors == ["p: s[2,1] shows 0, recomputed from the displayed inputs: 1"]
    assert p.checked == 2 + 4
    for wanted, shape in (([[1, 2]], "1x2"), ([[1], [2]], "2x1"), ([[1, 2, 3], [4, 5, 6]], "2x3")):
        with pytest.raises(Mismatch) as info:
            p.expect_matrix("s", ["s"], wanted)
        assert str(info.value) == f"s: shows a 2x2 matrix, recomputed: {shape}"
    row = page(formula(r"s = \begin{bmatrix} 1 & 2 \end{bmatrix}"))
    with pytest.raises(Mismatch) as info:
        row.expect_matrix("s", ["s"], [[1], [2]])
    assert str(info.value) == "s: shows a 1x2 matrix, recomputed: 2x1"


def test_an_expansion_is_read_term_by_term() -> None:
    p = page(formula(r"s = a = (-1) \cdot 2 + 3 \cdot (-4) = -14"))
    pairs = [(Fraction(-1), Fraction(2)), (Fraction(3), Fraction(-4))]
    assert p.expect_terms("s", ["s", "a"], pairs, " here") == -14
    assert p.errors == [] and p.checked == 1 + 4 + 1
    p.expect_terms("s", ["s", "a"], [(Fraction(-1), Fraction(2)), (Fraction(3), Fraction(4))], " here")
    assert p.errors == ["p: s here term 2 second factor shows -4, recomputed from the displayed inputs: 4",
                        "p: s here total shows -14, recomputed from the displayed inputs: 10"]
    p.errors.clear()
    p.expect_terms("s", ["s", "a"], [(Fraction(1), Fraction(2)), (Fraction(3), Fraction(-4))], "")
    assert p.errors == ["p: s term 1 first factor shows -1, recomputed from the displayed inputs: 1",
                        "p: s total shows -14, recomputed from the displayed inputs: -10"]
    with pytest.raises(Mismatch, match=r"^s here: shows 2 terms, the sum has 3$"):
        p.expect_terms("s", ["s", "a"], [*pairs, pairs[0]], " here")
    with pytest.raises(Mismatch, match=r"^s here: shows 2 terms, the sum has 1$"):
        p.expect_terms("s", ["s", "a"], pairs[:1], " here")


def test_a_long_expansion_is_read_whole() -> None:
    """300 terms (term counts are compared by value, not identity)."""
    p = page(formula("s = a = " + " + ".join([r"1 \cdot 1"] * 300) + " = 300"))
    assert p.expect_terms("s", ["s", "a"], [(Fraction(1), Fraction(1))] * 300, "") == 300
    assert p.errors == []
    with pytest.raises(Mismatch, match=r"^s: shows 300 terms, the sum has 301$"):
        p.expect_terms("s", ["s", "a"], [(Fraction(1), Fraction(1))] * 301, "")


def test_a_sum_names_the_term_that_is_wrong() -> None:
    p = page(formula("s = a = 1 + (-2) + 5 = 4"))
    assert p.expect_sum("s", ["s", "a"], [Fraction(1), Fraction(-2), Fraction(5)], "") == 4
    assert p.errors == [] and p.checked == 1 + 3 + 1
    p.expect_sum("s", ["s", "a"], [Fraction(0), Fraction(-2), Fraction(6)], " here")
    assert p.errors == ["p: s here term 1 shows 1, recomputed from the displayed inputs: 0",
                        "p: s here term 3 shows 5, recomputed from the displayed inputs: 6"]


@pytest.mark.parametrize("kind, what", [("exact", "an exact number"), ("log", "a logarithm ln a")])
def test_an_input_matrix_of_another_kind_of_number_is_a_mismatch(kind: str, what: str) -> None:
    p = page(formula(r"X = \begin{bmatrix} 0.5 & 1.5 \end{bmatrix}", "rounded", 1))
    with pytest.raises(Mismatch, match=f"^s: every entry must be {what}$"):
        p.matrix("s", ["X"], kind)


def test_a_sum_with_a_term_too_many_or_too_few_is_a_mismatch() -> None:
    p = page(formula("s = a = 1 + (-2) + 5 = 4"))
    with pytest.raises(Mismatch, match=r"^s here: shows 3 terms, the sum has 2$"):
        p.expect_sum("s", ["s", "a"], [Fraction(1), Fraction(-2)], " here")
    with pytest.raises(Mismatch, match=r"^s here: shows 3 terms, the sum has 4$"):
        p.expect_sum("s", ["s", "a"], [Fraction(1), Fraction(-2), Fraction(5), Fraction(0)], " here")


def test_a_sum_of_values_with_no_exact_form_is_totalled_at_full_precision() -> None:
    """The true sum 0.12344999999999 rounds to 0.1234: 0.1235 is wrong, though a sum kept to five
    digits (0.12345) would pass it."""
    terms = [Decimal("0.1"), Decimal("0.02344999999999")]
    p = page(formula("s = a = 0.1000 + 0.0234 = 0.1235", "rounded", 4))
    p.expect_sum("s", ["s", "a"], terms, "")
    assert p.errors == ["p: s total shows 0.1235, recomputed from the displayed inputs: 0.12344999999999"]
    p = page(formula("s = a = 0.1000 + 0.0234 = 0.1234", "rounded", 4))
    p.expect_sum("s", ["s", "a"], terms, "")
    assert p.errors == []


def test_a_sum_of_decimals_keeps_every_digit_of_its_terms() -> None:
    """The true sum 10 + 5e-40 differs from a shown 10 in its 41st digit, more than an exact value may
    (10^-40); 40 working digits would round that digit away."""
    p = page(formula("s = a = 10 + 0 = 10"))
    p.expect_sum("s", ["s", "a"], [Decimal(10), Decimal("5E-40")], "")
    assert p.errors == ["p: s term 2 shows 0, recomputed from the displayed inputs: 5E-40",
                        "p: s total shows 10, recomputed from the displayed inputs: 10." + "0" * 39 + "5"]


def test_a_sum_with_an_unreadable_term_is_a_mismatch() -> None:
    with pytest.raises(Mismatch, match=r"^s here: a negative factor '-2' must be in parentheses$"):
        page(formula("s = a = 1 + -2 = -1")).expect_sum("s", ["s", "a"], [Fraction(1), Fraction(-2)], " here")


@pytest.mark.parametrize("tex", ["(M, D) = (2, 3", "(M, D) = 2, 3)", "(M, D) = 2, 3"])
def test_numbers_without_both_parentheses_are_a_mismatch(tex: str) -> None:
    p = page(formula(tex))
    with pytest.raises(Mismatch, match=r"^s: expected numbers in parentheses, found "):
        p.numbers("s", ["(M,D)"])
    assert page(formula("(M, D) = (2, 3)")).numbers("s", ["(M,D)"]) == [2, 3]


def test_a_subscript_takes_a_comma_once_an_index_is_longer_than_one_character() -> None:
    assert [subscript(2, 3), subscript(2, "k"), subscript(10, 3), subscript(3, 10), subscript(12, 34)] == [
        "23", "2k", "10,3", "3,10", "12,34"]


@pytest.mark.parametrize("v", [Fraction(3, 2), Fraction(1, 3), Fraction(3 * 10**30 + 1, 3 * 10**30),
                               Fraction(7, 10**6)])
def test_a_logarithm_is_computed_to_every_digit_compared(v: Fraction) -> None:
    """Against mpmath's at 70 digits, all ``PRECISION`` digits but the last agree, counted from the units
    digit or the first digit, whichever is higher: for an argument that is no short decimal, one next to 1
    (where ``ln p - ln q`` would cancel), and one far below 1."""
    import mpmath

    with mpmath.workdps(70):
        true = Decimal(mpmath.nstr(mpmath.log(mpmath.mpf(v.numerator) / v.denominator), 68))
    assert abs(exact.ln(v) - true) < Decimal(10) ** -(exact.PRECISION - 1) * max(1, abs(true))


def test_a_logarithm_needs_a_positive_argument() -> None:
    for v in (0, -1):
        with pytest.raises(ValueError, match=f"ln needs a positive argument, got {v}$"):
            exact.ln(Fraction(v))


@pytest.mark.parametrize("tex, message", [
    (r"s = a = 1 \cdot 2 \cdot 3 = 6", "s there: cannot read '1⋅2⋅3' as a product of two numbers"),
    (r"s = a = 1 \cdot -2 = -2", "s there: a negative factor '-2' must be in parentheses"),
    (r"s = a = 1 \cdot 2 + 3 = 5", "s there: cannot read '3' as a product of two numbers"),
])
def test_a_malformed_expansion_is_a_mismatch(tex, message) -> None:
    with pytest.raises(Mismatch) as info:
        page(formula(tex)).expect_terms("s", ["s", "a"], [(Fraction(1), Fraction(2))], " there")
    assert str(info.value) == message


ROWCOL = r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = -5"


def test_a_row_times_a_column_is_read_entry_by_entry() -> None:
    p = page(formula(ROWCOL))
    p.expect_rowcol("s", ["s", "a"], [Fraction(1), Fraction(-2)], [Fraction(3), Fraction(4)], " here")
    assert p.errors == [] and p.checked == 1 + 2 + 2 + 1
    p.expect_rowcol("s", ["s", "a"], [Fraction(1), Fraction(2)], [Fraction(5), Fraction(4)], " here")
    assert p.errors == ["p: s here row entry 2 shows -2, recomputed from the displayed inputs: 2",
                        "p: s here column entry 1 shows 3, recomputed from the displayed inputs: 5",
                        "p: s here total shows -5, recomputed from the displayed inputs: 13"]


@pytest.mark.parametrize("tex, message", [
    (r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} = -5", "expected a row vector times a column vector"),
    (r"s = a = \begin{bmatrix} 1 \\ -2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = -5",
     "expected a row vector times a column vector"),
    (r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 & 4 \end{bmatrix} = -5",
     "expected a row vector times a column vector"),
    (r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 \end{bmatrix} = 3",
     "shows a 1x2 row and a 1x1 column, recomputed: 1x2 and 2x1"),
    (r"s = a = \begin{bmatrix} 1 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = 3",
     "shows a 1x1 row and a 2x1 column, recomputed: 1x2 and 2x1"),
    (r"s = a = \begin{bmatrix} 1 & -2 & 5 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = 3",
     "shows a 1x3 row and a 2x1 column, recomputed: 1x2 and 2x1"),
    (r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \\ 5 \end{bmatrix} = 3",
     "shows a 1x2 row and a 3x1 column, recomputed: 1x2 and 2x1"),
    (r"s = a = 1 \cdot 3 = 3", "'1⋅3' is not a row of bracketed matrices"),
    (r"s = a = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix}"
     r"\begin{bmatrix} 1 \end{bmatrix} = -5", "expected a row vector times a column vector"),
])
def test_a_malformed_row_times_column_is_a_mismatch(tex, message) -> None:
    with pytest.raises(Mismatch) as info:
        page(formula(tex)).expect_rowcol("s", ["s", "a"], [Fraction(1), Fraction(-2)],
                                         [Fraction(3), Fraction(4)], " here")
    assert str(info.value) == f"s here: {message}"


# -- html: the serializer and the number readers ---------------------------------------------------------


def test_scripts_fractions_sums_and_tables_serialize_alike_in_svg_and_mathml() -> None:
    tex = (r"s = \frac{\partial L}{\partial x_{23}} = \sum_{k=1}^{4} W^{\mathsf T} "
           r"= \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} = \ln 3")
    svg, mml = html.readings(formula(tex))
    assert svg == mml == "s=(∂L)/(∂x_{23})=∑_{k=1}^{4}W^{T}=[{1,2;3,4}]=ln3"


def test_a_script_with_the_wrong_number_of_parts_is_unreadable() -> None:
    node = soup_of("<math><msub><mi>x</mi></msub></math>").math
    with pytest.raises(html.Unreadable, match=r"^msub with 0 scripts$"):
        html.serialize(node, svg=False)
    node = soup_of("<math><msubsup><mi>x</mi><mn>1</mn></msubsup></math>").math
    with pytest.raises(html.Unreadable, match=r"^msubsup with 1 scripts$"):
        html.serialize(node, svg=False)
    node = soup_of("<math><msub><mi>x</mi><mn>1</mn><mn>2</mn></msub></math>").math
    with pytest.raises(html.Unreadable, match=r"^msub with 2 scripts$"):
        html.serialize(node, svg=False)


def test_a_fraction_part_drawn_in_a_nested_svg_is_read() -> None:
    svg = soup_of('<svg><g data-mml-node="math"><g data-mml-node="mfrac">'
                  '<svg><g data-mml-node="mn"><use xlink:href="#MJX-N-31"></use></g></svg>'
                  '<g data-mml-node="mn"><use xlink:href="#MJX-N-32"></use></g>'
                  "<rect></rect></g></g></svg>").svg
    assert html.serialize(svg, svg=True) == "(1)/(2)"


@pytest.mark.parametrize("mathml, text", [
    ("<math><mrow><mi>a</mi><mspace></mspace><mo>=</mo><mn>1</mn></mrow></math>", "a=1"),
    ("<math><mover><mi>x</mi><mo>~</mo></mover><munder><mi>y</mi><mn>1</mn></munder></math>", "x^{~}y_{1}"),
    ("<math><munderover><mo>∑</mo><mn>1</mn><mn>2</mn></munderover></math>", "∑_{1}^{2}"),
    ("<math><mstyle><mpadded><mtext>ab c</mtext></mpadded></mstyle></math>", "abc"),
    ("<math><mtable><mlabeledtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mlabeledtr>"
     "<mtr><mtd><mn>3</mn></mtd><mtd><mn>4</mn></mtd></mtr></mtable></math>", "{1,2;3,4}"),
    ("<math><semantics><mi>x</mi></semantics><ms>q</ms></math>", "xq"),
    ("<math><mtable><mtr><mtd><mn>1</mn></mtd><mspace></mspace><mtd><mn>2</mn></mtd></mtr></mtable></math>",
     "{1,2}"),  # only the cells of a row are read
    ("<math><mtable><mtr><mtd><mn>1</mn></mtd><mtext>x</mtext><mtd><mn>2</mn></mtd></mtr></mtable></math>",
     "{1,2}"),
])
def test_every_kind_of_mathml_node_serializes(mathml: str, text: str) -> None:
    assert html.serialize(soup_of(mathml).math, svg=False) == text


@pytest.mark.parametrize("name", ["menclose", "merror", "msqrt", "mroot"])
def test_an_unknown_node_is_unreadable(name: str) -> None:
    with pytest.raises(html.Unreadable, match=rf"^unexpected {name} node$"):
        html.serialize(soup_of(f"<math><{name}><mn>1</mn><mn>2</mn></{name}></math>").math, svg=False)


def test_svg_glyphs_and_text_are_read() -> None:
    svg = soup_of('<svg><g data-mml-node="math">'
                  '<g data-mml-node="mi"><use xlink:href="#MJX-TEX-I-1D465"></use></g>'
                  '<g data-mml-node="mtext"><text>梯度</text></g>'
                  '<g data-mml-node="mo"><use xlink:href="x"></use></g>'
                  '<g data-mml-node="mn"><use xlink:href="#MJX-N-32"></use>'
                  '<use xlink:href="#MJX-N-2212"></use></g></g></svg>').svg
    assert html.serialize(svg, svg=True) == "x梯度?2-"  # NFKC: the math italic x is x


def test_a_read_logarithm_is_a_value() -> None:
    assert len({html.Ln(Fraction(3)), html.Ln(Fraction(6, 2)), html.Ln(Fraction(3), -1)}) == 2
    with pytest.raises(AttributeError):
        html.Ln(Fraction(3)).sign = -1


def test_text_is_normalised() -> None:
    assert html._normal("\u2212 1\u00a02\u2062") == "-12"
    assert html._normal("⎡⎢⎣") == "["
    assert html._normal("⎤⎥⎦") == "]"
    assert html._normal("⎛⎞⎜⎟⎝⎠") == "()()()"
    assert html._normal("⎡⎢⎣⎤⎥⎦") == "[]"
    assert html._normal("[[a]]") == "[[a]]"  # only a run of bracket pieces collapses
    assert html._normal("ｘ²") == "x2"  # NFKC


def test_split_top_keeps_brackets_of_every_kind_whole() -> None:
    assert html.split_top("a=(b=c)=[d=e]={f=g}=h", "=") == ["a", "(b=c)", "[d=e]", "{f=g}", "h"]
    assert html.split_top("", "=") == [""]
    assert html.split_top("=", "=") == ["", ""]
    assert html.split_top("(a=b))=c=(", "=") == ["(a=b))=c=("]


@pytest.mark.parametrize("text, kind, places, value", [
    ("12", "exact", None, Fraction(12)),
    ("-12", "exact", None, Fraction(-12)),
    ("(3)/(4)", "exact", None, Fraction(3, 4)),
    ("-(3)/(4)", "exact", None, Fraction(-3, 4)),
    ("0.50", "rounded", 2, Decimal("0.50")),
    ("-10.5", "rounded", 1, Decimal("-10.5")),
    ("ln12", "log", None, html.Ln(Fraction(12))),
    ("-ln(1)/(2)", "log", None, html.Ln(Fraction(1, 2), -1)),
])
def test_numbers_of_each_kind(text, kind, places, value) -> None:
    assert html.number(text, kind, places) == value


@pytest.mark.parametrize("text, kind", [
    ("(3)/(4)5", "exact"), ("1(3)/(4)", "exact"), ("--1", "exact"), ("3/4", "exact"), ("", "exact"),
    ("1.", "rounded"), (".5", "rounded"), ("1.5x", "rounded"), ("ln", "log"), ("ln-3", "log"),
    ("xln3", "log"), ("ln3x", "log"),
])
def test_anything_else_is_not_a_number(text: str, kind: str) -> None:
    with pytest.raises(html.Unreadable, match="is not a number of kind"):
        html.number(text, kind, 1)


def test_matrices_and_terms() -> None:
    assert html.matrices("[{1,2;3,4}][{x_{1},y}]") == [[["1", "2"], ["3", "4"]], [["x_{1}", "y"]]]
    assert html.matrices("") == []
    for bad in ("[{1,2}]x", "x[{1}]", "[{1}", "{1}", "1[{2}]", "([{1}])"):
        with pytest.raises(html.Unreadable, match="is not a row of bracketed matrices"):
            html.matrices(bad)
    assert html.terms("(-1)⋅2+3⋅(-4)") == [("-1", "2"), ("3", "-4")]
    assert html.terms("(ln3)⋅(-(1)/(2))") == [("(ln3)", "-(1)/(2)")]


# -- exact arithmetic ---------------------------------------------------------------------------------------


def test_exact_matrix_arithmetic() -> None:
    A = [[Fraction(1), Fraction(2), Fraction(3)], [Fraction(-1), Fraction(0), Fraction(1, 2)]]
    B = [[Fraction(1), Fraction(0)], [Fraction(2), Fraction(1)], [Fraction(-1), Fraction(4)]]
    assert exact.shape(A) == (2, 3) and exact.shape([]) == (0, 0)
    assert exact.matmul(A, B) == [[2, 14], [Fraction(-3, 2), 2]]
    assert exact.transpose(A) == [[1, -1], [2, 0], [3, Fraction(1, 2)]]
    assert exact.matmul([[Fraction(1)], [Fraction(2)]], [[Fraction(3), Fraction(4)]]) == [[3, 4], [6, 8]]
    assert exact.matmul([[Fraction(1)] * 300], [[Fraction(2)]] * 300) == [[600]]  # sizes compared by value
    with pytest.raises(ValueError, match=r"^shapes \(2, 3\) and \(2, 3\) do not multiply$"):
        exact.matmul(A, A)
    with pytest.raises(ValueError, match=r"^shapes \(3, 2\) and \(3, 2\) do not multiply$"):
        exact.matmul(B, B)


@pytest.mark.parametrize("shown, true, places, ok", [
    (Fraction(1, 3), Fraction(1, 3), None, True),
    (Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**50), None, False),
    (Fraction(1, 3), THIRD, None, True),
    (THIRD, Fraction(1, 3), None, True),
    (Decimal("0.5"), Fraction(1, 2), None, True),
    # A value without an exact form must match to 40 digits (of the 50 computed), not fewer, not more.
    (Fraction(1, 3), THIRD_OFF["5E-41"], None, True),
    (Fraction(1, 3), THIRD_OFF["-5E-41"], None, True),
    (Fraction(1, 3), THIRD_OFF["5E-40"], None, False),
    (Fraction(1, 3), THIRD_OFF["-5E-40"], None, False),
    (Fraction(1, 2), Decimal("0.5" + "0" * 38 + "1"), None, False),  # exactly 1E-40 off: not within 40 digits
    (Decimal("0.3"), Fraction(1, 3), 1, True),
    (Decimal("0.3"), Fraction(1, 3), 2, False),
    (Decimal("0.33"), Fraction(1, 3), 2, True),
    (Decimal("0.34"), Fraction(1, 3), 2, False),
    (Decimal("-0.25"), Fraction(-1, 4), 2, True),
    (Decimal("0.1"), Fraction(3, 20), 1, True),  # exactly half a unit off
    (Decimal("0.2"), Fraction(3, 20), 1, True),
    (Decimal("0.1"), Fraction(3, 20) + Fraction(1, 10**45), 1, False),
    (Decimal("0.2"), Fraction(3, 20) - Fraction(1, 10**45), 1, False),
])
def test_agrees(shown, true, places, ok) -> None:
    assert exact.agrees(shown, true, places) is ok


# -- the built pages -----------------------------------------------------------------------------------


def test_the_built_pages_pass_with_every_number_checked(built, expected) -> None:
    for rel in PAGES:
        assert [k for k in expected[rel] if not k[1]] == [("linear", "", q) for q in QUANTITIES]
        page_example = [k for k in expected[rel] if not k[1]]
        assert verify_page(rel, soup_of(built[rel]), page_example) == (CHECKED_PER_PAGE, [])


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_a_changed_last_number_is_named(built, quantity: str) -> None:
    """The last number of each block, changed by one, is a mismatch naming the page and that quantity."""
    def change(soup):
        b = block(soup, quantity)
        last = b.select("mjx-assistive-mml mn")[-1].get_text()
        new = str(int(last) + 1)
        mn, g = b.select("mjx-assistive-mml mn")[-1], b.select('svg g[data-mml-node="mn"]')[-1]
        assert _drawn(g) == last
        redraw_pair(mn, g, new)

    errors = errors_after(built, change)
    assert errors and all(e.startswith(f"{PAGES[0]} (linear): ") for e in errors), errors
    if quantity not in INPUTS:
        assert any(e.startswith(f"{PAGES[0]} (linear): {quantity}") for e in errors), errors


def redraw_pair(mn: Tag, g: Tag, new: str) -> None:
    uses = g.find_all("use")
    template = uses[0]["xlink:href"].rsplit("-", 1)[0]
    for u in uses[1:]:
        u.decompose()
    uses[0]["xlink:href"] = f"{template}-{ord(new[0]):X}"
    for ch in reversed(new[1:]):
        twin = soup_of(str(uses[0])).use
        twin["xlink:href"] = f"{template}-{ord(ch):X}"
        uses[0].insert_after(twin)
    mn.string = new


@pytest.mark.parametrize("quantity, entry, old, new", [
    ("Y", "[2,4]", "1", "2"),  # y_24 = -1 shown as -2
    ("dX", "[1,1]", "8", "9"),
    ("dW", "[3,4]", "1", "3"),
])
def test_a_wrong_matrix_entry_is_named_with_both_values(built, quantity, entry, old, new) -> None:
    def change(soup):
        b = block(soup, quantity)
        mn = [m for m in b.select("mjx-assistive-mml mn") if m.get_text() == old]
        g = [g for g in b.select('svg g[data-mml-node="mn"]') if _drawn(g) == old]
        index = 0 if quantity == "dX" else -1
        redraw_pair(mn[index], g[index], new)

    errors = errors_after(built, change)
    assert len(errors) == 1, errors
    assert re.fullmatch(rf"{re.escape(PAGES[0])} \(linear\): {quantity}{re.escape(entry)} shows -?{new}, "
                        rf"recomputed from the displayed inputs: -?{old}", errors[0]), errors




@pytest.mark.parametrize("quantity", ["dX_entry", "dW_entry"])
def test_each_factor_and_total_of_an_expansion_is_checked(built, quantity: str) -> None:
    def change(soup):
        b = block(soup, quantity)
        for m, g in zip(b.select("mjx-assistive-mml mn"), b.select('svg g[data-mml-node="mn"]'), strict=True):
            scripted = m.find_parent(["msub", "msup", "msubsup", "munder", "mover", "munderover"])
            if _drawn(g) == "2" and m.get_text() == "2" and scripted is None:
                redraw_pair(m, g, "5")
                break

    errors = errors_after(built, change)
    assert len(errors) == 1 and re.search(rf"{quantity}\[\d,\d\] term \d (first|second) factor shows -?5, "
                                          r"recomputed from the displayed inputs: -?2", errors[0]), errors


@pytest.mark.parametrize("quantity, where", [("dX_entry", "[2,3] total"), ("dW_entry", "[3,2] total"),
                                             ("dX_rowcol", "[2,3] total"), ("dW_rowcol", "[3,2] total")])
def test_a_wrong_total_is_named(built, quantity: str, where: str) -> None:
    def change(soup):
        b = block(soup, quantity)
        mn, g = b.select("mjx-assistive-mml mn")[-1], b.select('svg g[data-mml-node="mn"]')[-1]
        redraw_pair(mn, g, "9")

    errors = errors_after(built, change)
    assert any(f"{quantity}{where} shows" in e for e in errors), errors
    if quantity.endswith("entry"):
        assert any(f"{quantity}{where} against dL/d" in e for e in errors), errors


@pytest.mark.parametrize("quantity, part", [("dX_rowcol", "row entry 2"), ("dW_rowcol", "column entry 1")])
def test_each_entry_of_a_row_times_column_is_checked(built, quantity: str, part: str) -> None:
    def change(soup):
        b = block(soup, quantity)
        mns = b.select("mjx-assistive-mml mtd mn")
        gs = b.select('svg g[data-mml-node="mtd"] g[data-mml-node="mn"]')
        k = 1 if part == "row entry 2" else 2  # dW_rowcol: [-2, -1] [2; 2], so cell 2 is the column's first
        redraw_pair(mns[k], gs[k], "8")

    errors = errors_after(built, change)
    assert any(f"{quantity}[" in e and f"] {part} shows" in e for e in errors), errors


def test_the_english_page_is_checked_the_same(built) -> None:
    rel = PAGES[1]
    errors = errors_after(built, lambda soup: redraw(block(soup, "L"), "19", "18"), rel)
    assert errors == [f"{rel} (linear): L shows -18, recomputed from the displayed inputs: -19"]


# -- what the page must show, and nothing else -----------------------------------------------------------


def test_a_missing_duplicated_or_unasked_block_is_named(built) -> None:
    soup = soup_of(built[PAGES[0]])
    block(soup, "dW").decompose()
    twin = soup_of(str(block(soup, "L"))).div
    block(soup, "L").insert_after(twin)
    extra = soup_of(str(block(soup, "Y"))).div
    extra["data-quantity"] = "Z"
    soup.append(extra)
    _, errors = run_page(str(soup))
    rel = PAGES[0]
    assert f"{rel}: linear.dW is in the page source but not on the built page" in errors
    assert f"{rel}: shows linear.L 2 times; its source asks for it once" in errors
    assert f"{rel}: shows linear.Z, which its page source does not ask for" in errors
    assert f"{rel} (linear): L: not shown on the page" in errors  # a duplicated block is not read at all


def test_a_block_no_check_reads_is_named(built) -> None:
    """When the check stops at an unreadable input, every block it did not reach is named as unread."""
    soup = soup_of(built[PAGES[0]])
    block(soup, "W").select_one("mjx-assistive-mml mtable").decompose()
    block(soup, "W").select_one('svg g[data-mml-node="mtable"]').decompose()
    checked, errors = run_page(str(soup))
    rel = PAGES[0]
    assert errors[0].startswith(f"{rel} (linear): W: ")
    unread = [e for e in errors if e.endswith("is shown but no check reads it")]
    assert unread == [f"{rel} (linear): {q} is shown but no check reads it"
                      for q in sorted(set(QUANTITIES) - {"X", "W"})]
    assert checked == 1 + 1  # the left-hand sides of X and W


def test_an_unknown_topic_is_named(built) -> None:
    wanted = [("conv", "", "Y")] + [("linear", "", q) for q in QUANTITIES]
    checked, errors = run_page(built[PAGES[0]], wanted=wanted)
    assert f"{PAGES[0]} (conv): no topic 'conv' in the registry, so nothing checks it" in errors
    assert f"{PAGES[0]}: conv.Y is in the page source but not on the built page" in errors
    assert checked == CHECKED_PER_PAGE


@pytest.mark.parametrize("other", ["aaa", "zzz"])
def test_blocks_of_another_topic_never_reach_this_topics_check(built, other: str) -> None:
    """A page may show several topics: each check sees its own topic's blocks only."""
    soup = soup_of(built[PAGES[0]])
    for q in QUANTITIES:
        twin = soup_of(str(block(soup, q))).div
        twin["data-example"] = other
        soup.append(twin)
    redraw(soup.select_one(f'div.worked[data-example="{other}"][data-quantity="L"]'), "19", "18")
    wanted = [("linear", "", q) for q in QUANTITIES] + [(other, "", q) for q in QUANTITIES]
    checked, errors = run_page(str(soup), wanted=wanted)
    assert errors == [f"{PAGES[0]} ({other}): no topic {other!r} in the registry, so nothing checks it"]
    assert checked == CHECKED_PER_PAGE




def test_an_extra_row_of_w_is_named(built) -> None:
    def change(soup):
        b = block(soup, "W")
        for root in (b.select_one("mjx-assistive-mml mtable"), b.select_one('svg g[data-mml-node="mtable"]')):
            rows = [r for r in root.find_all(recursive=False) if r.get("data-mml-node", r.name) == "mtr"]
            rows[-1].insert_after(soup_of(str(rows[-1])).find(True))
    errors = errors_after(built, change)
    assert errors[0] == (f"{PAGES[0]} (linear): X columns (W's rows) shows 3, "
                         "recomputed from the displayed inputs: 4"), errors


@pytest.mark.parametrize("how", ["removed", "added"])
def test_g_of_the_wrong_shape_fails(built, how: str) -> None:
    """G with a row removed stops the check; only the blocks it did not read are named (the message could
    say more)."""
    def change(soup):
        b = block(soup, "G")
        for root in (b.select_one("mjx-assistive-mml mtable"), b.select_one('svg g[data-mml-node="mtable"]')):
            rows = [r for r in root.find_all(recursive=False) if r.get("data-mml-node", r.name) == "mtr"]
            if how == "removed":
                rows[1].decompose()
            else:
                rows[-1].insert_after(soup_of(str(rows[-1])).find(True))
    errors = errors_after(built, change)
    assert errors == [f"{PAGES[0]} (linear): {q} is shown but no check reads it"
                      for q in sorted(set(QUANTITIES) - {"X", "W", "G"})], errors


@pytest.mark.parametrize("quantity, old, new, reads", [
    ("dX_entry", "23", "13", "(∂L)/(∂x_{13}) = ∑_{k=1}^{4}g_{2k}w_{3k}"),
    ("dX_rowcol", "23", "22", "(∂L)/(∂x_{22}) = G_{2,:}(W^{T})_{:,3}"),
    ("dW_entry", "32", "31", "(∂L)/(∂w_{31}) = ∑_{k=1}^{2}x_{k3}g_{k2}"),
    ("dW_rowcol", "32", "12", "(∂L)/(∂w_{12}) = (X^{T})_{3,:}G_{:,2}"),
    ("L", "4", "3", "L = ∑_{m=1}^{2}∑_{n=1}^{3}g_{mn}y_{mn}"),
    ("G", "Y", "X", "G = (∂L)/(∂X)"),
])
def test_a_wrong_left_hand_side_is_named(built, quantity, old, new, reads) -> None:
    def change(soup):
        b = block(soup, quantity)
        mn = next(m for m in b.select("mjx-assistive-mml mn, mjx-assistive-mml mi") if m.get_text() == old)
        g = next(g for g in b.select('svg g[data-mml-node="mn"], svg g[data-mml-node="mi"]')
                 if html._normal(_drawn(g)) == old)
        redraw_pair(mn, g, new)

    errors = errors_after(built, change)
    start = f"{PAGES[0]} (linear): {quantity}: the left-hand side reads {reads!r}, it must read "
    assert any(e.startswith(start)
               for e in errors), errors


@pytest.mark.parametrize("entry", ["0,3", "3,3", "2,4", "2,0", "2", "a,b", "-1,3", ""])
def test_a_bad_data_entry_is_named(built, entry: str) -> None:
    errors = errors_after(built, lambda soup: block(soup, "dX_entry").__setitem__("data-entry", entry))
    message = f"dX_entry: data-entry={entry!r} is not a 1-based entry of a 2x3 matrix"
    assert f"{PAGES[0]} (linear): {message}" in errors


def test_the_last_row_and_column_are_valid_entries(built) -> None:
    """data-entry may name any entry of the gradient, up to the last row and the last column."""
    for quantity, entry in (("dX_rowcol", "1,1"), ("dW_rowcol", "3,4"), ("dW_rowcol", "1,4")):
        errors = errors_after(built, lambda soup, q=quantity, e=entry: block(soup, q).__setitem__(
            "data-entry", e))
        assert errors and not any("data-entry" in e for e in errors), errors


def test_a_missing_data_entry_is_named(built) -> None:
    errors = errors_after(built, lambda soup: block(soup, "dW_rowcol").attrs.pop("data-entry"))
    assert f"{PAGES[0]} (linear): dW_rowcol: data-entry=None is not a 1-based entry of a 3x4 matrix" in errors


# -- bigger, fractional and wrong examples, typeset by the build's hooks ---------------------------------


def _example(M: int, D: int, N: int, scale=1):
    X = [[Fraction((i * 7 + j * 3) % 5 - 2, scale) or 1 for j in range(D)] for i in range(M)]
    W = [[(i * 5 + j * 2) % 7 - 3 or 2 for j in range(N)] for i in range(D)]
    G = [[(i + 2 * j) % 3 - 1 or -2 for j in range(N)] for i in range(M)]
    return linear.worked_example(X, W, G)




def test_a_wrong_fraction_is_named() -> None:
    text = example_html(_example(3, 2, 4, scale=3)).replace(r"\frac{1}{3}", r"\frac{1}{4}")
    good = example_html(_example(3, 2, 4, scale=3))
    soup = soup_of(good)
    b = block(soup, "Y")
    mfrac = b.select_one("mjx-assistive-mml mfrac")
    if mfrac is None:
        pytest.skip("no fraction in Y")
    assert text  # typeset once more only to reuse the cache
    mfrac.select("mn")[-1].string = "7"
    svg_frac = b.select_one('svg g[data-mml-node="mfrac"]')
    use = svg_frac.select('g[data-mml-node="mn"] use')[-1]
    use["xlink:href"] = use["xlink:href"].rsplit("-", 1)[0] + "-37"
    _, errors = run_page(str(soup))
    assert any(re.search(r"Y\[\d,\d\] shows -?\d+/7, recomputed", e) for e in errors), errors


# -- pages, sites and the command line ----------------------------------------------------------------------


def test_each_source_is_matched_to_the_page_it_builds(tmp_path: Path) -> None:
    for rel in ("index.md", "index.en.md", "a.md", "a.en.md", "b/index.md", "b/index.en.md", "c/d.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{{ linear.X }}, {{ linear@2.dW }}", encoding="utf-8")
    (tmp_path / "none.md").write_text("no worked example", encoding="utf-8")
    keys = [("linear", "", "X"), ("linear", "2", "dW")]
    assert source_quantities(tmp_path) == {page: keys for page in (
        "index.html", "en/index.html", "a/index.html", "en/a/index.html", "b/index.html", "en/b/index.html",
        "c/d/index.html")}


def test_an_unreadable_source_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xff\xfe")
    with pytest.raises(Unusable, match=r"^cannot read .*a\.md: "):
        source_quantities(tmp_path)
    (tmp_path / "a.md").unlink()
    (tmp_path / "a.md").symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(Unusable, match=r"^cannot read .*a\.md: "):
        source_quantities(tmp_path)


ASKS = " ".join(f"{{{{ linear.{q} }}}}" for q in QUANTITIES)  # a page source asking for every FC quantity


def page_sources(tmp_path: Path, texts: dict[str, str]) -> Path:
    """A docs/ folder holding these page sources."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


@pytest.fixture
def small_site(built, tmp_path: Path) -> Path:
    """The built site cut down to its worked examples: verify reads it as it reads the whole site."""
    site = tmp_path / "site"
    for rel, text in {**built, "index.html": "<p>home</p>", "en/index.html": "<p>home</p>",
                      "notation/index.html": "<p>x</p>"}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


def test_verify_counts_the_pages_sums_their_numbers_and_keeps_every_mismatch(small_site: Path,
                                                                              tmp_path: Path) -> None:
    """Over a site, verify adds up what it checks page by page; a quantity of an exercise the site
    lacks is named with the exercise's number (``linear@1.dW``), on the page that asks for it."""
    docs = page_sources(tmp_path, {"linear.md": ASKS, "linear.en.md": ASKS + " {{ linear@1.dW }}"})
    pages, checked, errors = verify(small_site, docs)
    assert (pages, checked) == (2, 2 * CHECKED_PER_PAGE)
    assert errors[0] == "en/linear/index.html: linear@1.dW is in the page source but not on the built page"
    assert errors[1:] and all(e.startswith("en/linear/index.html (linear exercise 1): ") for e in errors[1:])
    (docs / "linear.md").write_text(ASKS + " {{ linear@2.X }}", encoding="utf-8")
    pages, checked, both = verify(small_site, docs)
    assert (pages, checked) == (2, 2 * CHECKED_PER_PAGE)
    missing = "linear/index.html: linear@2.X is in the page source but not on the built page"
    assert both[len(errors)] == missing
    assert both[:len(errors)] == errors  # pages in sorted order: en/ first
    (docs / "a.md").write_text("{{ linear.X }}", encoding="utf-8")  # sorts first, and is not built
    pages, checked, errors = verify(small_site, docs)
    assert (pages, checked) == (2, 2 * CHECKED_PER_PAGE)
    missing = "a/index.html: missing from the built site; its source shows 1 worked-example quantities"
    assert errors[0] == missing


def test_a_site_that_verifies_exits_0_with_its_totals(small_site: Path, tmp_path: Path, capsys) -> None:
    docs = page_sources(tmp_path, {"linear.md": ASKS, "linear.en.md": ASKS})
    assert main([str(small_site), "--docs", str(docs)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out == (f"verify: 2 page(s) with worked examples, {2 * CHECKED_PER_PAGE} displayed "
                                 "numbers checked, 0 mismatch(es)\n")


def test_a_site_with_mismatches_exits_1_and_prints_each(small_site: Path, tmp_path: Path, capsys) -> None:
    docs = page_sources(tmp_path, {"linear.md": ASKS + " {{ linear@1.dW }}", "linear.en.md": ASKS})
    assert main([str(small_site), "--docs", str(docs)]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[0] == ("MISMATCH linear/index.html: linear@1.dW is in the page source but not on the "
                        "built page")
    assert len(lines) > 1 and all(line.startswith("MISMATCH linear/index.html (linear exercise 1): ")
                                  for line in lines[1:])
    assert out.endswith(f" displayed numbers checked, {len(lines)} mismatch(es)\n")


def test_a_page_is_checked_without_its_blocks_and_with_blocks_it_does_not_ask_for(small_site: Path,
                                                                                  tmp_path: Path) -> None:
    docs = page_sources(tmp_path, {"linear.md": "{{ linear.X }}", "notation.md": "no worked example"})
    (small_site / "en" / "linear" / "index.html").unlink()
    (small_site / "linear" / "index.html").write_text("<p>the blocks are gone</p>", encoding="utf-8")
    block = '<div class="worked" data-example="linear" data-quantity="X"></div>'
    (small_site / "notation" / "index.html").write_text(block, encoding="utf-8")
    pages, checked, errors = verify(small_site, docs)
    assert (pages, checked) == (2, 0)
    assert errors == ["linear/index.html: linear.X is in the page source but not on the built page",
                      "linear/index.html (linear): X: not shown on the page",
                      "notation/index.html: shows linear.X, which its page source does not ask for"]


def test_an_unreadable_page_exits_2_with_a_message(small_site: Path, tmp_path: Path, capsys) -> None:
    (small_site / "linear" / "index.html").write_bytes(b"<p>\xff\xfe</p>")
    assert main([str(small_site), "--docs", str(DOCS)]) == 2
    err = capsys.readouterr().err
    page = small_site / "linear" / "index.html"
    assert err.startswith(f"verify: cannot read {page}: ") and "Traceback" not in err


def test_a_bug_in_a_check_module_exits_3_and_is_not_a_finding(small_site: Path, monkeypatch, capsys) -> None:
    from derivations.verify.checks import linear as linear_check

    def broken(p: Page) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(linear_check, "check", broken)
    assert main([str(small_site), "--docs", str(DOCS)]) == 3
    out, err = capsys.readouterr()
    assert err.startswith("verify: internal error in a check module, not a finding about the site:\n")
    assert err.rstrip().endswith("ZeroDivisionError: a bug") and "MISMATCH" not in err and out == ""


@pytest.mark.parametrize("z", [html.Ln(3), SimpleNamespace(arg=Fraction(3), sign=1),
                               namedtuple("Exp", "arg sign")(Fraction(3), 1), Fraction(3)],
                         ids=["a logarithm of an int", "not a logarithm, with a rational arg",
                              "the same, of a type named before Ln", "a rational"])
def test_e_to_the_z_is_exact_only_for_a_logarithm_of_a_rational(z) -> None:
    with pytest.raises(TypeError, match="e\\^z is exact only for a logarithm z = ln a"):
        exact.exp(z)


def test_the_change_of_l_is_recomputed_for_any_entry_of_x() -> None:
    """The FC page bumps x_{12} of its square example; a page bumping x_{21} instead is as right, and
    the change is then the (2, 1) entry of G W^T (5: neither the column's sum 8 nor the row's 4)."""
    example = linear.worked_example()
    dX = example.quantities["sq_dX"].value
    assert (dX[0, 0], dX[1, 0], dX[1, 1]) == (3, 5, -1)
    example.quantities["sq_probe"] = Shown(r"L(X + E_{21}) - L(X)", int(dX[1, 0]), (2, 1))
    assert verify_example(example)[1] == []


@pytest.mark.parametrize("layer", [(2, 3, 5), (1, 1, 1), (3, 7, 2)])
def test_the_jacobian_sizes_are_recomputed_for_any_layer(monkeypatch, layer) -> None:
    """The FC page's Jacobian section for layers other than its (64, 4096, 4096): sizes of 1, and
    sizes whose Jacobian is not a whole number of GiB."""
    monkeypatch.setattr(linear, "LAYER", layer)
    checked, errors = verify_example(linear.worked_example())
    assert errors == [] and checked > 0


@pytest.mark.parametrize("sizes", [(0, 3, 5), (2, -3, 5), (2, 3), (2, 3, 5, 7), (Fraction(1, 2), 3, 5),
                                   (2, Fraction(5, 2), 5)])
def test_layer_sizes_must_be_three_positive_integers(sizes) -> None:
    example = linear.worked_example()
    example.quantities["layer"] = Shown(example.quantities["layer"].lhs, NumberTuple(sizes))
    errors = verify_example(example)[1]
    assert any(e.startswith("linear/index.html (linear): layer: (M, D, N) must be three positive integers")
               for e in errors), errors


def test_a_site_without_worked_examples_fails(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>nothing</p>", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    assert verify(tmp_path, docs) == (0, 0, [f"{tmp_path}: no worked-example formulas found (div.worked); "
                                             "nothing was verified"])


def test_help_names_what_verify_does(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "Check every worked-example number a built site displays, from the built HTML alone." in out


@pytest.mark.parametrize("args, message", [
    (["nowhere"], "argument site_dir: {tmp}/nowhere is not a built site (no index.html)"),
    (["site", "--docs", "{tmp}/nowhere"], "argument --docs: {tmp}/nowhere is not a folder of page sources"),
    (["site"], "argument --docs: {tmp}/docs is not a folder of page sources"),
])
def test_bad_arguments_exit_2(small_site: Path, tmp_path: Path, capsys, args, message) -> None:
    args = [str(small_site) if a == "site" else a.format(tmp=tmp_path) for a in args]
    args = [str(tmp_path / a) if a == "nowhere" else a for a in args]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(message.format(tmp=tmp_path))


# -- the kinds of number, read from formulas typeset by the real build hooks -----------------


@pytest.mark.parametrize("tex, wanted, ok", [
    (r"s = \frac{3}{4}", "3/4", True),
    (r"s = \frac{3}{5}", "3/4", False),
    (r"s = -\frac{3}{4}", "-3/4", True),
    (r"s = -\frac{3}{4}", "3/4", False),
])
def test_fractions_are_read_and_checked(tex: str, wanted: str, ok: bool) -> None:
    p = page(formula(tex, "exact"))
    p.expect_scalar("s", ["s"], Fraction(wanted))
    assert (p.errors == []) == ok, p.errors


@pytest.mark.parametrize("shown, ok", [("0.2689", True), ("0.2690", False), ("0.2688", False),
                                       ("0.269", False)])
def test_rounded_values_are_checked_to_half_a_unit(shown: str, ok: bool) -> None:
    """sigma(-1) = 0.268941421...: 0.2689 is right; one unit off in the last digit, or too few digits, is
    not."""
    true = 1 / (1 + Decimal(1).exp())
    p = page(formula(f"s = {shown}", "rounded", 4))
    try:
        p.expect_scalar("s", ["s"], true)
    except Exception as err:
        p.errors.append(str(err))
    assert (p.errors == []) == ok, p.errors


@pytest.mark.parametrize("shown, ok", [("0.0228 + (-0.1080) = -0.0852", True),
                                       ("0.0228 + (-0.1080) = -0.0853", False),
                                       ("0.0229 + (-0.1080) = -0.0852", False)])
def test_a_sum_of_rounded_terms_is_checked_term_by_term(shown: str, ok: bool) -> None:
    """Phi(-2) + (-2) phi(-2) = GELU'(-2): each rounded term, and the total against the true sum (not the
    sum of the rounded terms), within half a unit of the last digit."""
    import mpmath

    with mpmath.workdps(60):
        terms = [Decimal(mpmath.nstr(v, 55)) for v in (mpmath.ncdf(-2), -2 * mpmath.npdf(-2))]
    p = page(formula(f"s = {shown}", "rounded", 4))
    p.expect_sum("s", ["s"], terms, "")
    assert (p.errors == []) == ok, p.errors


def test_logarithms_are_read_exactly() -> None:
    tex = r"s = \begin{bmatrix} \ln 3 & \ln \frac{1}{2} \end{bmatrix}"
    p = page(formula(tex, "log"))
    (row,) = p.matrix("s", ["s"])
    assert [(type(z).__name__, z.arg, z.sign) for z in row] == [("Ln", 3, 1), ("Ln", Fraction(1, 2), 1)]
    assert [exact.exp(z) for z in row] == [3, Fraction(1, 2)]
    with pytest.raises(TypeError, match="exact only for a logarithm"):
        exact.exp(Fraction(3))


def test_a_hat_reads_the_same_in_svg_and_mathml() -> None:
    """MathJax draws the hat as U+02C6 and writes '^' in the MathML; both read as ``Y^{^}``."""
    p = page(formula(r"\frac{\partial L}{\partial \hat{Y}} = \frac{3}{4}", "exact"))
    p.expect_scalar("s", ["(∂L)/(∂Y^{^})"], Fraction(3, 4))
    assert p.errors == []
    with pytest.raises(Exception, match="left-hand side"):
        p.expect_scalar("s", ["(∂L)/(∂Y)"], Fraction(3, 4))


@pytest.mark.parametrize("tex, wanted, ok", [
    (r"s = \ln 3", html.Ln(Fraction(3)), True),
    (r"s = \ln 3", html.Ln(Fraction(2)), False),
    (r"s = \ln \frac{1}{2}", html.Ln(Fraction(2), -1), True),
    (r"s = -\ln 2", html.Ln(Fraction(1, 2)), True),
    (r"s = \ln \frac{2}{3}", html.Ln(Fraction(3, 2)), False),
    (r"s = \ln 1", Fraction(0), False),
])
def test_logarithms_are_compared_exactly(tex: str, wanted, ok: bool) -> None:
    """A displayed ln a equals a recomputed ln b exactly when a = b; a logarithm is never a plain number."""
    p = page(formula(tex, "log"))
    p.expect_scalar("s", ["s"], wanted)
    assert (p.errors == []) == ok, p.errors


def test_a_plain_number_where_a_logarithm_is_recomputed_is_a_mismatch() -> None:
    p = page(formula("s = 0", "exact"))
    p.expect_scalar("s", ["s"], html.Ln(Fraction(1)))
    assert p.errors and "recomputed from the displayed inputs: ln 1" in p.errors[0], p.errors


@pytest.mark.parametrize("tex, ok", [
    (r"s = 68\,719\,476\,736", True),
    (r"s = 68\,719\,476\,737", False),
    (r"s = -\frac{1}{65\,536}", False),
])
def test_digits_in_groups_of_three_are_read_as_one_number(tex: str, ok: bool) -> None:
    p = page(formula(tex, "exact"))
    p.expect_scalar("s", ["s"], Fraction(68719476736))
    assert (p.errors == []) == ok, p.errors


def test_numbers_in_parentheses_are_read() -> None:
    p = page(formula(r"(M, D, N) = (64, 4096, -\frac{1}{2})", "exact"))
    assert p.numbers("s", ["(M,D,N)"]) == [64, 4096, Fraction(-1, 2)]
    p = page(formula(r"(M, D) = \begin{bmatrix} 1 & 2 \end{bmatrix}", "exact"))
    with pytest.raises(Exception, match="in parentheses"):
        p.numbers("s", ["(M,D)"])


@pytest.mark.parametrize("tex, errors", [
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & -1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & -2 \end{bmatrix}", []),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & 1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & -2 \end{bmatrix}", ["factor 2 [1,2] shows 1"]),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & -1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & 2 \end{bmatrix}", ["product [2,2] shows 2"]),
])
def test_a_matrix_product_is_checked_factor_by_factor(tex: str, errors: list[str]) -> None:
    p = page(formula(f"p = {tex}", "exact", quantity="p"))
    p.expect_product("p", ["p"], [[[Fraction(1)], [Fraction(2)]], [[Fraction(3), Fraction(-1)]]])
    assert len(p.errors) == len(errors), p.errors
    assert all(e in f for e, f in zip(errors, p.errors, strict=True)), p.errors


def test_a_product_with_a_missing_factor_is_a_mismatch() -> None:
    p = page(formula(r"p = \begin{bmatrix} 1 \\ 2 \end{bmatrix} = \begin{bmatrix} 1 \\ 2 \end{bmatrix}",
                     "exact", quantity="p"))
    with pytest.raises(Exception, match="product of 1 matrices, recomputed: 2"):
        p.expect_product("p", ["p"], [[[Fraction(1)], [Fraction(2)]], [[Fraction(1)]]])


def test_a_product_with_a_factor_too_many_is_a_mismatch() -> None:
    p = page(formula(r"p = \begin{bmatrix} 1 \end{bmatrix} \begin{bmatrix} 1 \\ 2 \end{bmatrix}"
                     r" \begin{bmatrix} 1 \end{bmatrix} = \begin{bmatrix} 1 \\ 2 \end{bmatrix}",
                     "exact", quantity="p"))
    with pytest.raises(Mismatch, match=r"^p: shows a product of 3 matrices, recomputed: 2$"):
        p.expect_product("p", ["p"], [[[Fraction(1)], [Fraction(2)]], [[Fraction(1)]]])


def test_a_product_of_something_other_than_matrices_is_a_mismatch() -> None:
    p = page(formula(r"p = 2 \begin{bmatrix} 1 \end{bmatrix} = \begin{bmatrix} 2 \end{bmatrix}", "exact",
                     quantity="p"))
    with pytest.raises(Mismatch, match=r"^p: '2\[\{1\}\]' is not a row of bracketed matrices$"):
        p.expect_product("p", ["p"], [[[Fraction(2)]], [[Fraction(1)]]])
