"""WCAG AA contrast of the site's palette, light and dark, computed from site.css itself.

Text needs 4.5:1 against what it sits on; the parts of a chart or control a
reader must see (meter fills, bars, the focus ring) need 3:1 (WCAG 1.4.3, 1.4.11).
The browser test checks the rendered pages too, with the same maths (tests/browser.py);
this one names the pair that fails.
"""

from __future__ import annotations

import re

import pytest

from browser import contrast
from conftest import REPO

CSS = (REPO / "src" / "itokr" / "templates" / "site" / "site.css").read_text(encoding="utf-8")
HEALTH_COLOURS = ("ok", "warn", "bad", "idle")


def _palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def _palettes() -> dict[str, dict[str, str]]:
    light = _palette(CSS.split("@media screen and (prefers-color-scheme: dark)")[0])
    dark_block = CSS.split("@media screen and (prefers-color-scheme: dark)")[1].split("}\n}")[0]
    return {"light": light, "dark": {**light, **_palette(dark_block)}}


def test_the_formula_matches_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("rgb(119, 119, 119)", "#ffffff") == contrast("#777777", "#ffffff")


PAIRS = [  # (foreground, background, the ratio it needs)
    # every text the pages show
    ("fg", "bg", 4.5),
    ("fg", "surface", 4.5),
    ("muted", "bg", 4.5),
    ("muted", "surface", 4.5),
    ("link", "bg", 4.5),
    ("link", "surface", 4.5),
    ("warn", "bg", 4.5),  # "stale"
    *(("on-pill", colour, 4.5) for colour in HEALTH_COLOURS),
    ("chart-fg", "chart-bg", 4.5),
    ("chart-muted", "chart-bg", 4.5),
    # the parts of a chart, meter or control a reader must see
    ("link", "track", 3.0),  # a meter's fill
    ("fg", "track", 3.0),  # the expected-progress tick
    *((colour, "bg", 3.0) for colour in HEALTH_COLOURS),  # bars of the health chart
    ("focus", "bg", 3.0),
    ("focus", "surface", 3.0),
    ("control", "bg", 3.0),  # the edge of a select or button (table lines are decoration)
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fore", "back", "needed"), PAIRS)
def test_the_palette_meets_aa(scheme: str, fore: str, back: str, needed: float) -> None:
    palette = _palettes()[scheme]
    ratio = contrast(palette[fore], palette[back])
    assert ratio >= needed, f"{scheme}: --{fore} on --{back} is {ratio:.2f}:1, needs {needed}"


def test_both_schemes_define_every_colour() -> None:
    light, dark = _palettes().values()
    assert set(light) == set(dark) and len(light) >= 15
