"""The built site as a whole: both languages everywhere, a clean search index, the expected extras."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import page_sources, site_pages

TEX_IN_INDEX = ("\\frac", "\\partial", "\\begin", "\\sum", "\\mathsf", "\\text", "$")


def sources() -> dict[str, set[str]]:
    """Each page's file name mapped to the languages it exists in."""
    langs: dict[str, set[str]] = {}
    for name, lang, suffix in page_sources():
        langs.setdefault(name + suffix, set()).add(lang)
    return langs


def test_every_page_exists_in_both_languages() -> None:
    one_sided = {page: sorted(langs) for page, langs in sources().items() if langs != {"zh", "en"}}
    assert not one_sided, f"pages in one language only: {one_sided}"


def test_every_page_is_built_in_both_languages(site_dir: Path) -> None:
    for path in site_pages():
        assert (site_dir / path / "index.html").is_file(), f"/{path} was not built"


@pytest.fixture(scope="module")
def search_docs(site_dir: Path) -> list[dict]:
    return json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_search_index_holds_no_tex(search_docs: list[dict]) -> None:
    found = [(d["location"], needle) for d in search_docs for needle in TEX_IN_INDEX
             if needle in d["text"] or needle in d["title"]]
    assert not found, f"TeX in the search index: {found[:10]}"


def test_every_page_has_its_own_search_entry(search_docs: list[dict]) -> None:
    """mkdocs-static-i18n drops an English entry equal to the Chinese one (title, text and location tail):
    a nav title the same in both languages leaves the English page's results without a parent, shown as a
    link to /undefined. Nav titles must differ between the languages."""
    locations = {d["location"] for d in search_docs}
    missing = [path for path in site_pages() if path not in locations]
    assert not missing, f"pages without their own search entry: {missing}"


def test_search_index_covers_both_languages(search_docs: list[dict]) -> None:
    locations = {d["location"] for d in search_docs}
    assert "linear/" in locations and "en/linear/" in locations, sorted(locations)[:20]
    text = " ".join(d["text"] for d in search_docs)
    for term in ("链式法则", "偏导数", "chain rule", "transpose"):
        assert term in text, f"{term!r} is not in the search index"


def test_pages_have_a_view_source_link(site_dir: Path) -> None:
    for path in ("linear/", "en/linear/", "errata/"):
        html = (site_dir / path / "index.html").read_text(encoding="utf-8")
        assert re.search(r'href="https://github\.com/[^"]+/(?:blob|raw)/main/docs/[^"]+"', html), f"/{path}"


def test_404_and_sitemap(site_dir: Path) -> None:
    assert (site_dir / "404.html").is_file()
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://backprop-verified.github.io/linear/" in sitemap
    assert "https://backprop-verified.github.io/en/linear/" in sitemap


def test_equation_numbers_and_references(site_dir: Path) -> None:
    for path in ("linear/", "en/linear/"):
        html = (site_dir / path / "index.html").read_text(encoding="utf-8")
        assert 'id="eq-result"' in html and 'id="eq-def"' in html, f"/{path}: labelled equations lost"
        assert html.count('href="#eq-result"') >= 1 and html.count('href="#eq-def"') >= 1, f"/{path}"


def test_no_page_refers_to_another_host_for_resources(site_dir: Path) -> None:
    pattern = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        hits = [m.group(0) for m in pattern.finditer(html) if "rel=\"canonical\"" not in m.group(0)
                and "rel=\"alternate\"" not in m.group(0)]
        assert not hits, f"{page.relative_to(site_dir)} loads from another host: {hits[:3]}"
