"""The errata pages: what they quote is in the source article, what they show is what they quote, and
only corrections that a step check covers claim to be checked.

Each entry is ``### n. title {#slug}`` followed by ``<div class="erratum" data-kind=... data-steps=...>``,
under ``## 错误`` / ``## Errors`` (kind ``error``) or the notation section (kind ``notation``). Inside,
each ``<div class="compare">`` pairs the article's version (``.was``) with ours (``.now``), and is followed
by the quotation it typesets, in a ```latex or ```text block.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "source" / "backprop-fc.md"
PAGES = {"zh": ROOT / "docs" / "errata.md", "en": ROOT / "docs" / "errata.en.md"}
LINEAR = {"zh": ROOT / "docs" / "linear.md", "en": ROOT / "docs" / "linear.en.md"}

WORDS = {
    "zh": {"errors": "## 错误", "notation": "## 记号与其他说明",
           "checked": "**检验**", "see": "**参见**", "source": "**原文**", "note": "**排版说明**",
           "count": r"有 (\d+) 条错误\S另有 (\d+) 条记号与其他说明"},
    "en": {"errors": "## Errors", "notation": "## Notation and other remarks",
           "checked": "**Checked by**", "see": "**See**", "source": "**Source**",
           "note": "**Typesetting note**",
           "count": r"has (\d+) errors\. There are also (\d+) remarks"},
}
QUOTE = re.compile(r"^```(latex|text|markdown)\n(.*?)\n```$", re.M | re.S)
ENTRY = re.compile(
    r'^### (\d+)\. .*?\{#([a-z-]+)\}\n\n<div class="erratum" data-kind="(error|notation)" '
    r'data-steps="([^"]+)" markdown>\n(.*?)\n</div>\n(?=\n###|\n##|\Z)', re.M | re.S)
COMPARE = re.compile(
    r'<div class="compare"(?P<adjusted> data-adjusted)? markdown>\n<div class="was" markdown>\n\n'
    r'(?P<label>\*\*[^*]+\*\*)\n\n(?P<was>.*?)\n\n</div>\n<div class="now" markdown>\n\n\*\*[^*]+\*\*\n\n'
    r'(?P<now>.*?)\n\n</div>\n</div>\n\n[^\n]+\n\n```(?P<lang>latex|text)\n(?P<quote>.*?)\n```', re.S)
DISPLAY = re.compile(r"\A\$\$\n(.*)\n\$\$\Z", re.S)
LINK = re.compile(r"\(linear\.md#([a-z0-9_-]+)\)")
STEP_IDS = re.compile(r'<div class="step" id="(step-[a-z]+-[a-z_]+)" data-step="([a-z]+\.[a-z_]+)" markdown>')
# Our own words must not repeat the flaw of entry 5: a row that may be zero called non-zero.
OVERCLAIMS = ("唯一非零", "只有第 $i$ 行非零", "only non-zero", "the only non-zero")


def entries(lang: str) -> list[tuple[str, str, str, str, str]]:
    """``(number, slug, kind, data-steps, body)`` for each entry of the page, in order."""
    return ENTRY.findall(PAGES[lang].read_text(encoding="utf-8"))


def section(text: str, heading: str, following: str | None) -> str:
    start = text.index(f"\n{heading}\n")
    return text[start:text.index(f"\n{following}\n")] if following else text[start:]


@pytest.fixture(scope="module")
def source() -> str:
    if not SOURCE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the source article {SOURCE} is missing; CI runs with shared/ beside the clone")
        pytest.skip(f"the source article {SOURCE} is not beside this checkout")
    return SOURCE.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", PAGES)
def test_every_quotation_occurs_word_for_word_in_the_source(source: str, lang: str) -> None:
    quotes = [q for _, q in QUOTE.findall(PAGES[lang].read_text(encoding="utf-8"))]
    assert len(quotes) >= 10, f"only {len(quotes)} quotations"
    missing = [q for q in quotes if q not in source]
    assert not missing, f"not in the source article: {missing}"


@pytest.mark.parametrize("lang", PAGES)
def test_the_typeset_source_is_the_quotation(lang: str) -> None:
    """The article's version as the reader sees it is the quoted TeX itself, unless the entry says why not."""
    words = WORDS[lang]
    for number, slug, _, _, body in entries(lang):
        units = list(COMPARE.finditer(body))
        quotes = QUOTE.findall(body)
        assert quotes, f"entry {number} ({slug}) quotes nothing"
        assert len(units) == len([q for q in quotes if q[0] != "markdown"]), (
            f"entry {number} ({slug}): a quotation without its typeset comparison, or the other way")
        for unit in units:
            assert unit["label"] == words["source"], f"entry {number} ({slug}): {unit['label']}"
            assert unit["was"] != unit["now"], f"entry {number} ({slug}): the correction changes nothing"
            display = DISPLAY.match(unit["was"])
            if unit["adjusted"]:
                assert words["note"] in body, f"entry {number} ({slug}) is adjusted but does not say how"
            elif unit["lang"] == "latex":
                assert display and display[1] == unit["quote"], (
                    f"entry {number} ({slug}): the typeset source is not the quotation")
                assert DISPLAY.match(unit["now"]), f"entry {number} ({slug}): the correction is not typeset"
            if unit["lang"] == "text":
                assert unit["quote"] in unit["was"], f"entry {number} ({slug}): the quoted text is not shown"


