"""The notebook pages (docs/notebook.ipynb, docs/training.ipynb, their English twins), hooks/notebooks.py.

- both notebooks run clean in the venv's kernel and are committed without outputs;
- both gradient checks use the reader's formulas, so a wrong ``dX`` or ``dW`` makes each of them fail;
- what the notebooks print is the same in both languages, so it must not be English prose;
- the hook turns Markdown-cell math into arithmatex markup, strictly, and drops mkdocs-jupyter's extras;
- the built pages carry typeset math, Material code blocks and the executed outputs, and stay light;
- the training notebooks run, their loss falls, their plots are SVG with alt text, and their gradient
  matches PyTorch's at the first and last step (with ``REQUIRE_TORCH`` set, as in CI, it must have been
  compared; without torch the notebook says the comparison was skipped and still runs).
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType, SimpleNamespace

import nbformat
import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs_jupyter import convert
from mkdocs_jupyter.plugin import NotebookFile
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ("notebook.ipynb", "notebook.en.ipynb")
PAGES = {"notebook.ipynb": "notebook/index.html", "notebook.en.ipynb": "en/notebook/index.html"}
KERNEL = "python3"
CELL_TIMEOUT = 120

# notebook/index.html measured 633 kB (101 kB gzip) with the stub notebooks, 666 kB (106 kB gzip) with
# this content as mkdocs-jupyter emits it, and 138 kB (25 kB gzip) trimmed, 92 kB of which is typeset math.
MAX_PAGE_BYTES = 180_000
# Nothing on the page needs inline CSS any more; this leaves room for a small one, not for JupyterLab's.
MAX_STYLE_BYTES = 1024
# Output the build must have produced by running the notebooks (execute: true).
EXECUTED = ("L = -19", "Y == example['Y']: True", "L == example['L']: True", "dX == example['dX']: True",
            "dW == example['dW']: True", "check_grads(loss, backward(Xf, Wf, Gf), Xf, Wf): \u2713")
# Two lower-case words in a row: a sentence in English, not a code name or a number.
ENGLISH_PROSE = re.compile(r"\b[a-z]{2,} [a-z]{2,}\b")
# The cell where the reader may edit the formulas, and the two checks that must then fail.
FORMULAS, FINITE_DIFFERENCES, CHECK_GRADS = "by-hand-code", "fd-run-code", "gradcheck-code"
# mkdocs-jupyter's MathJax 2 config, Mermaid and require.js loaders, and clipboard element.
DEAD_SCRIPTS = ("text/x-mathjax-config", "MathJax.Hub", "require.js", "mermaid", "ClipboardCopyElement",
                "<clipboard-copy")
RAW_TEX = ("$", "\\frac", "\\partial", "\\sum", "\\mathsf", "\\(", "\\[")

# The training notebooks: one cell differs between the languages (the text of the plots and messages).
TRAINING = ("training.ipynb", "training.en.ipynb")
TRAINING_PAGES = {"training.ipynb": "training/index.html", "training.en.ipynb": "en/training/index.html"}
LANGUAGE_CELL = "text-code"
TORCH_CELL, TRAIN_CELL = "torch-code", "train-code"
# What the training cell prints: the PyTorch comparison at a step, the loss at a step, the step count.
TORCH_CHECK = re.compile(r"^t = (\d+): (L \S+(?:, d\w+ \S+){4}) <= RTOL ✓$", re.MULTILINE)
LOSS_AT = re.compile(r"^t = +(\d+): L = (\d+\.\d+)$", re.MULTILINE)
STEPS = re.compile(r"\bSTEPS = (\d+)\b")
RTOL = 1e-12
SKIPPED = {"training.ipynb": "PyTorch 对照已跳过", "training.en.ipynb": "PyTorch comparison skipped"}
# Material's code column at desktop width holds 78 characters; a longer line makes the block scroll, and a
# scrolling block that cannot take focus is an axe violation (scrollable-region-focusable). Chinese
# characters take two columns.
MAX_CODE_COLUMNS = 76
# training/index.html measured 270 kB (65 kB gzip), 140 kB of it the two SVG figures in base64.
MAX_TRAINING_PAGE_BYTES = 400_000

CODE_SPAN = re.compile(r"`[^`]*`")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)
STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(DOCS / name, as_version=4)


def execute(nb: nbformat.NotebookNode, *, allow_errors: bool = False) -> None:
    """Run ``nb`` in place in the venv's kernel, from docs/ as the build does."""
    NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT, allow_errors=allow_errors,
                   resources={"metadata": {"path": str(DOCS)}}).execute()


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []))


