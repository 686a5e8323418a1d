from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from browser import LocalServer, chromium, require_chromium, serve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once per test session with ``mkdocs build --strict``.

    ``PREBUILT_SITE`` names a site built already, for runs that only read it: the mutation run builds
    once and runs the tests hundreds of times.
    """
    if os.environ.get("PREBUILT_SITE"):
        return Path(os.environ["PREBUILT_SITE"])
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert not warnings, "\n".join(warnings)
    return out


@pytest.fixture(scope="session")
def server(site_dir: Path) -> Iterator[LocalServer]:
    with serve(site_dir) as local:
        yield local


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    require_chromium()
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()
