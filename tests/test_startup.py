"""Start-up stays small (SPEC §4): what a run imports and builds before its command runs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


def imported_by(args: list[str]) -> set[str]:
    """The modules a fresh process holds after `itokr ARGS` ran in it."""
    probe = (
        "import sys, io; from itokr.cli import run; sys.stdout = io.StringIO(); "
        f"run({args!r}); sys.stderr.write(repr(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(ast.literal_eval(done.stderr))


def test_a_status_run_imports_no_other_command_and_nothing_it_does_not_use() -> None:
    root = str(EXAMPLES / "it-department")
    modules = imported_by(["--root", root, "status", "--as-of", "2026-11-21"])
    commands = {name for name in modules if name.startswith("itokr.cli.")}
    assert commands == {"itokr.cli.app", "itokr.cli.usage", "itokr.cli.status"}
    unused = {"json", "rich.table", "itokr.render.status", "itokr.render.findings", "itokr.gitio"}
    unused |= {"itokr.smart", "itokr.checkin", "itokr.history", "itokr.diffing", "ruamel"}
    assert not modules & unused


def test_every_module_that_registers_a_command_is_in_the_table_help_reads() -> None:
    """A command missing from `itokr.cli.COMMANDS` would never be imported, so never run."""
    cli = Path(itokr.cli.__file__).parent
    registering = {path.stem for path in cli.glob("*.py") if "\n@command(" in path.read_text()}
    assert registering == set(itokr.cli.COMMANDS.values())
    assert list(itokr.cli.COMMANDS) == COMMANDS  # and --help lists them in its order


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


def test_importing_the_model_builds_no_validator() -> None:
    """Validators are built on first use (defer_build): a default that is itself a model
    is constructed, not validated, at import. The first build loads pydantic's plugins."""
    probe = "import sys, itokr.model.config, itokr.model.objectives; "
    probe += "print('pydantic.plugin._loader' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_a_root_without_settings_gets_the_defaults_validation_gives() -> None:
    from itokr.model.config import Config

    assert Config.model_construct() == Config.model_validate({})
    assert Config.model_construct().model_dump() == Config.model_validate({}).model_dump()


def test_a_validate_run_imports_no_scoring_and_no_rich() -> None:
    """Checking files scores nothing and draws nothing: scoring (and the KPI and as-of
    code under it) and rich stay out of `validate`'s start (a shared word helper once
    pulled scoring in, 4 % of every run)."""
    modules = imported_by(["--root", str(EXAMPLES / "it-department"), "validate"])
    assert not {name for name in modules if name.split(".")[0] == "rich"}
    assert not modules & {"itokr.scoring", "itokr.render.plain", "itokr.smart", "json"}
