"""The HTML review in a real headless browser, where one is installed (skipped otherwise).

A parser can say the page is well-formed; only a browser says it renders: the
screenshot is produced and the DOM the browser built holds every chart.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, installed_itokr, require_tool

_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def _browser() -> str | None:
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


BROWSER = _browser()


@pytest.fixture(autouse=True)
def _browser_installed() -> None:
    require_tool(BROWSER, "no headless Chromium or Chrome installed")


def _headless(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_review_renders_in_a_headless_browser(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    made = subprocess.run(
        [
            installed_itokr(),
            "--root",
            str(EXAMPLES / "it-department"),
            "report",
            "--as-of",
            "2026-11-21",
            "--period",
            "2026-Q4",
            "--format",
            "html",
            "--output",
            str(page),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    charts = page.read_text(encoding="utf-8").count('<svg class="burnup"')
    bars = page.read_text(encoding="utf-8").count('<svg class="scorebar"')
    assert charts and bars

    shot = tmp_path / "review.png"
    _headless(page, tmp_path / "profile-1", f"--screenshot={shot}", "--window-size=1200,2000")
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less

    dom = _headless(page, tmp_path / "profile-2", "--dump-dom").stdout
    assert dom.count('<svg class="burnup"') == charts
    assert dom.count('<svg class="scorebar"') == bars
    assert dom.count("<polyline") == charts
