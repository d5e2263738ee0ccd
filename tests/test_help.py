"""`--help` of every command, word for word at 80 columns, and usage errors in itokr's
words. A Typer release that changes any of it fails here; after a deliberate change,
`ITOKR_UPDATE_HELP=1 pytest tests/test_help.py` rewrites the snapshots in tests/help/."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result, installed_itokr

Run = Callable[..., Result]
SNAPSHOTS = REPO / "tests" / "help"
COMMANDS = [
    "validate", "status", "score", "tree", "kpis", "smart", "checkin", "measure", "diff",
    "due", "history", "report", "site", "carry", "import", "export", "schema", "init",
]  # fmt: skip


def _help(run: Run, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    result = run(*args, "--help")
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_matches_its_snapshot(run: Run, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    text = _help(run, monkeypatch, *filter(None, [command]))
    snapshot = SNAPSHOTS / f"{command or 'itokr'}.txt"
    if os.environ.get("ITOKR_UPDATE_HELP"):
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


def test_every_command_has_a_snapshot(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = _help(run, monkeypatch).split("Commands:\n")[1]
    assert re.findall(r"(?m)^  (\w+)", listed) == COMMANDS


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_reads_cleanly(run: Run, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """No type tags, no doubled brackets, nothing past 80 columns, no trailing spaces."""
    text = _help(run, monkeypatch, *filter(None, [command]))
    for junk in ("<bool>", "<str>", "<int>", "<float>", "<list", "{", "[[", "docs/", "README"):
        assert junk not in text
    assert not re.search(r"\bSPEC\b", text)  # the contract is ours, not the user's
    for line in text.splitlines():
        assert len(line) <= 80 and line == line.rstrip()
    assert "Usage: itokr" in text


def test_top_level_help_names_every_exit_code(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(_help(run, monkeypatch).split())
    for code in ("0 all good", "1 the OKRs have problems", "2 the command was used wrongly"):
        assert code in text
    assert "3 a bug in itokr" in text


def test_help_follows_the_terminal_width(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    narrow = run("status", "--help").stdout
    assert max(map(len, narrow.splitlines())) <= 60
    monkeypatch.setenv("COLUMNS", "300")
    wide = run("status", "--help").stdout
    assert 80 < max(map(len, wide.splitlines())) <= 100  # readable lines, however wide


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--bogus"], "itokr: No such option: --bogus"),
        (
            ["due", "--within", "abc"],
            "itokr: Invalid value for '--within': expected a whole number",
        ),
        (
            ["smart", "--min-score", "abc"],
            "itokr: Invalid value for '--min-score': expected a number",
        ),
        (
            ["smart", "--min-score", "3"],
            "itokr: Invalid value for '--min-score': expected at most 1",
        ),
        (["status", "--health", "purple"], "itokr: Invalid value for '--health': 'purple' is not"),
        (["checkin"], "itokr: name what to check in: REF"),
        (["stat"], "itokr: No such command 'stat'. Did you mean 'status'"),
    ],
)
def test_usage_errors_in_one_style(run: Run, args: list[str], message: str) -> None:
    """`itokr: what is wrong`, the usage line, where the help is; exit 2; no pydantic words."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    first, usage, hint = result.stderr.splitlines()
    assert first.startswith(message)
    assert re.fullmatch(r"Usage: itokr( \w+)? \[OPTIONS\].*", usage)
    assert hint.startswith("Try 'itokr") and hint.endswith(" --help' for help.")
    assert "Value error" not in first and "Input should" not in first


def test_bare_itokr_shows_the_help_on_stderr(run: Run) -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: itokr [OPTIONS] COMMAND [ARGS]...")


def test_global_options_after_the_command(run: Run, tmp_path: Path) -> None:
    example = REPO / "examples" / "okr-practice"
    assert run("status", "--version").stdout.startswith("itokr ")
    shown = run("status", "--objectives", "--root", str(example), "-f", "json", cwd=tmp_path)
    assert (shown.exit_code, shown.stdout[:9]) == (0, '{"as_of":')
    noted = run("checkin", "x/y", "--note", "--root", cwd=tmp_path)  # a note, not --root
    assert "no OKR root" in noted.stderr or "itokr:" in noted.stderr
    missing = run("status", "--root")
    assert missing.exit_code == 2 and "--root" in missing.stderr


def test_installed_usage_error_goes_to_stderr_with_exit_2() -> None:
    done = subprocess.run(
        [installed_itokr(), "status", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("itokr: No such option: --bogus\nUsage: itokr status [OPTIONS]\n")
