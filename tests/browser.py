"""Chromium for the browser tests of the HTML report and of the site: where it is, how it
is launched, and the WCAG contrast maths both measure with.

One launch recipe for both: headless, no sandbox (CI runs as root in a container),
nothing fetched behind the test's back (no background networking, component updates
or sync), a throwaway profile. Selenium drives it through Debian's chromedriver and
must never download a driver of its own. Without Chromium the tests skip on a laptop
and fail under CI (`require_tool`; `.ci/run` installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import require_tool

CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
DRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Windows as Emulation.setDeviceMetricsOverride takes them
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
DESKTOP = {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False}


def headless(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium's own command line on `page`, for what it does alone (--screenshot,
    --dump-dom), with no driver in between."""
    require_tool(CHROMIUM, "no headless Chromium or Chrome installed")
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def driven(profile: Path, *, logs: bool = False) -> Iterator[Any]:
    """A headless Chromium under selenium, through the installed chromedriver; `logs`
    keeps the console and network logs for `get_log`."""
    require_tool(
        CHROMIUM and DRIVER,
        "no Chromium with chromedriver installed (Debian: chromium, chromium-driver)",
    )
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # selenium must never fetch a driver: it is installed
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, "--hide-scrollbars", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        if logs:
            options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        if offline is None:
            del os.environ["SE_OFFLINE"]
        else:
            os.environ["SE_OFFLINE"] = offline


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of `#rrggbb` or a computed `rgb(r, g, b)` (an alpha
    channel, when there is one, is left out)."""
    if colour.startswith("#"):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        channels = [float(c) / 255 for c in re.findall(r"[\d.]+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21, whichever is lighter."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)