def cell(nb: nbformat.NotebookNode, cell_id: str) -> nbformat.NotebookNode:
    (found,) = [c for c in nb.cells if c.get("id") == cell_id]
    return found


# --- the notebooks themselves -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    nb = read(name)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert 6 <= len(nb.cells) <= 10 and code, f"{name}: {len(nb.cells)} cells"
    for i, cell in enumerate(code):
        assert cell.outputs == [] and cell.execution_count is None, f"{name}: code cell {i} has outputs"
    assert "widgets" not in nb.metadata, f"{name}: widget state committed"


def test_both_languages_run_the_same_code() -> None:
    zh, en = ([c.source for c in read(n).cells if c.cell_type == "code"] for n in NOTEBOOKS)
    assert zh == en


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean_in_the_venv_kernel(name: str) -> None:
    nb = read(name)
    probe = nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)")
    nb.cells.append(probe)
    # allow_errors is off by default, so a failing cell raises CellExecutionError here.
    execute(nb)
    assert Path(probe.outputs[0]["text"].strip()) == Path(sys.prefix), "the kernel runs another Python"
    for i, code in enumerate(nb.cells[:-1]):
        for out in code.get("outputs", []):
            assert not (out.output_type == "stream" and out.name == "stderr"), f"cell {i}: {out.text}"
    text = "".join(printed(c) for c in nb.cells[:-1])
    for expected in EXECUTED:
        assert expected in text
    assert "False" not in text
    # Both languages run the same code, so the output is the same: numbers, symbols and code names only.
    assert not ENGLISH_PROSE.findall(text), ENGLISH_PROSE.findall(text)


@pytest.mark.parametrize("edit", [("dW = X.T @ G", "dW = X.T @ G * 2"), ("dX = G @ W.T", "dX = G @ W.T + 1")],
                         ids=["dW", "dX"])
def test_a_wrong_formula_makes_both_checks_fail(edit: tuple[str, str]) -> None:
    """The notebook invites the reader to break a formula; both gradient checks must then fail."""
    nb = read(NOTEBOOKS[0])
    formulas = cell(nb, FORMULAS)
    right, wrong = edit
    assert formulas.source.count(right) == 1, f"{FORMULAS} no longer holds {right!r}"
    assert sum(c.source.count(right) for c in nb.cells if c.cell_type == "code") == 1, "formula written twice"
    formulas.source = formulas.source.replace(right, wrong)
    execute(nb, allow_errors=True)
    name = right.split()[0]
    assert f"{name} == example[{name!r}]: False" in printed(formulas)
    errors = {cell_id: [out.ename for out in cell(nb, cell_id).outputs if out.output_type == "error"]
              for cell_id in (FORMULAS, FINITE_DIFFERENCES, CHECK_GRADS)}
    assert errors == {FORMULAS: [], FINITE_DIFFERENCES: ["AssertionError"], CHECK_GRADS: ["GradientMismatch"]}


# --- the training notebooks ---------------------------------------------------------------------------


def torch_expected() -> bool:
    """CI sets REQUIRE_TORCH; where torch is installed the comparison must run anyway."""
    return bool(os.environ.get("REQUIRE_TORCH")) or importlib.util.find_spec("torch") is not None


@pytest.mark.parametrize("name", TRAINING)
def test_training_notebook_is_committed_without_outputs(name: str) -> None:
    nb = read(name)
    nbformat.validate(nb)
    for i, code in enumerate(c for c in nb.cells if c.cell_type == "code"):
        assert code.outputs == [] and code.execution_count is None, f"{name}: code cell {i} has outputs"
    assert "widgets" not in nb.metadata


def test_training_notebooks_differ_only_in_their_text_cell() -> None:
    zh, en = ({c.id: c.source for c in read(n).cells if c.cell_type == "code"} for n in TRAINING)
    assert list(zh) == list(en)
    assert [i for i in zh if zh[i] != en[i]] == [LANGUAGE_CELL]


@pytest.mark.parametrize("name", TRAINING)
def test_training_code_fits_without_scrolling(name: str) -> None:
    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)

    wide = [(c.id, line) for c in read(name).cells if c.cell_type == "code"
            for line in c.source.splitlines() if columns(line) > MAX_CODE_COLUMNS]
    assert not wide, wide

