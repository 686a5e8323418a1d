"""The prose of the pages: premises the derivation needs, symbols defined before use, one language per page.

Formulas are checked elsewhere (test_steps, test_verify); these checks read the Markdown sources and the
notebooks' Markdown cells, with code, math, HTML tags and link targets taken out where they would
otherwise count as words.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LINEAR = {"zh": DOCS / "linear.md", "en": DOCS / "linear.en.md"}

# The chain rule of step 4 sums over the entries of Y only: it needs L to depend on X and W only through Y.
ONLY_THROUGH_Y = {"zh": "只通过 $Y$ 依赖于 $X$ 和 $W$", "en": "depends on $X$ and $W$ only through $Y$"}

MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
# G as a symbol: not part of a longer name or a TeX command.
SYMBOL_G = re.compile(r"(?<![A-Za-z\\])G(?![A-Za-z])")
DEFINES_G = r"G = \partial L / \partial Y"
PAGES_USING_G = ("index", "linear", "errata", "notation")

# Names, and the binary units of memory, that stay as they are in Chinese text.
PROPER_NAMES = {"Python", "NumPy", "SymPy", "PyTorch", "Jupyter", "Chromium", "MathJax", "SVG", "TeX",
                "GitHub", "darkknightzh",
                # Function names that Chinese texts keep as they are.
                "ReLU", "GELU", "Sigmoid", "Softmax", "softmax", "sigmoid", "tanh",
                # Model names.
                "BERT", "GPT", "Transformer",
                # Authors and units.
                "Johnson", "KiB", "MiB", "GiB"}
# Math written without $: Y = XW, x_ij, dY/dw_ij in headings and alt text.
MATH_TOKEN = re.compile(r"[A-Za-z]{1,2}(?:_[A-Za-z]+)?")


def markdown_sources(lang: str) -> dict[str, str]:
    """Each page's Markdown in ``lang``, the notebooks' Markdown cells included."""
    pages = {}
    for path in sorted(DOCS.glob("*.md")):
        if path.name.endswith(".en.md") == (lang == "en"):
            pages[path.name] = path.read_text(encoding="utf-8")
    for notebook in sorted(DOCS.glob("*.ipynb")):
        if notebook.name.endswith(".en.ipynb") == (lang == "en"):
            cells = nbformat.read(notebook, as_version=4).cells
            pages[notebook.name] = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    return pages


def prose(markdown: str) -> str:
    """What a reader reads as words: front matter, code, math, tags, link targets and attributes removed."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    text = MATH.sub("", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\]\([^)\s]*\)", "]", text)
    text = re.sub(r"\{[^{}\n]*\}", "", text)
    return text


@pytest.mark.parametrize("lang", LINEAR)
def test_the_loss_depends_on_x_and_w_only_through_y(lang: str) -> None:
    assert ONLY_THROUGH_Y[lang] in LINEAR[lang].read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ("zh", "en"))
@pytest.mark.parametrize("page", PAGES_USING_G)
def test_g_is_defined_where_it_first_appears(lang: str, page: str) -> None:
    path = DOCS / (f"{page}.md" if lang == "zh" else f"{page}.en.md")
    formulas = [m.group(0) for m in MATH.finditer(path.read_text(encoding="utf-8"))]
    first = next((f for f in formulas if SYMBOL_G.search(f)), None)
    assert first is not None, f"{path.name} never uses G"
    assert DEFINES_G in first, f"{path.name}: G first appears in {first!r}, before it is defined"


@pytest.mark.parametrize("name, text", markdown_sources("zh").items())
def test_chinese_pages_carry_no_stray_english(name: str, text: str) -> None:
    words = re.findall(r"[A-Za-z][A-Za-z_]*", prose(text))
    stray = sorted({w for w in words if w not in PROPER_NAMES and not MATH_TOKEN.fullmatch(w)})
    assert not stray, f"{name}: English words in the Chinese prose: {stray}"


def test_the_prose_filter_keeps_words_and_drops_code_and_math() -> None:
    sample = "见 [符号约定](notation.md){ #x } 与 `dW = X.T @ G` 和 $G W^{\\mathsf T}$ 是 row\n"
    assert re.findall(r"[A-Za-z]+", prose(sample)) == ["row"]
