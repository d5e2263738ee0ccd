"""The HTML review in a real headless browser (Chromium; `.ci/run` installs it).

A parser can say the page is well-formed; only a browser says it renders: the
screenshot is produced and the DOM the browser built holds every chart. Through
chromedriver, the page is measured as a phone shows it (390 px wide): nothing
scrolls sideways, titles get the width to read, every pill meets WCAG AA.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

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


def _review(page: Path) -> None:
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


def test_the_review_renders_in_a_headless_browser(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    _review(page)
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


# Measured in the page: what scrolls sideways, what sticks out, how wide the title
# cells are, and the colours every pill is drawn in.
_MEASURE = """
const doc = document.documentElement;
const name = e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
return {
  page: doc.scrollWidth, viewport: doc.clientWidth,
  scrolling: [...document.querySelectorAll('*')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map(name),
  sticking_out: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1).map(name),
  titles: [...document.querySelectorAll('article table td:first-child')]
    .map(td => td.getBoundingClientRect().width),
  pills: [...document.querySelectorAll('.pill')].map(p => {
    const style = getComputedStyle(p);
    return [p.textContent, style.color, style.backgroundColor];
  }),
  sections: [...document.querySelectorAll('main > section')].map(s => s.id),
  overview: document.querySelectorAll('#overview tbody tr').length,
  objectives: document.querySelectorAll('article.objective').length,
};
"""


def _measured(page: Path, width: int) -> dict[str, Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver")
    require_tool(driver_path, "chromedriver is not installed (Debian: chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"):
        options.add_argument(argument)
    metrics = {"width": width, "height": 900, "pixelRatio": 3.0 if width < 600 else 1.0}
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    # the driver from the Debian package: selenium must not look for one on the network
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        driver.get(page.as_uri())
        measured: dict[str, Any] = driver.execute_script(_MEASURE)
    finally:
        driver.quit()
    return measured


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two `rgb(r, g, b)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def review_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("review") / "review.html"
    _review(page)
    return page


def test_on_a_phone_nothing_scrolls_sideways(review_page: Path) -> None:
    measured = _measured(review_page, 390)
    assert (measured["page"], measured["viewport"]) == (390, 390)
    assert measured["scrolling"] == []  # no table hides health or confidence off to the side
    assert measured["sticking_out"] == []
    # a key result's title gets the card's width, not a word per line
    assert measured["titles"] and min(measured["titles"]) > 300


def test_on_a_wide_screen_the_tables_stay_tables(review_page: Path) -> None:
    measured = _measured(review_page, 1440)
    assert measured["scrolling"] == [] and measured["sticking_out"] == []
    assert max(measured["titles"]) < 600  # the other columns sit beside the title


def test_every_pill_meets_wcag_aa(review_page: Path) -> None:
    pills = _measured(review_page, 390)["pills"]
    healths = {text for text, _, _ in pills}
    assert {"on-track", "at-risk", "off-track", "done"} <= healths
    weak = [
        (text, round(_contrast(fg, bg), 2)) for text, fg, bg in pills if _contrast(fg, bg) < 4.5
    ]
    assert weak == []


def test_the_overview_of_all_objectives_comes_first(review_page: Path) -> None:
    measured = _measured(review_page, 390)
    assert measured["sections"][0] == "overview"
    assert measured["overview"] == measured["objectives"] > 0
