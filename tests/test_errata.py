"""The errata pages: every quotation is really in the source article, and every proof link resolves."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "source" / "backprop-fc.md"
PAGES = {"zh": ROOT / "docs" / "errata.md", "en": ROOT / "docs" / "errata.en.md"}
QUOTE = re.compile(r"^```latex\n(.*?)\n```$", re.M | re.S)
ERRATUM = re.compile(
    r'^## (\d+)\. .*?\{#([a-z-]+)\}\n\n<div class="erratum" data-steps="([^"]+)" markdown>', re.M
)
LINK = re.compile(r"\(linear\.md#(step-[a-z]+-[a-z_]+)\)")
STEP_IDS = re.compile(r'<div class="step" id="(step-[a-z]+-[a-z_]+)" data-step="([a-z]+\.[a-z_]+)" markdown>')


@pytest.fixture(scope="module")
def source() -> str:
    if not SOURCE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the source article {SOURCE} is missing; CI runs with shared/ beside the clone")
        pytest.skip(f"the source article {SOURCE} is not beside this checkout")
    return SOURCE.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", PAGES)
def test_every_quotation_occurs_word_for_word_in_the_source(source: str, lang: str) -> None:
    quotes = QUOTE.findall(PAGES[lang].read_text(encoding="utf-8"))
    assert len(quotes) >= 15, f"only {len(quotes)} quotations"
    missing = [q for q in quotes if q not in source]
    assert not missing, f"not in the source article: {missing}"


def test_both_languages_list_the_same_errata_in_the_same_order() -> None:
    zh, en = (PAGES[lang].read_text(encoding="utf-8") for lang in ("zh", "en"))
    assert QUOTE.findall(zh) == QUOTE.findall(en)
    assert [m[1:] for m in ERRATUM.findall(zh)] == [m[1:] for m in ERRATUM.findall(en)]


@pytest.mark.parametrize("lang", PAGES)
def test_every_erratum_links_its_proof_to_existing_steps(lang: str) -> None:
    text = PAGES[lang].read_text(encoding="utf-8")
    linear = (ROOT / "docs" / ("linear.md" if lang == "zh" else "linear.en.md")).read_text(encoding="utf-8")
    steps = dict(STEP_IDS.findall(linear))
    errata = ERRATUM.findall(text)
    assert [int(n) for n, _, _ in errata] == list(range(1, len(errata) + 1))
    assert len(errata) == len(QUOTE.findall(text)), "an erratum without a quotation, or the other way"
    blocks = re.split(r"^## \d+\. ", text, flags=re.M)[1:]
    for (n, slug, data_steps), block in zip(errata, blocks, strict=True):
        linked = LINK.findall(block)
        assert linked, f"erratum {n} ({slug}) links no step"
        assert [steps.get(anchor) for anchor in linked] == data_steps.split(), (
            f"erratum {n} ({slug}): links {linked} do not match data-steps {data_steps!r} "
            f"or point at steps the page does not have"
        )
