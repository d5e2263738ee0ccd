"""The HTML review in a real headless browser (Chromium; `.ci/run` installs it).

A parser can say the page is well-formed; only a browser says it renders: the
screenshot is produced and the DOM the browser built holds every chart. Through
chromedriver, the page is measured as a phone shows it (390 px wide): nothing
scrolls sideways, titles get the width to read, every pill meets WCAG AA.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import DESKTOP, PHONE, contrast, driven, headless
from conftest import EXAMPLES, installed_itokr


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
    headless(page, tmp_path / "profile-1", f"--screenshot={shot}", "--window-size=1200,2000")
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less

    dom = headless(page, tmp_path / "profile-2", "--dump-dom").stdout
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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with driven(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def _measured(browser: Any, page: Path, width: int) -> dict[str, Any]:
    """The page measured in a window `width` wide: a phone's below 600 px."""
    window = {**PHONE, "width": width} if width < 600 else {**DESKTOP, "width": width}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", window)
    browser.get(page.as_uri())
    measured: dict[str, Any] = browser.execute_script(_MEASURE)
    return measured


@pytest.fixture(scope="module")
def review_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("review") / "review.html"
    _review(page)
    return page


def test_on_a_phone_nothing_scrolls_sideways(browser: Any, review_page: Path) -> None:
    measured = _measured(browser, review_page, 390)
    assert (measured["page"], measured["viewport"]) == (390, 390)
    assert measured["scrolling"] == []  # no table hides health or confidence off to the side
    assert measured["sticking_out"] == []
    # a key result's title gets the card's width, not a word per line
    assert measured["titles"] and min(measured["titles"]) > 300


def test_on_a_wide_screen_the_tables_stay_tables(browser: Any, review_page: Path) -> None:
    measured = _measured(browser, review_page, 1440)
    assert measured["scrolling"] == [] and measured["sticking_out"] == []
    assert max(measured["titles"]) < 600  # the other columns sit beside the title


def test_every_pill_meets_wcag_aa(browser: Any, review_page: Path) -> None:
    pills = _measured(browser, review_page, 390)["pills"]
    healths = {text for text, _, _ in pills}
    assert {"on-track", "at-risk", "off-track", "done"} <= healths
    weak = [(text, round(contrast(fg, bg), 2)) for text, fg, bg in pills if contrast(fg, bg) < 4.5]
    assert weak == []


def test_the_overview_of_all_objectives_comes_first(browser: Any, review_page: Path) -> None:
    measured = _measured(browser, review_page, 390)
    assert measured["sections"][0] == "overview"
    assert measured["overview"] == measured["objectives"] > 0
