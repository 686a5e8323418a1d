"""`derivations.verify` passes on the built site and fails on every way of tampering with it.

Each tampering is applied to a copy of the built site, to every quantity of every registered topic
on every page, and must give a mismatch that names the page, the quantity and, for a matrix, the entry.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from derivations.verify import Page, html, source_quantities, verify, verify_page

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The tampering tests that edit one page edit the fully-connected-layer page, whose numbers they name.
LINEAR = "linear/index.html"


def run_verify(site: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "derivations.verify", str(site), "--docs", str(DOCS), *extra]
    return subprocess.run(command, capture_output=True, text=True)


Block = tuple[str, str, str, str]  # page, topic, exercise ("" for the page's example), quantity


def quantities(site: Path) -> list[Block]:
    """Every worked-example block on the built site."""
    out = []
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        out += [(path.relative_to(site).as_posix(), b["data-example"], b.get("data-exercise", ""),
                 b["data-quantity"]) for b in soup.select("div.worked")]
    return out


def owner(topic: str, exercise: str) -> str:
    """How mismatches name the example a block belongs to."""
    return f"{topic} exercise {exercise}" if exercise else topic


def key(topic: str, exercise: str, quantity: str) -> str:
    """How mismatches name a quantity in the page-level checks: linear.dX, linear@1.dX."""
    return f"{topic}{'@' + exercise if exercise else ''}.{quantity}"


@pytest.fixture(scope="module")
def blocks(site_dir: Path) -> list[Block]:
    found = quantities(site_dir)
    assert len(found) >= 22, found
    assert any(b[2] for b in found), "no exercise on the site"
    return found


@pytest.fixture
def copy(site_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    return out


def edit(site: Path, page: str, change) -> None:
    path = site / page
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    change(soup)
    path.write_text(str(soup), encoding="utf-8")


def block(soup: BeautifulSoup, quantity: str, exercise: str = "") -> Tag:
    which = f'[data-exercise="{exercise}"]' if exercise else ":not([data-exercise])"
    found = soup.select_one(f'div.worked[data-quantity="{quantity}"]{which}')
    assert found is not None, (quantity, exercise)
    return found


def mismatches(site: Path) -> list[str]:
    return verify(site, DOCS)[2]


def page_mismatches(site: Path, page: str) -> list[str]:
    """verify on one built page only, against its source's placeholders (fast, for one edit at a time)."""
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    return verify_page(page, soup, source_quantities(DOCS).get(page, []))[1]


def test_verify_passes_on_the_built_site(site_dir: Path) -> None:
    result = run_verify(site_dir)
    assert result.returncode == 0, result.stderr
    pages, checked = map(int, re.search(r"(\d+) page\(s\).*?(\d+) displayed", result.stdout).groups())
    assert pages >= 2 and checked >= 130, result.stdout


def _last_number(b: Tag) -> tuple[Tag, Tag]:
    """The last digit glyph the SVG draws and the MathML number it belongs to."""
    glyph = b.select('svg g[data-mml-node="mn"] use')[-1]
    mn = b.select("mjx-assistive-mml mn")[-1]
    return glyph, mn


def _set_digit(glyph: Tag, mn: Tag, new: str) -> None:
    glyph["xlink:href"] = glyph["xlink:href"].rsplit("-", 1)[0] + f"-{ord(new):X}"
    mn.string = mn.get_text()[:-1] + new


LINEAR = "linear/index.html"
# Changing an input shows in every result computed from it (and a label out of range is named as such;
# the FC page's sizes and its D = N example too).
INPUTS = {"X", "W", "b", "G", "Yhat", "Y", "Z", "labels", "z", "y", "layer", "sq_X", "sq_W", "sq_G",
          "W1", "b1", "W2", "b2"}


