"""axe-core (from npm) in the system Chromium: no accessibility violation on any page,
in either language or colour scheme."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from browser import LocalServer, open_page, site_pages

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = ["light", "dark"]
AXE_LIMIT = 120  # seconds


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing; run `make install`"
    return AXE.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", site_pages(), ids=lambda p: p or "index")
def test_no_axe_violations(
    browser: webdriver.Chrome, server: LocalServer, axe_source: str, path: str, scheme: str
) -> None:
    # A desktop reader: Material gives scrollable code blocks a tabindex only where (hover) matches.
    features = [{"name": "prefers-color-scheme", "value": scheme}, {"name": "hover", "value": "hover"}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
    try:
        open_page(browser, server, path)
        # A scheme Material stored earlier in the session (it stores one when the emulated media
        # changes under an open page) would override the emulated preference: start from none.
        browser.execute_script("localStorage.clear()")
        browser.refresh()
        wanted = "slate" if scheme == "dark" else "default"
        # Generous limits on conditions, not fixed waits: a loaded 2-core machine is slow, not broken.
        browser.set_script_timeout(AXE_LIMIT)
        WebDriverWait(browser, AXE_LIMIT).until(
            lambda d: d.execute_script("return document.body.dataset.mdColorScheme") == wanted,
            f"/{path}: Material did not switch to the {scheme} scheme",
        )
        browser.execute_script(axe_source)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({"
            "id: v.id, impact: v.impact, help: v.help,"
            "nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))));"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert not result, f"/{path} ({scheme}): {len(result)} axe violation(s): {result}"
