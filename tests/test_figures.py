"""The committed figures are what ``derivations.figures`` draws, self-contained, and show the right cells."""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derivations import figures

ROOT = Path(__file__).resolve().parent.parent
SVG_NS = "{http://www.w3.org/2000/svg}"
M, D, N = 4, 3, 5


LANGS = ("zh", "en")
PAGES = {"zh": ROOT / "docs" / "linear.md", "en": ROOT / "docs" / "linear.en.md"}
# A product sign between X and W: the pages write the matrix product as juxtaposition, XW.
PRODUCT_SIGNS = ("\u2022", "\u00b7", "\u22c5", "\u2219", "\u25cf")
# "The only non-zero row": false when the row of W (column of X) it equals is zero. Say "zero outside".
OVERCLAIMS = ("只有第", "唯一非零", "才非零", "非零的", "only non-zero", "non-zero row", "non-zero column",
              "nonzero")


@pytest.fixture(scope="module", params=LANGS)
def root(request: pytest.FixtureRequest) -> ET.Element:
    return ET.fromstring(figures.linear_dependencies(lang=request.param))


def words(root: ET.Element) -> str:
    """Everything the figure says: its title, description and every piece of text it draws."""
    return " ".join("".join(el.itertext()) for el in root.iter()
                    if el.tag in (f"{SVG_NS}title", f"{SVG_NS}desc", f"{SVG_NS}text"))


def upright_runs(root: ET.Element) -> list[str]:
    """The drawn text outside italic runs: words, not the letters that name matrices and indices."""
    runs = []
    for text in root.iter(f"{SVG_NS}text"):
        runs.append(text.text or "")
        for span in text:
            if span.get("font-style") != "italic":
                runs.append(span.text or "")
            runs.append(span.tail or "")
    return [r for r in runs if r.strip()]


def figure_block(lang: str) -> str:
    text = PAGES[lang].read_text(encoding="utf-8")
    return text[text.index('<figure id="figure-1"'):text.index("</figure>")]


def lit(root: ET.Element, panel: str, matrix: str) -> list[tuple[int, int]]:
    """The 1-based (row, col) of every highlighted cell of ``matrix`` in ``panel``."""
    cells = [el for el in root.iter() if el.get("data-panel") == panel and el.get("data-matrix") == matrix
             and el.get("data-row")]
    assert cells, f"panel {panel} has no {matrix} grid"
    on = [el for el in cells if el.get("data-on") == "1"]
    return sorted((int(el.get("data-row")), int(el.get("data-col"))) for el in on)


def count(root: ET.Element, panel: str, matrix: str) -> int:
    return sum(1 for el in root.iter() if el.get("data-panel") == panel and el.get("data-matrix") == matrix
               and el.get("data-row"))


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_committed_figure_is_up_to_date(name: str) -> None:
    path = ROOT / "docs" / "assets" / "figures" / name
    assert path.is_file(), f"{path} is missing; run `python -m derivations.figures`"
    assert path.read_text(encoding="utf-8") == figures.FIGURES[name](), (
        f"{path.name} is stale; run `python -m derivations.figures`")