@pytest.fixture(scope="module", params=TRAINING)
def trained(request: pytest.FixtureRequest) -> tuple[str, nbformat.NotebookNode]:
    """A training notebook run once in the venv's kernel; a failing cell fails here."""
    nb = read(request.param)
    execute(nb)
    return request.param, nb


def test_training_notebook_runs_clean(trained: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = trained
    for code in (c for c in nb.cells if c.cell_type == "code"):
        for out in code.outputs:
            assert not (out.output_type == "stream" and out.name == "stderr"), f"{name} {code.id}: {out.text}"


def test_training_loss_falls(trained: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = trained
    text = printed(cell(nb, TRAIN_CELL))
    steps = int(STEPS.search(text)[1])
    losses = {int(t): float(L) for t, L in LOSS_AT.findall(text)}
    assert {1, steps} <= set(losses), text
    assert losses[steps] < losses[1] / 2, f"{name}: L fell from {losses[1]} only to {losses[steps]}"


def test_training_plots_are_svg_with_a_title(trained: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = trained
    figures = [out.data for c in nb.cells if c.cell_type == "code" for out in c.outputs
               if out.output_type in ("display_data", "execute_result") and set(out.data) != {"text/plain"}]
    assert len(figures) == 2, f"{name}: {len(figures)} figures"
    for data in figures:
        assert "image/svg+xml" in data and not {"image/png", "image/jpeg"} & set(data), list(data)
        svg = data["image/svg+xml"]
        assert re.search(r"<dc:title>[^<]{20,}</dc:title>", svg), "no title to become the alt text"
        assert 'fill: #ffffff' not in svg, "an opaque white background would glare in the dark theme"


def test_training_gradient_matches_torch(trained: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = trained
    text = printed(cell(nb, TRAIN_CELL))
    if not torch_expected():
        assert "make torch" in printed(cell(nb, TORCH_CELL))
        pytest.skip("torch is not installed; the notebook skipped its comparison (with REQUIRE_TORCH=1 "
                    "this fails)")
    checks = dict(TORCH_CHECK.findall(text))
    steps = STEPS.search(text)[1]
    assert set(checks) == {"1", steps}, f"{name}: the PyTorch comparison did not run at both steps:\n" \
        + printed(cell(nb, TORCH_CELL)) + text
    for t, diffs in checks.items():
        values = [float(d.split()[1]) for d in diffs.split(", ")]
        assert len(values) == 5 and max(values) <= RTOL, f"t = {t}: {diffs}"


@pytest.mark.parametrize("name", TRAINING)
def test_training_notebook_without_torch_says_so_and_runs(name: str) -> None:
    nb = read(name)
    cells = [c.id for c in nb.cells]
    nb.cells = nb.cells[:cells.index(TRAIN_CELL) + 1]  # the plots do not touch torch
    blocked = nbformat.v4.new_code_cell('import sys\nsys.modules["torch"] = None  # import torch fails')
    nb.cells.insert(0, blocked)
    execute(nb)
    said = printed(cell(nb, TORCH_CELL))
    assert "make torch" in said and "torch" in said.replace("make torch", ""), said
    text = printed(cell(nb, TRAIN_CELL))
    steps = STEPS.search(text)[1]
    assert not TORCH_CHECK.search(text)
    for t in ("1", steps):
        assert re.search(rf"^t = {t}\W.*{SKIPPED[name]}", text, re.MULTILINE), text


# --- the hook on real mkdocs-jupyter output ----------------------------------------------------------


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_hook", ROOT / "hooks" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rendered(tmp_path: Path, hook: ModuleType, *cells: nbformat.NotebookNode) -> str:
    """One notebook through mkdocs-jupyter (not executed) and then the hook, as page ``demo.ipynb``."""
    path = tmp_path / "demo.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=list(cells)), path)
    content = convert.nb2html(str(path), execute=False)
    file = NotebookFile(File("demo.ipynb", str(tmp_path), str(tmp_path / "site"), True),
                        use_directory_urls=True, site_dir=str(tmp_path / "site"))
    return hook.on_page_content(content, page=SimpleNamespace(file=file, toc=[]))


def test_hook_writes_arithmatex_markup(tmp_path: Path, hook: ModuleType) -> None:
    md = nbformat.v4.new_markdown_cell(
        "Inline $a < b$ and `price $5` kept.\n\n$$\n\\frac{\\partial L}{\\partial x} = G\n$$\n"
    )
    code = nbformat.v4.new_code_cell('print("$1 & $2")')
    out = rendered(tmp_path, hook, md, code)
    assert '<span class="arithmatex">\\(a &lt; b\\)</span>' in out
    assert '<div class="arithmatex">\\[\\frac{\\partial L}{\\partial x} = G\\]</div>' in out
    assert "<code>price $5</code>" in out, "a $ in inline code is not math"
    assert '<div class="language-python highlight"><pre><code>' in out and "$1" in out
    for gone in ("<style", "<script", "clipboard-copy", "x-mathjax-config", 'id=""'):
        assert gone not in out


@pytest.mark.parametrize(
    "source, message",
    [
        ("It costs $5 to run.", "unmatched $"),
        ("Where $x$ and $y are.", "unmatched $"),
        ("Display $$x$$ in running text.", "must be a paragraph of its own"),
    ],
)
def test_hook_refuses_stray_dollars(tmp_path: Path, hook: ModuleType, source: str, message: str) -> None:
    with pytest.raises(PluginError, match=re.escape(message)) as info:
        rendered(tmp_path, hook, nbformat.v4.new_markdown_cell(source))
    assert str(info.value).startswith("demo.ipynb: "), "the error must name the page"


def test_hook_fails_on_a_cell_that_raised(tmp_path: Path, hook: ModuleType) -> None:
    cell = nbformat.v4.new_code_cell("1 / 0", execution_count=1, outputs=[
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                               traceback=["ZeroDivisionError: division by zero"]),
    ])
    with pytest.raises(PluginError, match=r"(?s)demo\.ipynb: a notebook cell raised.*ZeroDivisionError"):
        rendered(tmp_path, hook, cell)


def test_hook_drops_a_failed_run_from_the_cache(tmp_path: Path, hook: ModuleType) -> None:
    """A notebook that failed for want of a font must run again once the font is installed."""
    from mkdocs_jupyter.plugin import Plugin, _compute_cache_key

    jupyter = Plugin()
    jupyter.load_config({"execute": True, "cache_dir": str(tmp_path / "cache")})
    path = tmp_path / "demo.ipynb"
    cell = nbformat.v4.new_code_cell("1 / 0", execution_count=1, outputs=[
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                               traceback=["ZeroDivisionError: division by zero"]),
    ])
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    cached = tmp_path / "cache" / f"{_compute_cache_key(str(path), jupyter.config, True)}.json"
    cached.parent.mkdir()
    cached.write_text("{}")
    content = convert.nb2html(str(path), execute=False)
    file = NotebookFile(File("demo.ipynb", str(tmp_path), str(tmp_path / "site"), True),
                        use_directory_urls=True, site_dir=str(tmp_path / "site"))
    config = SimpleNamespace(plugins={"mkdocs-jupyter": jupyter})
    with pytest.raises(PluginError, match="ZeroDivisionError"):
        hook.on_page_content(content, page=SimpleNamespace(file=file, toc=[]), config=config)
    assert not cached.exists()

def svg_output(svg: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("show(fig)", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<SVG>"}),
    ])


def test_hook_gives_svg_figures_their_title_as_alt_text(tmp_path: Path, hook: ModuleType) -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><metadata><dc:title>Loss &amp; steps "curve"</dc:title>'
           '</metadata></svg>')
    out = rendered(tmp_path, hook, svg_output(svg))
    (img,) = BeautifulSoup(out, "html.parser").select("img")
    assert img["alt"] == 'Loss & steps "curve"'
    assert base64.b64decode(img["src"].split(",", 1)[1]).decode() == svg


@pytest.mark.parametrize("svg", ['<svg xmlns="http://www.w3.org/2000/svg"></svg>',
                                 '<svg xmlns="http://www.w3.org/2000/svg"><dc:title> </dc:title></svg>'],
                         ids=["no title", "blank title"])
def test_hook_refuses_a_figure_without_a_title(tmp_path: Path, hook: ModuleType, svg: str) -> None:
    with pytest.raises(PluginError, match=r"demo\.ipynb: a notebook figure has no title"):
        rendered(tmp_path, hook, svg_output(svg))


def test_hook_refuses_an_image_without_alt_text(tmp_path: Path, hook: ModuleType) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    cell = nbformat.v4.new_code_cell("plot()", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
    ])
    with pytest.raises(PluginError, match=r"demo\.ipynb: a notebook image has no alt text"):
        rendered(tmp_path, hook, cell)


