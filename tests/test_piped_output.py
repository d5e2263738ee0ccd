"""What people copy from a pipe: no padding at line ends, wording that fits the date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result

Run = Callable[..., Result]
IT = EXAMPLES / "it-department"


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--objectives"],
        ["score", "q3-cyber-posture"],
        ["score", "reliable-platform/uptime"],
        ["tree"],
        ["smart"],
        ["due"],
        ["history", "reliable-platform/uptime"],
    ],
)
@pytest.mark.parametrize("columns", ["80", "120"])
def test_no_line_ends_in_spaces(run: Run, args: list[str], columns: str) -> None:
    result = run("--root", str(IT), *args, "--as-of", "2026-11-21", env={"COLUMNS": columns})
    assert result.stdout.strip()
    padded = [line for line in result.stdout.splitlines() if line != line.rstrip(" ")]
    assert padded == []


def test_the_status_legend_names_the_as_of_date(run: Run) -> None:
    """On a past --as-of, the ┃ mark is what was expected by that date, not today."""
    result = run("--root", str(IT), "status", "--as-of", "2026-09-30", env={"COLUMNS": "200"})
    legend = result.stdout.splitlines()[-1]
    assert "┃ expected by 2026-09-30" in legend and "today" not in legend


def test_a_quarter_is_not_miscounted(run: Run) -> None:
    """Q3 has 92 days: its first day to its last is 91 days of elapsing, said as such."""
    result = run(
        "--root", str(IT), "score", "q3-cyber-posture", "--as-of", "2026-09-30",
        env={"COLUMNS": "200"},
    )  # fmt: skip
    text = " ".join(result.stdout.split())
    assert "91 of the 91 days from the first day of 2026-Q3 to its last" in text
    assert "91 of 91 days of 2026-Q3" not in text


def test_no_negative_zero(run: Run) -> None:
    """Expected 0.10 less at_risk 0.10 is 0.00, not -0.00 (a float a hair below 0)."""
    result = run(
        "--root", str(IT), "score", "fortify-platforms", "--as-of", "2026-10-10",
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert "-0.00" not in result.stdout
    assert "≥ 0.00" in result.stdout or "≥ -" in result.stdout


def test_one_reading_is_singular(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root(
        {
            "a.yaml": """\
                period: 2026-Q4
                objectives:
                  - id: a
                    title: One objective with one check-in
                    key_results:
                      - id: k
                        title: One measured key result
                        baseline: 0
                        target: 10
                        checkins: [{date: 2026-10-10, value: 4}]
            """
        }
    )
    result = run("--root", str(root), "history", "a/k", "--as-of", "2026-10-20")
    assert ", 1 reading\n" in result.stdout
