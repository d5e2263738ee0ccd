"""The command line: a thin layer of Typer commands over the core."""

from __future__ import annotations

import copy
import importlib
import os
import sys
from collections.abc import Iterator
from typing import SupportsIndex

import typer
from typer.models import CommandInfo

from itokr.cli.app import app, complain
from itokr.errors import BROKEN_PIPE, INTERNAL, INTERRUPTED, ItokrError

# Every command, by its name, and the module of itokr.cli that registers it (with
# `@command()` at its top level); the order here is the order of `--help`. A run
# imports only the module of the command it names, so a new command must be listed
# here and nowhere else: nothing imports a command module at start-up.
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "status": "status",
    "score": "score",
    "tree": "tree",
    "kpis": "kpis",
    "smart": "smart",
    "checkin": "checkin",
    "measure": "measure",
    "diff": "diff",
    "due": "due",
    "history": "history",
    "report": "report",
    "site": "site",
    "carry": "carry",
    "import": "imports",
    "export": "export",
    "schema": "schema",
    "init": "init",
}
_ORDER = {f"{__name__}.{module}": index for index, module in enumerate(COMMANDS.values())}


class Registry(list[CommandInfo]):
    """`app.registered_commands`: a command module adds its command when it is
    imported, and whoever reads the list (Typer building the whole app for --help, a
    test) first gets every module imported, and the commands in the order of --help."""

    def imported(self) -> list[CommandInfo]:
        """The commands registered so far, without importing any more."""
        return list(super().__iter__())

    def _complete(self) -> None:
        for module in COMMANDS.values():
            importlib.import_module(f"{__name__}.{module}")
        self.sort(key=lambda info: _ORDER.get(getattr(info.callback, "__module__", ""), -1))

    def __iter__(self) -> Iterator[CommandInfo]:
        self._complete()
        return super().__iter__()

    def __len__(self) -> int:
        self._complete()
        return super().__len__()

    def __getitem__(self, index: SupportsIndex | slice) -> CommandInfo | list[CommandInfo]:  # type: ignore[override]
        self._complete()
        return super().__getitem__(index)


app.registered_commands = Registry(app.registered_commands)


def debugging(args: list[str]) -> bool:
    """`--debug` among the arguments (before or after the command), or ITOKR_DEBUG set."""
    if os.environ.get("ITOKR_DEBUG", "") not in ("", "0"):
        return True
    after_root = False
    for arg in args:
        if arg == "--":
            return False
        if arg == "--debug" and not after_root:
            return True
        after_root = arg == "--root"
    return False


def quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so the exit flush cannot fail; the exit code for it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (a test runner's buffer)
        pass
    finally:
        os.close(devnull)
    return BROKEN_PIPE


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command that `args` run, when they name one.

    Only that command's module is imported (the others cost 5 ms of every start), and
    Typer turns only it into a click command before parsing: building all 18 took
    18 ms of the 250 a small `itokr status` took. Help, no command, a name that is no
    command (its suggestions list them all) get the whole app.
    """
    name = _command_name(args)
    if name not in COMMANDS:
        return app
    importlib.import_module(f"{__name__}.{COMMANDS[name]}")
    registered: Registry = app.registered_commands  # type: ignore[assignment]
    chosen = [info for info in registered.imported() if _name_of(info) == name]
    narrowed = copy.copy(app)
    narrowed.registered_commands = chosen
    return narrowed


def _name_of(info: CommandInfo) -> str:
    return info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))


def _command_name(args: list[str]) -> str | None:
    """The first argument after the global options, unless it is an option itself."""
    rest = iter(args)
    for arg in rest:
        if arg == "--root":
            next(rest, None)
        elif arg != "--debug" and not arg.startswith("--root="):
            return None if arg.startswith("-") else arg
    return None


def run(args: list[str]) -> int:
    """Run one command; the one place where exceptions become exit codes.

    A command's own guard turns Ctrl-C into `itokr: interrupted` and exit 130; one
    outside it (while Typer parses) ends the same way here. Typer turns usage errors
    into exit 2; a closed pipe is SIGPIPE's (see `itokr.__main__`).
    """
    try:
        app_for(args)(args, prog_name="itokr")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except ItokrError as error:
        complain(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        complain("interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        return quiet_broken_pipe()
    except Exception as error:  # the error boundary: a bug, never a user's mistake
        if debugging(args):
            import traceback

            traceback.print_exc()
            return INTERNAL
        detail = (str(error).splitlines() or [""])[0][:200]
        complain(
            f"internal error, please report: {type(error).__name__}: {detail} "
            "(run with --debug for the traceback)"
        )
        return INTERNAL
    return 0