def test_check_flag_passes_on_the_committed_figures() -> None:
    result = subprocess.run([sys.executable, "-m", "derivations.figures", "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_flag_names_a_stale_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(figures, "ROOT", tmp_path)
    monkeypatch.setattr(figures, "OUT_DIR", tmp_path / "figs")
    assert figures.main([]) == 0
    assert figures.main(["--check"]) == 0
    (tmp_path / "figs" / "linear-dependencies-zh.svg").write_text("<svg/>", encoding="utf-8")
    assert figures.main(["--check"]) == 1
    assert "figs/linear-dependencies-zh.svg" in capsys.readouterr().err


def test_output_is_deterministic() -> None:
    assert figures.linear_dependencies() == figures.linear_dependencies()


def test_one_file_per_language_and_scheme() -> None:
    assert sorted(figures.FIGURES) == sorted(f"{name}-{lang}{dark}.svg"
                                             for name in ("linear-dependencies", "mlp-graph")
                                             for lang in LANGS for dark in ("", "-dark"))
    assert figures.FIGURES["linear-dependencies-en-dark.svg"]() == figures.linear_dependencies("dark", "en")
    with pytest.raises(ValueError, match="lang must be one of"):
        figures.linear_dependencies(lang="fr")


def test_svg_is_self_contained_and_accessible(root: ET.Element) -> None:
    text = ET.tostring(root, encoding="unicode")
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    _, _, w, h = root.get("viewBox").split()
    assert (root.get("width"), root.get("height")) == (w, h), "intrinsic size must match the viewBox in px"
    assert 600 <= int(w) <= 900
    assert (root.findtext(f"{SVG_NS}title") or "").strip()
    assert len((root.findtext(f"{SVG_NS}desc") or "").strip()) > 50
    assert not list(root.iter(f"{SVG_NS}script"))
    assert not list(root.iter(f"{SVG_NS}foreignObject"))
    for el in root.iter():
        for attr, value in el.attrib.items():
            assert not attr.startswith("on"), f"event handler {attr} on {el.tag}"
            if attr in ("href", "{http://www.w3.org/1999/xlink}href"):
                assert not re.match(r"\s*(https?:)?//", value), f"external reference {value}"
    assert "@font-face" not in text and "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    fonts = {el.get("font-family") for el in root.iter() if el.get("font-family")}
    assert fonts == {"sans-serif"}


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_svg_file_is_ascii(name: str) -> None:
    assert figures.FIGURES[name]().isascii(), "non-ASCII text is written as character references"


@pytest.mark.parametrize("lang", LANGS)
def test_light_and_dark_variants_differ_only_in_ink(lang: str) -> None:
    light, dark = (figures.linear_dependencies(s, lang) for s in ("light", "dark"))
    assert "#1f2937" in light and "#e5e7eb" not in light
    assert "#e5e7eb" in dark and "#1f2937" not in dark
    assert light.replace("#1f2937", "#e5e7eb") == dark


def test_the_product_is_juxtaposition_without_a_sign(root: ET.Element) -> None:
    said = words(root)
    assert not [sign for sign in PRODUCT_SIGNS if sign in said], said
    assert not list(root.iter(f"{SVG_NS}circle")), "a dot drawn as a product sign"
    assert "Y = XW" in said


def test_the_figure_does_not_overclaim_non_zero(root: ET.Element) -> None:
    said = words(root)
    assert not [phrase for phrase in OVERCLAIMS if phrase in said], said


def test_chinese_figure_draws_no_english_words() -> None:
    root = ET.fromstring(figures.linear_dependencies(lang="zh"))
    english = [w for run in upright_runs(root) for w in re.findall(r"[A-Za-z]{2,}", run)]
    assert not english, english
    described = " ".join(root.findtext(f"{SVG_NS}{tag}") for tag in ("title", "desc"))
    assert not re.findall(r"[A-Za-z]{3,}", described), described
    assert "第" in " ".join(upright_runs(root))


@pytest.mark.parametrize("lang", LANGS)
def test_page_shows_its_own_language_and_does_not_overclaim(lang: str) -> None:
    block = figure_block(lang)
    sources = re.findall(r"\]\((assets/figures/[^)#]+)#only-(light|dark)\)", block)
    assert sources == [(f"assets/figures/linear-dependencies-{lang}.svg", "light"),
                       (f"assets/figures/linear-dependencies-{lang}-dark.svg", "dark")]
    found = [phrase for phrase in OVERCLAIMS if phrase in block]
    assert not found, f"{PAGES[lang].name}: the caption or alt text says {found}"
    outside = "除第" if lang == "zh" else "zero outside"
    assert block.count(outside) >= 4, "alt text and caption say what is zero, for (b) and (c)"


def test_text_takes_its_colour_from_the_style(root: ET.Element) -> None:
    for el in root.iter(f"{SVG_NS}text"):
        assert el.get("class") == "ink" and el.get("fill") is None


def test_panel_a_row_of_x_and_column_of_w_meet_in_one_entry_of_y(root: ET.Element) -> None:
    m, n = 2, 4
    assert (count(root, "a", "X"), count(root, "a", "W"), count(root, "a", "Y")) == (M * D, D * N, M * N)
    assert lit(root, "a", "X") == [(m, c) for c in range(1, D + 1)]
    assert lit(root, "a", "W") == [(r, n) for r in range(1, D + 1)]
    assert lit(root, "a", "Y") == [(m, n)]


def test_panel_b_only_row_i_of_dy_dx_is_nonzero_and_is_row_j_of_w(root: ET.Element) -> None:
    i, j = 2, 3
    assert count(root, "b", "dY_dx") == M * N
    on = lit(root, "b", "dY_dx")
    assert len(on) == N and {r for r, _ in on} == {i}
    assert lit(root, "b", "W") == [(j, c) for c in range(1, N + 1)]


def test_panel_c_only_column_j_of_dy_dw_is_nonzero_and_is_column_i_of_x(root: ET.Element) -> None:
    i, j = 2, 4
    assert count(root, "c", "dY_dw") == M * N
    on = lit(root, "c", "dY_dw")
    assert len(on) == M and {c for _, c in on} == {j}
    assert lit(root, "c", "X") == [(r, i) for r in range(1, M + 1)]


# -- Figure 1 of the MLP page: the computation graph

MLP_PAGES = {"zh": ROOT / "docs" / "mlp.md", "en": ROOT / "docs" / "mlp.en.md"}
# Each tensor of the graph and its shape, as the MLP page's "Setting and conventions" states them.
MLP_SHAPES = {"X": "M\u00d7D", "W1": "D\u00d7N", "b1": "1\u00d7N", "Z1": "M\u00d7N", "H": "M\u00d7N",
              "W2": "N\u00d7K", "b2": "1\u00d7K", "Z2": "M\u00d7K", "P": "M\u00d7K", "y": "M\u00d71",
              "L": "1\u00d71"}


@pytest.fixture(scope="module", params=[(lang, scheme) for lang in LANGS for scheme in ("light", "dark")])
def graph(request: pytest.FixtureRequest) -> ET.Element:
    return ET.fromstring(figures.mlp_graph(request.param[1], request.param[0]))


def nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("data-node"): el for el in root.iter() if el.get("data-node")}


def arrows(root: ET.Element, kind: str) -> list[tuple[str, str, float, float, float, float]]:
    return [(el.get("data-from"), el.get("data-to"),
             *(float(el.get(f"data-{k}")) for k in ("x1", "y1", "x2", "y2")))
            for el in root.iter() if el.get("data-kind") == kind and el.tag == f"{SVG_NS}g"]


def test_every_node_shows_its_shape(graph: ET.Element) -> None:
    found = nodes(graph)
    assert {k for k in found if not k.startswith("d")} == set(MLP_SHAPES)
    assert {k[1:] for k in found if k.startswith("d")} == {"X", "W1", "b1", "Z1", "H", "W2", "b2", "Z2"}
    for name, el in found.items():
        shape = MLP_SHAPES[name.removeprefix("d")]
        assert el.get("data-shape") == shape, name
        drawn = "".join("".join(t.itertext()) for t in el.iter(f"{SVG_NS}text"))
        assert f"({shape})" in drawn, (name, drawn)


def test_values_flow_forward_and_gradients_back(graph: ET.Element) -> None:
    chain = ["X", "Z1", "H", "Z2", "P", "L"]
    values = arrows(graph, "value")
    assert [(a, b) for a, b, *_ in values if a in chain] == list(itertools.pairwise(chain))
    assert all(x2 > x1 for a, _, x1, _, x2, _ in values if a in chain), "forward arrows point right"
    assert all(y2 > y1 for a, _, _, y1, _, y2 in values if a not in chain), "parameters come in from above"
    gradients = arrows(graph, "gradient")
    back = ["dZ2", "dH", "dZ1", "dX"]
    assert [(a, b) for a, b, *_ in gradients if b in back] == [("L", "dZ2"), *itertools.pairwise(back)]
    assert all(x2 < x1 for a, b, x1, _, x2, _ in gradients if b in back), "gradients flow right to left"
    branches = {(a, b) for a, b, *_ in gradients if b not in back}
    assert branches == {("dZ2", "dW2"), ("dZ2", "db2"), ("dZ1", "dW1"), ("dZ1", "db1")}
    assert all(y2 > y1 for _, b, _, y1, _, y2 in gradients if b not in back), "parameters branch down"


def test_what_the_backward_pass_reuses_is_highlighted(graph: ET.Element) -> None:
    reused = {name for name, el in nodes(graph).items() if el.get("data-reused") == "1"}
    assert reused == {"X", "Z1", "H", "P"}
    lines = {(el.get("data-from"), el.get("data-to")) for el in graph.iter(f"{SVG_NS}line")
             if el.get("data-kind") == "reuse"}
    assert lines == {("P", "dZ2"), ("H", "dW2"), ("Z1", "dZ1"), ("X", "dW1")}


def _crossing(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float] | None:
    """Where segments ``a`` and ``b`` (x1, y1, x2, y2) cross, as fractions along each; None if they do not."""
    (x1, y1, x2, y2), (x3, y3, x4, y4) = a, b
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if d == 0:
        return None
    s = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    t = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    return (s, t) if 0 <= s <= 1 and 0 <= t <= 1 else None


def test_a_dashed_line_passes_no_box_and_crosses_arrows_only_mid_shaft(graph: ET.Element) -> None:
    """The lines to what the backward pass reads again end on the box they name and no other; one
    crosses an arrow only through a horizontal shaft of the gradient row, at least 14 px from its
    head and its tail, and never meets an arrow where the two end."""
    boxes = {name: next(el.iter(f"{SVG_NS}rect")) for name, el in nodes(graph).items()}
    every_arrow = [a for kind in ("value", "gradient") for a in arrows(graph, kind)]
    for el in graph.iter(f"{SVG_NS}line"):
        if el.get("data-kind") != "reuse":
            continue
        line = tuple(float(el.get(k)) for k in ("x1", "y1", "x2", "y2"))
        for name, rect in boxes.items():
            x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
            inside = [(line[0] + f * (line[2] - line[0]), line[1] + f * (line[3] - line[1]))
                      for f in (i / 200 for i in range(1, 200))]
            hits = any(x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1 for px, py in inside)
            assert not hits, f"the line {el.get('data-from')} -> {el.get('data-to')} passes through {name}"
            ends = [(line[0], line[1]), (line[2], line[3])]
            on = [x - 0.5 <= px <= x + w + 0.5 and y - 0.5 <= py <= y + h + 0.5 for px, py in ends]
            assert on == [name == el.get("data-from"), name == el.get("data-to")], (el.attrib, name)
        for frm, to, *arrow in every_arrow:
            assert min(math.dist(p, q) for p in (line[:2], line[2:]) for q in (arrow[:2], arrow[2:])) >= 14
            crossing = _crossing(line, tuple(arrow))
            if crossing is None:
                continue
            length = math.dist(arrow[:2], arrow[2:])
            assert arrow[1] == arrow[3] and frm[0] == to[0] == "d", (el.attrib, frm, to)
            assert 14 <= crossing[1] * length <= length - 14, (el.attrib, frm, to, crossing)


def test_the_graph_is_self_contained_and_accessible(graph: ET.Element) -> None:
    text = ET.tostring(graph, encoding="unicode")
    assert graph.get("role") == "img" and (graph.findtext(f"{SVG_NS}title") or "").strip()
    assert len((graph.findtext(f"{SVG_NS}desc") or "").strip()) > 100
    _, _, w, h = graph.get("viewBox").split()
    assert (graph.get("width"), graph.get("height")) == (w, h) and 600 <= int(w) <= 900
    assert not list(graph.iter(f"{SVG_NS}script")) and "@import" not in text and "url(" not in text
    for el in graph.iter(f"{SVG_NS}text"):
        assert el.get("class") == "ink" and el.get("fill") is None


@pytest.mark.parametrize("lang", LANGS)
def test_graph_light_and_dark_differ_only_in_ink(lang: str) -> None:
    light, dark = (figures.mlp_graph(s, lang) for s in ("light", "dark"))
    assert light.replace("#1f2937", "#e5e7eb") == dark and "#1f2937" not in dark


def test_the_chinese_graph_draws_no_english_words() -> None:
    root = ET.fromstring(figures.mlp_graph(lang="zh"))
    english = [w for run in upright_runs(root) for w in re.findall(r"[A-Za-z]{2,}", run)
               if w not in ("ReLU", "softmax")]
    assert not english, english
    described = " ".join(root.findtext(f"{SVG_NS}{tag}") for tag in ("title", "desc"))
    assert not [w for w in re.findall(r"[A-Za-z]{3,}", described) if w not in ("ReLU", "softmax")], described


@pytest.mark.parametrize("lang", LANGS)
def test_the_mlp_page_shows_its_own_language_in_both_schemes(lang: str) -> None:
    text = MLP_PAGES[lang].read_text(encoding="utf-8")
    block = text[text.index('<figure id="figure-1"'):text.index("</figure>")]
    sources = re.findall(r"\]\((assets/figures/[^)#]+)#only-(light|dark)\)", block)
    assert sources == [(f"assets/figures/mlp-graph-{lang}.svg", "light"),
                       (f"assets/figures/mlp-graph-{lang}-dark.svg", "dark")]