# --- the built pages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=NOTEBOOKS)
def page(request: pytest.FixtureRequest, site_dir: Path) -> tuple[str, str]:
    return request.param, (site_dir / PAGES[request.param]).read_text(encoding="utf-8")


def test_page_math_is_typeset(page: tuple[str, str]) -> None:
    name, html = page
    sources = [CODE_SPAN.sub("", c.source) for c in read(name).cells if c.cell_type == "markdown"]
    expected = sum(len(MATH.findall(s)) for s in sources)
    soup = BeautifulSoup(html, "html.parser")
    cells = soup.select(".jp-RenderedMarkdown")
    assert len(cells) == len(sources)
    assert sum(len(c.select("mjx-container")) for c in cells) == expected > 20
    assert not soup.select(".arithmatex"), "math left for a browser-side MathJax"
    for cell in cells:
        for math in cell.select("mjx-container"):
            math.decompose()
        text = cell.get_text()
        assert not [t for t in RAW_TEX if t in text], f"raw TeX in {text[:200]!r}"


def test_page_has_no_dead_scripts_or_big_styles(page: tuple[str, str]) -> None:
    name, html = page
    for needle in DEAD_SCRIPTS:
        assert needle not in html, f"{name}: {needle}"
    sizes = [len(css.encode()) for css in STYLE.findall(html)]
    assert all(size <= MAX_STYLE_BYTES for size in sizes), f"{name}: <style> blocks of {sizes} bytes"
    assert "application/vnd.jupyter.stderr" not in html


