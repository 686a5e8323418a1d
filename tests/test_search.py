"""Search in a real browser: Chinese terms are segmented (jieba) and each finds the right page."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from browser import LocalServer, open_page

QUERIES = [
    ("", "偏导数", "linear/"),
    ("", "链式法则", "linear/"),
    ("", "反向传播", "linear/"),
    ("", "勘误", "errata/"),
    ("en/", "chain rule", "en/linear/"),
    ("en/", "transpose", "en/linear/"),
]


@pytest.mark.browser
@pytest.mark.parametrize("start, query, expected", QUERIES, ids=[q for _, q, _ in QUERIES])
def test_search_finds_the_page_in_its_language(
    browser: webdriver.Chrome, server: LocalServer, start: str, query: str, expected: str
) -> None:
    open_page(browser, server, start)
    browser.find_element(By.CSS_SELECTOR, "label.md-search__icon, label[for='__search']").click()
    box = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    WebDriverWait(browser, 20).until(lambda d: box.is_displayed())
    box.send_keys(query)
    box.send_keys(Keys.SPACE, Keys.BACKSPACE)
    links = WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item a") or False
    )
    hrefs = [a.get_attribute("href") for a in links]
    assert any(h.split("#")[0] == server.url(expected) for h in hrefs), (
        f"searching {query!r} from /{start} did not find /{expected}: {hrefs[:8]}"
    )
    wrong_language = [h for h in hrefs if ("/en/" in h) != start.startswith("en/")]
    assert not wrong_language[:1] or hrefs[0].split("#")[0] == server.url(expected), (
        f"the top result for {query!r} is in the other language: {hrefs[:3]}"
    )
