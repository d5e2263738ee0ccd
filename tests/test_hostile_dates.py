"""Dates never crash a command: the command line takes years 1900-2999 (SPEC §3),
settings and options that are added to dates are bounded, and arithmetic on a
date from a file (9999-12-25 is a real date) is held at the calendar's end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from gitrepo import GitRepo, forget_git_variables

Run = Callable[..., Result]
WHOLE_CALENDAR = """\
owner: platform-team
objectives:
  - id: a
    title: The whole calendar objective
    start: 0001-01-01
    end: 9999-12-31
    key_results:
      - id: k
        title: Reach ten over all time
        baseline: 0
        target: 10
        due: 9999-12-31
        checkins:
          - {date: 0001-01-02, value: 1}
          - {date: 9999-12-25, value: 3}
"""


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"team.yaml": WHOLE_CALENDAR})


@pytest.mark.parametrize("within", ["0", "7", "3650"])
@pytest.mark.parametrize("as_of", ["1900-01-01", "2026-11-01", "2999-12-31"])
def test_due_on_a_check_in_dated_9999_12_25(
    run: Run, make_root: Callable[..., Path], root: Path, within: str, as_of: str
) -> None:
    make_root({"itokr.yaml": "checkins: {stale_after_days: 3650}\n"})
    for output in ("text", "json", "markdown", "github"):
        result = run("--root", str(root), "due", "--within", within, "--as-of", as_of, "-f", output)
        assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("within", ["-1", "3651", "3000000"])
def test_due_within_is_bounded(run: Run, root: Path, within: str) -> None:
    result = run("--root", str(root), "due", "--within", within)
    assert result.exit_code == 2
    assert result.stderr == f"itokr: --within {within}: give 0 to 3650 days\n"


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("status",),
        ("score", "a/k"),
        ("tree",),
        ("smart",),
        ("due",),
        ("report",),
        ("history", "a/k"),
        ("carry", "2026-Q4", "2027-Q1"),
        ("checkin", "a/k", "4"),
        ("init", "elsewhere"),
    ],
    ids=lambda args: args[0],
)
@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "0001-01-01", "3000-01-01"])
def test_as_of_outside_1900_to_2999_is_misuse(
    run: Run, root: Path, args: tuple[str, ...], day: str
) -> None:
    result = run("--root", str(root), *args, "--as-of", day, cwd=root.parent)
    assert result.exit_code == 2, result.stdout
    assert result.stderr == f"itokr: --as-of {day}: give a date from 1900 to 2999\n"


@pytest.mark.parametrize("args", [("diff", "HEAD"), ("status", "--at", "HEAD")], ids=" ".join)
def test_as_of_of_a_revision_is_bounded_alike(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """The commands that read git take the one date parser too (main's diff --as-of)."""
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", WHOLE_CALENDAR)
    repo.commit("plan")
    result = run(*args, "--as-of", "3000-01-01", cwd=repo.path)
    assert (result.exit_code, result.stderr) == (
        2,
        "itokr: --as-of 3000-01-01: give a date from 1900 to 2999\n",
    )


@pytest.mark.parametrize("text", ["20261101", "2026-W45-1", "2026-11-01T00:00", "2026-1-1"])
def test_only_yyyy_mm_dd_is_a_date(run: Run, root: Path, text: str) -> None:
    result = run("--root", str(root), "status", "--as-of", text)
    assert result.exit_code == 2
    assert "expected a real date written YYYY-MM-DD" in result.stderr


def test_a_check_in_date_past_2999_is_misuse(run: Run, root: Path) -> None:
    before = (root / "team.yaml").read_text()
    result = run("--root", str(root), "checkin", "a/k", "4", "--date", "9999-12-30")
    assert result.exit_code == 2
    assert result.stderr == "itokr: --date 9999-12-30: give a date from 1900 to 2999\n"
    assert (root / "team.yaml").read_text() == before


@pytest.mark.parametrize("days", [3651, 3000000])
def test_stale_after_days_is_bounded_by_validation(
    run: Run, make_root: Callable[..., Path], root: Path, days: int
) -> None:
    make_root({"itokr.yaml": f"checkins: {{stale_after_days: {days}}}\n"})
    result = run("--root", str(root), "validate", cwd=root.parent)
    assert result.exit_code == 1
    assert result.stdout.startswith("okrs/itokr.yaml:1:30: E107 `stale_after_days` must be <= 3650")
    assert run("--root", str(root), "due").exit_code == 1  # the problem is said, no crash