def test_page_shows_code_and_outputs(page: tuple[str, str]) -> None:
    name, html = page
    soup = BeautifulSoup(html, "html.parser")
    code_cells = [c for c in read(name).cells if c.cell_type == "code"]
    blocks = soup.select(".jp-CodeCell .highlight > pre > code")
    assert len(blocks) == len(code_cells), "code cells are not Material code blocks"
    assert [b.get_text().rstrip("\n") for b in blocks] == [c.source for c in code_cells]
    # Material's copy button finds its code block by a selector built from the nearest id.
    ids = [el["id"] for el in soup.select(".jupyter-wrapper [id]")]
    assert all(re.fullmatch(r"[A-Za-z_][\w-]*", i) for i in ids), ids
    outputs = soup.select(".jp-OutputArea-output pre")
    assert len(outputs) >= len(code_cells) - 1  # the cell that only defines functions prints nothing
    text = "".join(o.get_text() for o in outputs)
    for expected in EXECUTED:
        assert expected in text, f"{name}: the build did not run the notebook"


def test_page_is_light(page: tuple[str, str]) -> None:
    name, html = page
    size = len(html.encode())
    assert size < MAX_PAGE_BYTES, f"{name}: {size} bytes, the bound is {MAX_PAGE_BYTES}"


@pytest.fixture(scope="module", params=TRAINING)
def training_page(request: pytest.FixtureRequest, site_dir: Path) -> tuple[str, str]:
    return request.param, (site_dir / TRAINING_PAGES[request.param]).read_text(encoding="utf-8")


def test_training_page_shows_math_code_and_figures(training_page: tuple[str, str]) -> None:
    name, html = training_page
    nb = read(name)
    soup = BeautifulSoup(html, "html.parser")
    cells = soup.select(".jp-RenderedMarkdown")
    sources = [CODE_SPAN.sub("", c.source) for c in nb.cells if c.cell_type == "markdown"]
    assert len(cells) == len(sources)
    assert sum(len(c.select("mjx-container")) for c in cells) == sum(len(MATH.findall(s)) for s in sources)
    assert not soup.select(".arithmatex")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    blocks = soup.select(".jp-CodeCell .highlight > pre > code")
    assert [b.get_text().rstrip("\n") for b in blocks] == [c.source for c in code_cells]
    images = soup.select(".jp-OutputArea-output img")
    assert len(images) == 2 and all(img["src"].startswith("data:image/svg+xml;base64,") for img in images)
    assert all(len(img["alt"]) >= 10 for img in images), [img["alt"] for img in images]
    text = "".join(o.get_text() for o in soup.select(".jp-OutputArea-output pre"))
    assert LOSS_AT.search(text), f"{name}: the build did not run the notebook"
    if torch_expected():
        assert len(TORCH_CHECK.findall(text)) == 2, f"{name}: the built page has no PyTorch comparison"
    for needle in DEAD_SCRIPTS:
        assert needle not in html, f"{name}: {needle}"
    size = len(html.encode())
    assert size < MAX_TRAINING_PAGE_BYTES, f"{name}: {size} bytes, the bound is {MAX_TRAINING_PAGE_BYTES}"
