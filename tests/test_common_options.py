"""The options SPEC promises on every command, checked on each one as Typer builds it:
`--format` on all (§3), `--as-of` on every command that reads OKRs (all but `schema`)."""

from __future__ import annotations

import pytest
import typer

from itokr.cli import app

COMMANDS = typer.main.get_group(app).commands
READS_NO_OKRS = {"schema"}  # it prints what the file format is, whatever the root holds


def _options(name: str) -> set[str]:
    return {option for param in COMMANDS[name].params for option in param.opts}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_format(name: str) -> None:
    assert "--format" in _options(name)


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - READS_NO_OKRS))
def test_every_command_reading_okrs_takes_as_of(name: str) -> None:
    assert "--as-of" in _options(name)
