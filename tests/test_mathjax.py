"""Build-time typesetting: TeX that MathJax rejects fails the strict build, naming page and formula."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CONFIG = f"""\
site_name: t
docs_dir: docs
theme: {{name: material, font: false}}
markdown_extensions:
  - pymdownx.arithmatex: {{generic: true}}
hooks:
  - {ROOT / "hooks" / "mathjax.py"}
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)


@pytest.mark.parametrize(
    "page, formula, reason",
    [
        ("Text $\\foo{x}$ here.\n", "\\\\foo{x}", "Undefined control sequence"),
        ("$$\n\\frac{a}{b\n$$\n", "\\\\frac{a}{b", "Missing close brace"),
        ("$$\n\\begin{bmatrix} 1 \\end{matrix}\n$$\n", "\\\\begin{bmatrix}", "ended with \\end{matrix}"),
        ("$$\na \\eqref{nowhere}\n$$\n", "", "\\eqref{nowhere} refers to no \\label"),
        ("$$\na \\label{here}\n$$\n\nsee $\\ref{there}$\n", "", "\\ref{there} refers to no \\label"),
    ],
    ids=["unknown macro", "syntax error", "mismatched environment", "dangling eqref", "dangling ref"],
)
def test_rejected_tex_fails_the_build_naming_page_and_formula(
    tmp_path: Path, page: str, formula: str, reason: str
) -> None:
    result = build(tmp_path, page)
    assert result.returncode != 0, "the build passed"
    assert "index.md" in result.stderr and reason in result.stderr, result.stderr[-2000:]
    assert formula in result.stderr, result.stderr[-2000:]


def test_good_tex_builds_to_svg_with_mathml_and_source(tmp_path: Path) -> None:
    page = "Inline $x_{ij}$ and\n\n$$\n\\frac{\\partial L}{\\partial x} \\label{a}\n$$\n\nsee $\\eqref{a}$.\n"
    result = build(tmp_path, page)
    assert result.returncode == 0, result.stderr[-2000:]
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert html.count("<mjx-container") == 3 and "<mjx-assistive-mml" in html
    assert 'data-latex="\\frac{\\partial L}{\\partial x} \\tag{1}"' in html
    assert 'id="eq-a"' in html and 'href="#eq-a"' in html
    assert "arithmatex" not in html, "a formula was left untypeset"