def test_both_languages_list_the_same_errata_in_the_same_order() -> None:
    zh, en = (PAGES[lang].read_text(encoding="utf-8") for lang in ("zh", "en"))
    assert QUOTE.findall(zh) == QUOTE.findall(en)
    assert [e[:4] for e in entries("zh")] == [e[:4] for e in entries("en")]
    for (*_, body_zh), (*_, body_en) in zip(entries("zh"), entries("en"), strict=True):
        assert ([(u["was"], u["now"]) for u in COMPARE.finditer(body_zh) if u["lang"] == "latex"]
                == [(u["was"], u["now"]) for u in COMPARE.finditer(body_en) if u["lang"] == "latex"])


@pytest.mark.parametrize("lang", PAGES)
def test_errors_and_notation_remarks_are_separate_and_counted(lang: str) -> None:
    words, text = WORDS[lang], PAGES[lang].read_text(encoding="utf-8")
    found = entries(lang)
    assert [int(n) for n, *_ in found] == list(range(1, len(found) + 1))
    assert len(found) == text.count('<div class="erratum"'), "an entry the pattern does not read"
    for kind, heading, following in (("error", words["errors"], words["notation"]),
                                     ("notation", words["notation"], None)):
        part = section(text, heading, following)
        listed = [(slug, k) for _, slug, k, _, _ in ENTRY.findall(part.lstrip("\n"))]
        assert listed and all(k == kind for _, k in listed), f"{heading}: {listed}"
    intro = text[:text.index(f"\n{words['errors']}\n")]
    counts = re.search(words["count"], intro)
    assert counts, "the introduction does not say how many errors and remarks there are"
    kinds = [kind for _, _, kind, _, _ in found]
    assert (int(counts[1]), int(counts[2])) == (kinds.count("error"), kinds.count("notation"))


@pytest.mark.parametrize("lang", PAGES)
def test_only_errors_claim_to_be_checked_and_links_resolve(lang: str) -> None:
    words = WORDS[lang]
    steps = dict(STEP_IDS.findall(LINEAR[lang].read_text(encoding="utf-8")))
    linear_ids = set(re.findall(r'id="([a-z0-9_-]+)"', LINEAR[lang].read_text(encoding="utf-8")))
    for number, slug, kind, data_steps, body in entries(lang):
        lines = [line for line in body.splitlines() if line.startswith((words["checked"], words["see"]))]
        assert len(lines) == 1, f"entry {number} ({slug}) needs one line of links, has {lines}"
        (line,) = lines
        if kind == "notation":
            assert line.startswith(words["see"]), f"entry {number} ({slug}) is a notation remark, not checked"
        anchors = LINK.findall(line)
        assert anchors, f"entry {number} ({slug}) links nothing"
        assert all(a in linear_ids for a in anchors), f"entry {number} ({slug}): {anchors} not on the FC page"
        assert [steps.get(a, a) for a in anchors] == data_steps.split(), (
            f"entry {number} ({slug}): links {anchors} do not match data-steps {data_steps!r}")
        if line.startswith(words["checked"]):
            assert all(a in steps for a in anchors), f"entry {number} ({slug}): only a step check checks"


@pytest.mark.parametrize("lang", PAGES)
def test_our_own_words_do_not_overclaim(lang: str) -> None:
    text = PAGES[lang].read_text(encoding="utf-8")
    text = QUOTE.sub("", re.sub(r'<div class="compare".*?\n</div>\n</div>', "", text, flags=re.S))
    found = [phrase for phrase in OVERCLAIMS if phrase in text]
    assert not found, found


def test_a_matrix_product_written_with_a_bullet_fits_entry_wise_only_when_all_sizes_agree() -> None:
    for lang in PAGES:
        (body,) = [b for _, slug, _, _, b in entries(lang) if slug == "bullet"]
        assert "$M = D = N$" in body, "say when an entry-wise product would fit the shapes"


def test_the_missing_figure_is_not_said_to_be_redrawn_or_unpublished() -> None:
    unknowable = {"zh": ("重新画", "重画了", "没有随文发布"), "en": ("draw it again", "never published")}
    for lang, phrases in unknowable.items():
        (body,) = [b for _, slug, _, _, b in entries(lang) if slug == "missing-figure"]
        assert not [p for p in phrases if p in body], f"{lang}: what the article's figure was cannot be known"
