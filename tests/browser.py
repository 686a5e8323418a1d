"""Shared parts of the browser tests: a recording local server and the system Chromium.

Nothing here downloads a browser: Selenium is pointed at Debian's ``chromium`` and
``chromedriver``, and every host but 127.0.0.1 is made unresolvable.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DEBIAN_PACKAGES = "chromium chromium-driver fonts-noto-cjk"
DOCS = Path(__file__).resolve().parent.parent / "docs"


def page_sources() -> list[tuple[str, str, str]]:
    """``(name, language, suffix)`` of each file in docs/; ``linear.en.md`` is ``("linear", "en", ".md")``."""
    out = []
    for src in sorted([*DOCS.glob("*.md"), *DOCS.glob("*.ipynb")]):
        name, lang = (src.stem[:-3], "en") if src.stem.endswith(".en") else (src.stem, "zh")
        out.append((name, lang, src.suffix))
    return out


def site_pages() -> list[str]:
    """URL paths of every page in both languages (Chinese at the root)."""
    return sorted({("en/" if lang == "en" else "") + ("" if name == "index" else f"{name}/")
                   for name, lang, _ in page_sources()})


def require_chromium() -> None:
    """Skip (or, with REQUIRE_BROWSER set, fail) when the Debian browser packages are missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if not missing:
        return
    message = f"{' and '.join(missing)} not found; install the Debian packages: {DEBIAN_PACKAGES}"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{message} (REQUIRE_BROWSER is set, so this is a failure)")
    pytest.skip(f"{message} (set REQUIRE_BROWSER=1 to make this a failure)")


def chromium(profile: Path) -> webdriver.Chrome:
    """A fresh headless Chromium with its own profile, the network log on and the cache off."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


# --- local server ------------------------------------------------------------------------------------


@dataclass
class LocalServer:
    port: int
    requested_paths: list[str]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


def recording_handler(directory: Path, requested_paths: list[str]) -> type[SimpleHTTPRequestHandler]:
    class RecordingHandler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)

        def parse_request(self) -> bool:
            ok = super().parse_request()
            if ok:
                requested_paths.append(self.path)
            return ok

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return RecordingHandler


@contextmanager
def serve(directory: Path) -> Iterator[LocalServer]:
    requested_paths: list[str] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), recording_handler(directory, requested_paths))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(port=httpd.server_address[1], requested_paths=requested_paths)
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Visit:
    path: str
    requested_urls: list[str]  # what the browser asked for (performance log + resource timing)
    served_paths: list[str]  # what our server saw during the visit


def network_request_urls(driver: webdriver.Chrome) -> list[str]:
    """URLs of Network.requestWillBeSent events logged since the last call (the log is drained)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver: webdriver.Chrome, server: LocalServer, path: str) -> Visit:
    """Load a page as a first visit, wait for load and fonts, then until requests stop for 0.5 s."""
    # Material keeps state (the palette, cached facts) in web storage; every visit starts afresh. Leave
    # the page first, or its own listeners could write that state back after it is cleared.
    driver.get("about:blank")
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {
        "origin": server.url("").rstrip("/"), "storageTypes": "local_storage,session_storage"})
    network_request_urls(driver)
    first_served = len(server.requested_paths)
    driver.get(server.url(path))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script("return document.fonts.ready.then(() => true)")
    urls = network_request_urls(driver)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.5)
        new_urls = network_request_urls(driver)
        if not new_urls:
            break
        urls += new_urls
    urls += driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return Visit(path, urls, server.requested_paths[first_served:])


def off_host_urls(urls: list[str], port: int) -> list[str]:
    """The URLs that do not point at 127.0.0.1:<port> (data: and blob: URLs are fine)."""
    offenders = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            continue
        if parts.hostname != "127.0.0.1" or parts.port != port:
            offenders.append(url)
    return sorted(set(offenders))


