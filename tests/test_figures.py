"""The committed figures are what ``derivations.figures`` draws, self-contained, and show the right cells."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def root() -> ET.Element:
    return ET.fromstring(figures.linear_dependencies())


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
    (tmp_path / "figs" / "linear-dependencies.svg").write_text("<svg/>", encoding="utf-8")
    assert figures.main(["--check"]) == 1
    assert "figs/linear-dependencies.svg" in capsys.readouterr().err


def test_output_is_deterministic() -> None:
    assert figures.linear_dependencies() == figures.linear_dependencies()


def test_svg_is_self_contained_and_accessible(root: ET.Element) -> None:
    text = figures.linear_dependencies()
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
    assert text.isascii(), "non-ASCII text is written as character references"


def test_light_and_dark_variants_differ_only_in_ink() -> None:
    light, dark = (figures.linear_dependencies(s) for s in ("light", "dark"))
    assert "#1f2937" in light and "#e5e7eb" not in light
    assert "#e5e7eb" in dark and "#1f2937" not in dark
    assert light.replace("#1f2937", "#e5e7eb") == dark


def test_text_takes_its_colour_from_the_style(root: ET.Element) -> None:
    for el in root.iter(f"{SVG_NS}text"):
        assert el.get("class") == "ink" and el.get("fill") is None


def test_panel_a_row_of_x_and_column_of_w_meet_in_one_entry_of_y(root: ET.Element) -> None:
    i, j = 2, 4
    assert (count(root, "a", "X"), count(root, "a", "W"), count(root, "a", "Y")) == (M * D, D * N, M * N)
    assert lit(root, "a", "X") == [(i, c) for c in range(1, D + 1)]
    assert lit(root, "a", "W") == [(r, j) for r in range(1, D + 1)]
    assert lit(root, "a", "Y") == [(i, j)]


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
