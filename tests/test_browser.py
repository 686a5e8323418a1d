"""Browser checks of the built site in the system Chromium (headless, driven by Selenium).

The site is served from a local ``http.server`` and every page in ``PAGES`` is opened in
Chromium with all other hosts made unresolvable. Per page we check that:

1. nothing is requested from any host but the local server;
2. MathJax reported no errors and the page holds enough formulas;
3. no raw TeX or stray ``$`` reaches the visible text;
4. every fraction's numerator is drawn above its denominator;
5. Chinese characters are drawn with real glyphs (not tofu), also inside math.

Needs the Debian packages ``chromium chromium-driver fonts-noto-cjk``. Without them the tests are
skipped, or fail when ``REQUIRE_BROWSER`` is set.
"""

from __future__ import annotations

import shutil
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

from browser import LocalServer, Visit, off_host_urls, open_page, serve, site_pages

PAGES = site_pages()
MIN_FORMULAS = {"linear/": 20, "en/linear/": 20, "notation/": 5, "en/notation/": 5}

RAW_TEX = ("$", "\\frac", "\\partial", "\\begin", "\\sum", "\\(", "\\[", "\\mathsf", "\\text")
CJK_SAMPLE = ("偏", "导", "数")
MISSING_CHAR = "\U0010fffd"  # private use, no font draws it: renders like any missing glyph
CJK_PATTERN = "[\\u3400-\\u9fff\\uf900-\\ufaff]"

@pytest.fixture(params=PAGES, ids=lambda path: path or "index")
def visit(request: pytest.FixtureRequest, browser: webdriver.Chrome, server: LocalServer) -> Visit:
    return open_page(browser, server, request.param)


# --- 1. no off-host requests -------------------------------------------------------------------------


@pytest.mark.browser
def test_no_off_host_requests(visit: Visit, server: LocalServer) -> None:
    offenders = off_host_urls(visit.requested_urls, server.port)
    assert not offenders, f"/{visit.path} requested other hosts than 127.0.0.1:{server.port}: {offenders}"
    assert visit.served_paths, f"/{visit.path}: the local server saw no request at all"


@pytest.mark.browser
def test_off_host_detector_catches_tampered_page(
    browser: webdriver.Chrome, site_dir: Path, tmp_path: Path
) -> None:
    tampered = tmp_path / "site"
    shutil.copytree(site_dir, tampered)
    page = tampered / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", '<img src="https://example.com/x.png"></body>'), encoding="utf-8")
    with serve(tampered) as tampered_server:
        tampered_visit = open_page(browser, tampered_server, "")
    offenders = off_host_urls(tampered_visit.requested_urls, tampered_server.port)
    assert "https://example.com/x.png" in offenders, f"detector missed the injected image: {offenders}"


# --- 2. MathJax errors and formula count -------------------------------------------------------------


@pytest.mark.browser
def test_no_mathjax_errors(visit: Visit, browser: webdriver.Chrome) -> None:
    found = browser.execute_script(
        """
        const errors = document.querySelectorAll(
            '[data-mml-node="merror"], mjx-merror, merror, [data-mjx-error]');
        return {
            formulas: document.querySelectorAll('mjx-container').length,
            errors: Array.from(errors, e => e.getAttribute('data-mjx-error') || e.outerHTML.slice(0, 200)),
        };
        """
    )
    assert not found["errors"], f"/{visit.path} has MathJax errors: {found['errors']}"
    minimum = MIN_FORMULAS.get(visit.path, 0)
    assert found["formulas"] >= minimum, (
        f"/{visit.path} has {found['formulas']} mjx-container elements, expected at least {minimum}"
    )


# --- 3. no raw TeX in the visible text ---------------------------------------------------------------


VISIBLE_TEXT_JS = """
const skipped = 'mjx-assistive-mml, script, style, pre, code';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const parts = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skipped) && parent.checkVisibility()) parts.push(node.data);
}
return parts.join(' ');
"""


def snippets_around(text: str, needle: str, width: int = 30) -> list[str]:
    snippets, start = [], text.find(needle)
    while start != -1:
        snippets.append(text[max(0, start - width) : start + len(needle) + width].replace("\n", " "))
        start = text.find(needle, start + 1)
    return snippets


@pytest.mark.browser
def test_no_raw_tex_in_visible_text(visit: Visit, browser: webdriver.Chrome) -> None:
    text = browser.execute_script(VISIBLE_TEXT_JS)
    found = {needle: snippets_around(text, needle) for needle in RAW_TEX if needle in text}
    assert not found, f"/{visit.path} shows raw TeX or '$' in its text: {found}"


# --- 4. fractions: numerator above denominator -------------------------------------------------------


FRACTIONS_JS = """
const box = el => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, width: r.width, height: r.height};
};
const fractions = [];
for (const frac of document.querySelectorAll('mjx-container svg g[data-mml-node="mfrac"]')) {
    if (!frac.closest('mjx-container').checkVisibility()) continue;
    const [numerator, denominator] = Array.from(frac.children)
        .filter(child => child.localName === 'g' && child.hasAttribute('data-mml-node'));
    fractions.push({
        latex: frac.getAttribute('data-latex'),
        numerator: box(numerator),
        denominator: box(denominator),
    });
}
return fractions;
"""


