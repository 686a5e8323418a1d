"""`python -m derivations.verify` passes on the built site and fails on a single changed digit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

PAGE = Path("linear/index.html")


def run_verify(site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivations.verify", str(site)],
                          capture_output=True, text=True)


@pytest.fixture
def tampered(site_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    return copy


def edit_dx(site: Path, svg_digit: str | None, mml_digit: str | None) -> str:
    """Change the first entry of the displayed dL/dX in the SVG, the MathML or both; return the old digit."""
    path = site / PAGE
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    block = soup.select_one('div.worked[data-quantity="dX"]')
    assert block is not None, "the page shows no dL/dX result"
    glyph = block.select_one('svg g[data-mml-node="mtd"] g[data-mml-node="mn"] use')
    mn = block.select_one("mjx-assistive-mml mtd mn")
    old = mn.string
    assert glyph["xlink:href"].endswith(f"-{ord(old):X}"), "SVG and MathML differ before the change"
    if svg_digit:
        glyph["xlink:href"] = glyph["xlink:href"].rsplit("-", 1)[0] + f"-{ord(svg_digit):X}"
    if mml_digit:
        mn.string = mml_digit
    path.write_text(str(soup), encoding="utf-8")
    return old


def test_verify_passes_on_the_built_site(site_dir: Path) -> None:
    result = run_verify(site_dir)
    assert result.returncode == 0, result.stderr
    pages, checked = map(int, re.search(r"(\d+) page\(s\).*?(\d+) displayed", result.stdout).groups())
    assert pages >= 1 and checked >= 30, result.stdout


def test_one_digit_changed_consistently_is_caught(tampered: Path) -> None:
    old = edit_dx(tampered, "7", "7")
    assert old != "7"
    result = run_verify(tampered)
    assert result.returncode == 1
    assert f"linear/index.html (linear): dX[1,1] shows 7, recomputed from the displayed inputs: {old}" \
        in result.stderr, result.stderr


def test_mathml_disagreeing_with_svg_is_caught(tampered: Path) -> None:
    edit_dx(tampered, None, "7")
    result = run_verify(tampered)
    assert result.returncode == 1
    assert "dX: the SVG draws" in result.stderr and "MathML says" in result.stderr, result.stderr


def test_a_site_without_worked_examples_fails(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>nothing</p>", encoding="utf-8")
    result = run_verify(tmp_path)
    assert result.returncode == 1
    assert "nothing was verified" in result.stderr


def test_a_bad_argument_exits_2_naming_it(tmp_path: Path) -> None:
    result = run_verify(tmp_path / "missing")
    assert result.returncode == 2
    assert "site_dir" in result.stderr and "missing" in result.stderr
