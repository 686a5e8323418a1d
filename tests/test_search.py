"""Search in a real browser: Chinese terms are segmented (jieba) and each finds the right page."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
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
    ("", "偏置", "affine/"),
    ("", "激活函数", "relu/"),
    ("", "交叉熵", "softmax_ce/"),
    ("", "交叉熵", "bce/"),
    ("", "均方误差", "mse/"),
    ("", "softmax", "softmax_ce/"),
    ("", "sigmoid", "sigmoid/"),
    ("en/", "bias", "en/affine/"),
    ("en/", "cross-entropy", "en/softmax_ce/"),
    ("en/", "cross-entropy", "en/bce/"),
    ("en/", "softmax", "en/softmax_ce/"),
    ("en/", "sigmoid", "en/sigmoid/"),
    ("en/", "mean squared error", "en/mse/"),
]

# Names the Chinese pages write in Latin letters as well.
BOTH_LANGUAGES = {"softmax", "sigmoid"}


def result_paths(driver: webdriver.Chrome) -> list[str]:
    """The result list once it has stopped changing (it is redrawn as the worker answers)."""
    first = [urlsplit(a.get_attribute("href")).path
             for a in driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")]
    time.sleep(0.3)
    again = [urlsplit(a.get_attribute("href")).path
             for a in driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")]
    return again if first and first == again else []


@pytest.mark.browser
@pytest.mark.parametrize("start, query, expected", QUERIES, ids=[f"{q}->{e}" for _, q, e in QUERIES])
def test_search_finds_the_page_in_its_language(
    browser: webdriver.Chrome, server: LocalServer, start: str, query: str, expected: str
) -> None:
    open_page(browser, server, start)
    box = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.click()
    box.send_keys(query)
    box.send_keys(Keys.SPACE, Keys.BACKSPACE)
    pages = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: result_paths(d)
    )
    assert f"/{expected}" in pages, f"searching {query!r} from /{start} did not find /{expected}: {pages[:8]}"
    if query in BOTH_LANGUAGES:
        # One index serves both languages (mkdocs-static-i18n builds one), and the Chinese pages write
        # these names too: the reader's own page must still be among the results.
        return
    assert pages[0].startswith("/en/") == start.startswith("en/"), (
        f"the top result for {query!r} is in the other language: {pages[:3]}"
    )
