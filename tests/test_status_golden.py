"""The status table, byte for byte, as rich's Table drew it before itokr drew it faster.

tests/golden/status/ holds `itokr status --as-of 2026-11-21` of both example roots at
five widths, with colour and without, as written by the Table-based view (main at
23d581c). At 40 columns the table does not fit and rich's own layout narrows it.
Regenerate them only for a change of the view that is meant.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO, Result

GOLDEN = REPO / "tests" / "golden" / "status"


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.txt")), ids=lambda path: path.stem)
def test_status_table_is_byte_for_byte_the_golden(golden: Path, run: Callable[..., Result]) -> None:
    example, width, *colour = golden.stem.rsplit("-", 2 if golden.stem.endswith("color") else 1)
    env = {
        "COLUMNS": width,
        "FORCE_COLOR": "1" if colour else "",
        "NO_COLOR": "" if colour else "1",
    }
    result = run("--root", str(EXAMPLES / example), "status", "--as-of", "2026-11-21", env=env)
    assert result.exit_code == 0
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_every_example_and_width_has_its_golden() -> None:
    assert len(list(GOLDEN.glob("*.txt"))) == 2 * 5 * 2