def test_every_displayed_number_is_read(blocks, copy: Path) -> None:
    """Changing the last digit of each quantity, in SVG and MathML alike, is a mismatch naming it."""
    for page, topic, exercise, q in blocks:
        original = (copy / page).read_text(encoding="utf-8")

        new = []

        def change(soup, q=q, exercise=exercise, new=new):
            glyph, mn = _last_number(block(soup, q, exercise))
            new.append("7" if mn.get_text()[-1] != "7" else "8")
            _set_digit(glyph, mn, new[0])
        edit(copy, page, change)
        errors = page_mismatches(copy, page)
        (copy / page).write_text(original, encoding="utf-8")
        named = [e for e in errors if e.startswith(f"{page} ({owner(topic, exercise)}): {q}")]
        assert named or (q in INPUTS and errors), (page, exercise, q, errors)
        if q in ("Y", "dX", "dW") and named:  # a matrix result names the entry (mse's Y is an input)
            assert re.search(rf"\[\d,\d\] shows -?[\d.]*{new[0]},", named[0]), named
    assert not mismatches(copy)


def test_a_sign_flip_is_caught(blocks, copy: Path) -> None:
    page = LINEAR

    def flip(soup):
        b = block(soup, "dW")
        minus = b.select_one("mjx-assistive-mml mtd mo")
        minus.decompose()
        svg_minus = b.select_one('svg g[data-mml-node="mtd"] g[data-mml-node="mo"]')
        svg_minus.decompose()
    edit(copy, page, flip)
    errors = page_mismatches(copy, page)
    assert any(re.search(rf"^{re.escape(page)} \(linear\): dW\[1,1\] shows 4,", e) for e in errors), errors


def test_mathml_disagreeing_with_svg_is_caught(blocks, copy: Path) -> None:
    page = LINEAR
    edit(copy, page, lambda soup: _last_number(block(soup, "dX"))[1].replace_with(
        BeautifulSoup("<mn>9</mn>", "html.parser").mn))
    assert any("dX: the SVG draws" in e and "MathML says" in e for e in page_mismatches(copy, page))


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_duplicate_block_is_caught(blocks, copy: Path, where: str) -> None:
    for page, _, exercise, q in blocks:
        def duplicate(soup, q=q, exercise=exercise):
            b = block(soup, q, exercise)
            twin = BeautifulSoup(str(b), "html.parser").div
            (b.insert_before if where == "before" else b.insert_after)(twin)
        edit(copy, page, duplicate)
    errors = mismatches(copy)
    for page, topic, exercise, q in blocks:
        assert f"{page}: shows {key(topic, exercise, q)} 2 times; its source asks for it once" in errors


def test_a_deleted_block_is_caught(blocks, copy: Path) -> None:
    for page, _, exercise, q in blocks:
        edit(copy, page, lambda soup, q=q, exercise=exercise: block(soup, q, exercise).decompose())
    errors = mismatches(copy)
    for page, topic, exercise, q in blocks:
        assert f"{page}: {key(topic, exercise, q)} is in the page source but not on the built page" in errors


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_deleted_or_emptied_english_page_is_caught(blocks, copy: Path, how: str) -> None:
    english = sorted({b[0] for b in blocks if b[0].startswith("en/")})
    assert english
    for page in english:
        if how == "deleted":
            (copy / page).unlink()
        else:
            (copy / page).write_text("", encoding="utf-8")
    errors = mismatches(copy)
    for page in english:
        assert any(e.startswith(f"{page}:") for e in errors), (page, errors)


@pytest.mark.parametrize("label", ["relabelled", "unknown"])
def test_a_relabelled_or_unknown_quantity_is_caught(blocks, copy: Path, label: str) -> None:
    page, topic = LINEAR, "linear"
    new = {"relabelled": "dW", "unknown": "dZ"}[label]
    edit(copy, page, lambda soup: block(soup, "dX").__setitem__("data-quantity", new))
    errors = page_mismatches(copy, page)
    assert f"{page}: {topic}.dX is in the page source but not on the built page" in errors
    assert any(f"{page}: shows {topic}.{new}" in e for e in errors), errors


