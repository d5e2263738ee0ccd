"""The README is the newcomer's path: its commands exist, and every command is in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import REPO, Result
from itokr.cli.app import app  # itokr.cli, imported first, registers every command

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(
    command.name or command.callback.__name__  # type: ignore[union-attr]
    for command in app.registered_commands
)
INSTALL_AND_RUN = "pip install . && itokr status"
INSTALL_AND_TEST = "pip install '.[test]' && pytest"


def test_every_contract_command_is_registered() -> None:
    contract = {"validate", "status", "score", "smart", "checkin", "diff", "tree", "schema", "init"}
    assert contract <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_and_has_help(name: str, run: Callable[..., Result]) -> None:
    assert f"`itokr {name}" in README, f"the README does not show `itokr {name}`"
    result = run(name, "--help")
    assert result.exit_code == 0
    assert f"Usage: itokr {name}" in result.stdout
    summary = result.stdout.split("Usage:", 1)[1].splitlines()[2:4]
    assert any(line.strip() for line in summary), f"`itokr {name} --help` has no summary"


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one() -> None:
    assert INSTALL_AND_RUN in README
    assert INSTALL_AND_TEST in README
    assert INSTALL_AND_TEST in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_the_projects_own_okrs_are_what_status_shows_from_the_repo(
    run: Callable[..., Result],
) -> None:
    result = run("status", "--format", "json", "--as-of", "2026-11-21", cwd=REPO / "src")
    assert result.exit_code == 0, result.stderr
    assert '"objectives"' in result.stdout


def test_the_status_sample_is_what_status_prints_at_100_columns(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first picture of itokr is real output, kept so."""
    command = "itokr --root examples/it-department status --owner security-team --as-of 2026-11-21"
    shown = README.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(REPO)
    result = run(*command.split()[1:], env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert result.exit_code == 0
    assert result.stdout == shown
