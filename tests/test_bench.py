"""The pure helpers of bench/run.py (`make bench`), on a tiny fake site; the bench itself is not run here."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

FORMULA = '<mjx-container class="MathJax" jax="SVG"><svg></svg></mjx-container>'


def fake_site(root: Path) -> Path:
    pages = {"index.html": "<p>home</p>", "404.html": "<p>lost</p>",
             "linear/index.html": "<p>" + FORMULA * 3 + "</p>",
             "en/linear/index.html": "<p>" + FORMULA * 4 + "</p>",
             "search/search_index.json": "x" * 10_000}  # larger, but not a page
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_largest_page_its_bytes_and_formulas(tmp_path: Path) -> None:
    site = fake_site(tmp_path)
    largest = bench.largest_page(site)
    assert largest == Path("en/linear/index.html")
    assert bench.url(largest) == "/en/linear/"
    body = (site / largest).read_bytes()
    assert bench.page_size(site, largest) == {
        "largest page": len(body) / 1024,
        "largest page gzip": len(gzip.compress(body, compresslevel=6, mtime=0)) / 1024,
        "largest page formulas": 4}


def test_formula_count_reads_both_setups() -> None:
    assert bench.formula_count(FORMULA * 2) == 2
    stock = '<span class="arithmatex">\\(x\\)</span><div class="arithmatex">\\[y\\]</div>'
    assert bench.formula_count(stock) == 2
    assert bench.formula_count("<p>no math</p>") == 0


def test_keep_new_entries_keeps_the_old_and_adds_only_finished_new_files(tmp_path: Path) -> None:
    cache, aside = tmp_path / "cache", tmp_path / "aside"
    (aside / "zh").mkdir(parents=True)
    (aside / "zh" / "a.json").write_text("old")
    (cache / "zh").mkdir(parents=True)
    (cache / "zh" / "a.json").write_text("new")
    (cache / "en").mkdir()
    (cache / "en" / "b.json").write_text("new")
    (cache / "c.123.tmp").write_text("half")
    bench.keep_new_entries(cache, aside)
    assert {p.relative_to(aside).as_posix(): p.read_text() for p in aside.rglob("*") if p.is_file()} == {
        "zh/a.json": "old", "en/b.json": "new"}
