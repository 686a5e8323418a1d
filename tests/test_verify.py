"""`derivations.verify` passes on the built site and fails on every way of tampering with it.

Each tampering is applied to a copy of the built site and must give a mismatch that names the page, the
quantity and, for a matrix, the entry. A changed number in every block of every topic is tested
in-process, topic by topic, in tests/test_verify_topics.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from derivations.verify import source_quantities, verify, verify_page

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


def edit_every_block(site: Path, blocks: list[Block], change) -> None:
    """``change(soup, quantity, exercise)`` for every block, each page read and written once."""
    for page in dict.fromkeys(b[0] for b in blocks):
        edit(site, page, lambda soup, page=page: [change(soup, q, n) for p, _, n, q in blocks if p == page])


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
    def duplicate(soup, q, exercise):
        b = block(soup, q, exercise)
        twin = BeautifulSoup(str(b), "html.parser").div
        (b.insert_before if where == "before" else b.insert_after)(twin)
    edit_every_block(copy, blocks, duplicate)
    errors = mismatches(copy)
    for page, topic, exercise, q in blocks:
        assert f"{page}: shows {key(topic, exercise, q)} 2 times; its source asks for it once" in errors


def test_a_deleted_block_is_caught(blocks, copy: Path) -> None:
    edit_every_block(copy, blocks, lambda soup, q, exercise: block(soup, q, exercise).decompose())
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


def test_a_rounded_value_one_unit_off_is_caught(blocks, copy: Path) -> None:
    """On the GELU page every value is rounded: the last digit one unit off is already a mismatch."""
    page = "gelu/index.html"
    assert any(p == page and t == "gelu" for p, t, *_ in blocks)
    original = (copy / page).read_text(encoding="utf-8")
    last = _last_number(block(BeautifulSoup(original, "html.parser"), "dZ_tanh"))[1].get_text()[-1]
    new = str((int(last) + 1) % 10)
    edit(copy, page, lambda soup: _set_digit(*_last_number(block(soup, "dZ_tanh")), new))
    assert any(e.startswith(f"{page} (gelu): dZ_tanh[2,3] shows") for e in page_mismatches(copy, page))