def _swap_svg_mml(b: Tag, old: str, new: str, nth: int = 0) -> None:
    """Replace one number's digits in the left-hand side, in the MathML and in the SVG."""
    mn = [m for m in b.select("mjx-assistive-mml mn") if m.get_text() == old][nth]
    mn.string = new
    groups = [g for g in b.select('svg g[data-mml-node="mn"]')
              if "".join(chr(int(u["xlink:href"].rsplit("-", 1)[1], 16)) for u in g.find_all("use")) == old]
    for use, ch in zip(groups[nth].find_all("use"), new, strict=True):
        use["xlink:href"] = use["xlink:href"].rsplit("-", 1)[0] + f"-{ord(ch):X}"


def test_a_changed_entry_label_is_caught(blocks, copy: Path) -> None:
    page = LINEAR
    edit(copy, page, lambda soup: _swap_svg_mml(block(soup, "dX_entry"), "23", "13"))
    errors = page_mismatches(copy, page)
    assert any(e.startswith(f"{page} (linear): dX_entry: the left-hand side reads '(∂L)/(∂x_{{13}})")
               for e in errors), errors


def test_exchanged_gradient_labels_are_caught(blocks, copy: Path) -> None:
    page = LINEAR

    def exchange(soup):
        dx, dw = block(soup, "dX"), block(soup, "dW")
        dx["data-quantity"], dw["data-quantity"] = "dW", "dX"
    edit(copy, page, exchange)
    errors = page_mismatches(copy, page)
    assert any(e.startswith(f"{page} (linear): dX: the left-hand side reads '(∂L)/(∂W)") for e in errors)


@pytest.mark.parametrize("entry", ["0,3", "3,3", "2,9", "2", "a,b", "-1,3", ""])
def test_a_bad_data_entry_is_caught(blocks, copy: Path, entry: str) -> None:
    page = LINEAR
    edit(copy, page, lambda soup: block(soup, "dX_entry").__setitem__("data-entry", entry))
    errors = page_mismatches(copy, page)
    assert f"{page} (linear): dX_entry: data-entry={entry!r} is not a 1-based entry of a 2x3 matrix" in errors


def test_a_fraction_is_not_read_as_its_digits(blocks, copy: Path) -> None:
    """-1/9 drawn where -19 would be expected is read as the fraction it is."""
    page = LINEAR

    def fraction(soup):
        b = block(soup, "L")  # L = -19 on the page
        mn = b.select("mjx-assistive-mml mn")[-1]
        assert mn.get_text() == "19"
        mn.replace_with(BeautifulSoup("<mfrac><mn>1</mn><mn>9</mn></mfrac>", "html.parser").mfrac)
        g = b.select('svg g[data-mml-node="mn"]')[-1]
        uses = g.find_all("use")
        g.replace_with(BeautifulSoup(
            f'<g data-mml-node="mfrac"><g data-mml-node="mn">{uses[0]}</g>'
            f'<g data-mml-node="mn">{uses[1]}</g><rect></rect></g>', "html.parser").g)
    edit(copy, page, fraction)
    wanted = f"{page} (linear): L shows -1/9, recomputed from the displayed inputs: -19"
    assert wanted in page_mismatches(copy, page)


def test_unreadable_files_exit_2(site_dir: Path, copy: Path) -> None:
    (copy / "linear" / "index.html").write_bytes(b"<p>\xff\xfe</p>")
    result = run_verify(copy)
    assert result.returncode == 2 and "linear/index.html" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    (copy / "linear" / "index.html").unlink()
    os.symlink(copy / "nowhere.html", copy / "linear" / "index.html")
    result = run_verify(copy)
    assert result.returncode == 2 and "linear/index.html" in result.stderr, result.stderr