def fraction_problem(fraction: dict[str, Any]) -> str | None:
    numerator, denominator = fraction["numerator"], fraction["denominator"]
    if numerator is None or denominator is None:
        return "missing numerator or denominator <g>"
    if not all(box["width"] > 0 and box["height"] > 0 for box in (numerator, denominator)):
        return f"empty box: numerator {numerator}, denominator {denominator}"
    if numerator["bottom"] > denominator["top"] + 1:
        return f"numerator bottom {numerator['bottom']:.1f} > denominator top {denominator['top']:.1f}"
    return None


@pytest.mark.browser
def test_fraction_numerator_above_denominator(
    visit: Visit, browser: webdriver.Chrome, site_dir: Path
) -> None:
    fractions = browser.execute_script(FRACTIONS_JS)
    problems = [(f["latex"], problem) for f in fractions if (problem := fraction_problem(f))]
    assert not problems, f"/{visit.path}: {len(problems)} of {len(fractions)} fractions are wrong: {problems}"
    source = (site_dir / visit.path / "index.html").read_text(encoding="utf-8")
    if 'data-mml-node="mfrac"' in source:
        assert fractions, f"/{visit.path} has mfrac in its HTML but no visible fraction was checked"


# --- 5. Chinese glyphs -------------------------------------------------------------------------------


CANVAS_GLYPHS_JS = """
const family = getComputedStyle(document.querySelector('h1')).fontFamily;
const render = ch => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 72;
    const context = canvas.getContext('2d');
    context.font = `48px ${family}`;
    context.textBaseline = 'top';
    context.fillStyle = '#000';
    context.fillText(ch, 12, 12);
    const rgba = context.getImageData(0, 0, 72, 72).data;
    let ink = 0;
    for (let i = 3; i < rgba.length; i += 4) if (rgba[i] > 0) ink++;
    return {ink, pixels: canvas.toDataURL()};
};
return {family, glyphs: arguments[0].map(render)};
"""


@pytest.mark.browser
def test_cjk_glyphs_are_drawn(visit: Visit, browser: webdriver.Chrome) -> None:
    chars = [*CJK_SAMPLE, MISSING_CHAR]
    result = browser.execute_script(CANVAS_GLYPHS_JS, chars)
    glyphs = dict(zip(chars, result["glyphs"], strict=True))
    found = f"h1 font-family {result['family']!r}, ink: { {c: g['ink'] for c, g in glyphs.items()} }"
    no_ink = [c for c in CJK_SAMPLE if glyphs[c]["ink"] == 0]
    assert not no_ink, f"/{visit.path}: no ink drawn for {no_ink} ({found})"
    alike = [(a, b) for a, b in combinations(chars, 2) if glyphs[a]["pixels"] == glyphs[b]["pixels"]]
    assert not alike, f"/{visit.path}: identical renderings (tofu?) for {alike} ({found})"


@pytest.mark.browser
def test_cjk_text_in_math_has_width(visit: Visit, browser: webdriver.Chrome) -> None:
    texts = browser.execute_script(
        """
        const cjk = new RegExp(arguments[0]);
        return Array.from(document.querySelectorAll('mjx-container svg text'))
            .filter(t => cjk.test(t.textContent))
            .map(t => ({text: t.textContent, width: t.getBBox().width}));
        """,
        CJK_PATTERN,
    )
    zero_width = [t["text"] for t in texts if not t["width"] > 0]
    assert not zero_width, f"/{visit.path}: Chinese text in math has zero width: {zero_width} of {texts}"


# --- 6. a phone-sized screen -------------------------------------------------------------------------


PHONES = [390, 320]  # a common phone, and the narrowest still in use


@pytest.mark.browser
@pytest.mark.parametrize("width", PHONES)
@pytest.mark.parametrize("path", ["linear/", "en/linear/", "errata/", "notebook/", "mlp/", "en/mlp/"])
def test_phone_width_never_widens_the_page(
    browser: webdriver.Chrome, server: LocalServer, path: str, width: int
) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        open_page(browser, server, path)
        found = browser.execute_script("""
            const wide = Array.from(document.querySelectorAll('mjx-container[display]'))
                .filter(m => m.scrollWidth > m.clientWidth + 1);
            const figures = Array.from(document.querySelectorAll('img.wide'))
                .filter(img => img.getBoundingClientRect().width > 0)
                .map(img => ({drawn: img.getBoundingClientRect().width, box: img.parentElement}))
                .map(f => ({drawn: f.drawn, scrolls: getComputedStyle(f.box).overflowX === 'auto',
                            focusable: f.box.tabIndex === 0}));
            return {page: document.documentElement.scrollWidth, view: window.innerWidth, wide: wide.length,
                    scrolling: wide.filter(m => getComputedStyle(m).overflowX === 'auto').length, figures};
        """)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert found["page"] <= found["view"], f"/{path}: {found['page']} px wide on a {found['view']} px screen"
    assert found["scrolling"] == found["wide"], f"/{path}: a wide formula does not scroll in its own box"
    # A wide figure keeps at least 80% of its drawn size (labels of 12 units stay near 10 px), in a box
    # that scrolls and takes keyboard focus.
    for figure in found["figures"]:
        assert figure["drawn"] >= 720 and figure["scrolls"] and figure["focusable"], (path, figure)
    if path.endswith("mlp/"):
        assert len(found["figures"]) == 1, f"/{path}: the computation graph is not a wide figure"
    if path.endswith("linear/") and width == min(PHONES):
        assert found["wide"] > 0, f"/{path}: no formula is wider than {width} px, so this checks nothing"
