"""Start-up stays small (SPEC §4): what a run imports and builds before its command runs."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import typer

import itokr.cli
from conftest import EXAMPLES
from itokr.cli import app_for, run
from itokr.cli.app import app


def names(application: typer.Typer) -> list[str]:
    """The commands of `application`, as Typer builds them."""
    group = typer.main.get_command(application)
    assert isinstance(group, typer.core.TyperGroup)
    return group.list_commands(typer.Context(group))


COMMANDS = names(app)


def test_the_command_line_imports_only_typer_before_a_command_runs() -> None:
    """A command module imports typer and itokr.cli.app at its top, and the rest where
    its command runs: every module imported here is paid by every command."""
    probe = (  # imports nothing itself beyond what it measures: json would hide json
        "import sys, typer; before = set(sys.modules); import itokr.cli; "
        "print(sorted(set(sys.modules) - before))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    added = ast.literal_eval(done.stdout)
    assert [name for name in added if not name.startswith("itokr")] == ["__future__"]
    assert not [name for name in added if name.startswith(("itokr.render", "itokr.model"))]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_run_builds_its_own_command_alone(name: str) -> None:
    narrowed = app_for(["--root", "okrs", "--debug", name, "--help"])
    assert narrowed is not app
    assert len(narrowed.registered_commands) == 1
    assert names(narrowed) == [name]
    assert len(app.registered_commands) == len(COMMANDS)  # the app itself keeps them all


@pytest.mark.parametrize(
    "args", [[], ["--help"], ["-h"], ["stat"], ["--root"], ["--version"], ["--", "status"]]
)
def test_help_no_command_or_a_mistyped_one_gets_the_whole_app(args: list[str]) -> None:
    assert app_for(args) is app


@pytest.mark.parametrize(
    "args",
    [
        ["stat"],
        [],
        ["--help"],
        ["status", "--help"],
        ["status", "--bogus"],
        ["due", "--within", "abc"],
        ["smart", "--min-score", "3"],
        ["checkin"],
        ["--root", str(EXAMPLES / "okr-practice"), "status", "--as-of", "2026-11-21"],
        ["status", "-f", "json", "--as-of", "2026-11-21", "--root", str(EXAMPLES / "okr-practice")],
        ["--root", str(EXAMPLES / "okr-practice"), "validate"],
    ],
)
def test_a_run_of_one_command_says_what_the_whole_app_says(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code = run(args)
    narrowed = capsys.readouterr()
    monkeypatch.setattr(itokr.cli, "app_for", lambda _: app)
    assert run(args) == code
    assert capsys.readouterr() == narrowed