def test_a_site_without_worked_examples_fails(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>nothing</p>", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    result = run_verify(tmp_path, "--docs", str(docs))
    assert result.returncode == 1
    assert "nothing was verified" in result.stderr


@pytest.mark.parametrize("args", [["missing"], [".", "--docs", "nowhere"]])
def test_a_bad_argument_exits_2_naming_it(tmp_path: Path, site_dir: Path, args: list[str]) -> None:
    args = [str(tmp_path / a) if a in ("missing", "nowhere") else str(site_dir) if a == "." else a
            for a in args]
    result = subprocess.run([sys.executable, "-m", "derivations.verify", *args],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert ("site_dir" in result.stderr or "--docs" in result.stderr) and "Traceback" not in result.stderr


# -- the kinds of number, read from formulas typeset by the real build hooks ------------------------------


def _typeset(tex: str, kind: str, places: int | None = None) -> Tag:
    sys.path.insert(0, str(ROOT / "hooks"))
    import mathjax

    div = (f'<div class="worked" data-example="t" data-quantity="s" data-kind="{kind}"'
           + (f' data-places="{places}"' if places else "") + ">"
           + f'<div class="arithmatex">\\[{tex}\\]</div></div>')
    page = type("P", (), {"file": type("F", (), {"src_uri": "test.md"})()})()
    return BeautifulSoup(mathjax.on_page_content(div, page=page), "html.parser").select_one("div.worked")


@pytest.mark.parametrize("tex, wanted, ok", [
    (r"s = \frac{3}{4}", "3/4", True),
    (r"s = \frac{3}{5}", "3/4", False),
    (r"s = -\frac{3}{4}", "-3/4", True),
    (r"s = -\frac{3}{4}", "3/4", False),
])
def test_fractions_are_read_and_checked(tex: str, wanted: str, ok: bool) -> None:
    from fractions import Fraction

    page = Page("p", "t", {"s": _typeset(tex, "exact")})
    page.expect_scalar("s", ["s"], Fraction(wanted))
    assert (page.errors == []) == ok, page.errors


@pytest.mark.parametrize("shown, ok", [("0.2689", True), ("0.2690", False), ("0.2688", False),
                                       ("0.269", False)])
def test_rounded_values_are_checked_to_half_a_unit(shown: str, ok: bool) -> None:
    """sigma(-1) = 0.268941421...: 0.2689 is right; one unit off in the last digit, or too few digits, is
    not."""
    true = 1 / (1 + Decimal(1).exp())
    page = Page("p", "t", {"s": _typeset(f"s = {shown}", "rounded", 4)})
    try:
        page.expect_scalar("s", ["s"], true)
    except Exception as err:
        page.errors.append(str(err))
    assert (page.errors == []) == ok, page.errors


@pytest.mark.parametrize("shown, ok", [("0.0228 + (-0.1080) = -0.0852", True),
                                       ("0.0228 + (-0.1080) = -0.0853", False),
                                       ("0.0229 + (-0.1080) = -0.0852", False)])
def test_a_sum_of_rounded_terms_is_checked_term_by_term(shown: str, ok: bool) -> None:
    """Phi(-2) + (-2) phi(-2) = GELU'(-2): each rounded term, and the total against the true sum (not the
    sum of the rounded terms), within half a unit of the last digit."""
    import mpmath

    with mpmath.workdps(60):
        terms = [Decimal(mpmath.nstr(v, 55)) for v in (mpmath.ncdf(-2), -2 * mpmath.npdf(-2))]
    page = Page("p", "t", {"s": _typeset(f"s = {shown}", "rounded", 4)})
    page.expect_sum("s", ["s"], terms, "")
    assert (page.errors == []) == ok, page.errors


def test_logarithms_are_read_exactly() -> None:
    from fractions import Fraction

    from derivations.verify.exact import exp

    tex = r"s = \begin{bmatrix} \ln 3 & \ln \frac{1}{2} \end{bmatrix}"
    page = Page("p", "t", {"s": _typeset(tex, "log")})
    (row,) = page.matrix("s", ["s"])
    assert [(type(z).__name__, z.arg, z.sign) for z in row] == [("Ln", 3, 1), ("Ln", Fraction(1, 2), 1)]
    assert [exp(z) for z in row] == [3, Fraction(1, 2)]
    with pytest.raises(TypeError, match="exact only for a logarithm"):
        exp(Fraction(3))


def test_a_rounded_value_one_unit_off_is_caught(blocks, copy: Path) -> None:
    """On the GELU page every value is rounded: the last digit one unit off is already a mismatch."""
    page = "gelu/index.html"
    assert any(p == page and t == "gelu" for p, t, *_ in blocks)
    original = (copy / page).read_text(encoding="utf-8")
    last = _last_number(block(BeautifulSoup(original, "html.parser"), "dZ_tanh"))[1].get_text()[-1]
    new = str((int(last) + 1) % 10)
    edit(copy, page, lambda soup: _set_digit(*_last_number(block(soup, "dZ_tanh")), new))
    assert any(e.startswith(f"{page} (gelu): dZ_tanh[2,3] shows") for e in page_mismatches(copy, page))


def test_a_hat_reads_the_same_in_svg_and_mathml() -> None:
    """MathJax draws the hat as U+02C6 and writes '^' in the MathML; both read as ``Y^{^}``."""
    page = Page("p", "t", {"s": _typeset(r"\frac{\partial L}{\partial \hat{Y}} = \frac{3}{4}", "exact")})
    page.expect_scalar("s", ["(∂L)/(∂Y^{^})"], Fraction(3, 4))
    assert page.errors == []
    with pytest.raises(Exception, match="left-hand side"):
        page.expect_scalar("s", ["(∂L)/(∂Y)"], Fraction(3, 4))


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
    page = Page("p", "t", {"s": _typeset(tex, "log")})
    page.expect_scalar("s", ["s"], wanted)
    assert (page.errors == []) == ok, page.errors


def test_a_plain_number_where_a_logarithm_is_recomputed_is_a_mismatch() -> None:
    page = Page("p", "t", {"s": _typeset("s = 0", "exact")})
    page.expect_scalar("s", ["s"], html.Ln(Fraction(1)))
    assert page.errors and "recomputed from the displayed inputs: ln 1" in page.errors[0], page.errors


@pytest.mark.parametrize("tex, ok", [
    (r"s = 68\,719\,476\,736", True),
    (r"s = 68\,719\,476\,737", False),
    (r"s = -\frac{1}{65\,536}", False),
])
def test_digits_in_groups_of_three_are_read_as_one_number(tex: str, ok: bool) -> None:
    from fractions import Fraction

    page = Page("p", "t", {"s": _typeset(tex, "exact")})
    page.expect_scalar("s", ["s"], Fraction(68719476736))
    assert (page.errors == []) == ok, page.errors


def test_numbers_in_parentheses_are_read() -> None:
    from fractions import Fraction

    page = Page("p", "t", {"s": _typeset(r"(M, D, N) = (64, 4096, -\frac{1}{2})", "exact")})
    assert page.numbers("s", ["(M,D,N)"]) == [64, 4096, Fraction(-1, 2)]
    page = Page("p", "t", {"s": _typeset(r"(M, D) = \begin{bmatrix} 1 & 2 \end{bmatrix}", "exact")})
    with pytest.raises(Exception, match="in parentheses"):
        page.numbers("s", ["(M,D)"])


@pytest.mark.parametrize("tex, errors", [
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & -1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & -2 \end{bmatrix}", []),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & 1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & -2 \end{bmatrix}", ["factor 2 [1,2] shows 1"]),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{bmatrix} 3 & -1 \end{bmatrix}"
     r" = \begin{bmatrix} 3 & -1 \\ 6 & 2 \end{bmatrix}", ["product [2,2] shows 2"]),
])
def test_a_matrix_product_is_checked_factor_by_factor(tex: str, errors: list[str]) -> None:
    from fractions import Fraction

    page = Page("p", "t", {"p": _typeset(f"p = {tex}", "exact")})
    page.expect_product("p", ["p"], [[[Fraction(1)], [Fraction(2)]], [[Fraction(3), Fraction(-1)]]])
    assert len(page.errors) == len(errors), page.errors
    assert all(e in f for e, f in zip(errors, page.errors, strict=True)), page.errors


def test_a_product_with_a_missing_factor_is_a_mismatch() -> None:
    from fractions import Fraction

    page = Page("p", "t", {"p": _typeset(r"p = \begin{bmatrix} 1 \\ 2 \end{bmatrix} = \begin{bmatrix} 1 \\ 2"
                                         r" \end{bmatrix}", "exact")})
    with pytest.raises(Exception, match="product of 1 matrices, recomputed: 2"):
        page.expect_product("p", ["p"], [[[Fraction(1)], [Fraction(2)]], [[Fraction(1)]]])
