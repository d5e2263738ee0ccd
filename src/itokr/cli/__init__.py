"""The command line: a thin layer of Typer commands over the core."""

from __future__ import annotations  # noqa: I001 (commands in the order of --help)

import os
import sys

# Each module registers its command; the order here is the order of `--help`.
from itokr.cli import validate as _validate  # noqa: F401
from itokr.cli import status as _status  # noqa: F401
from itokr.cli import score as _score  # noqa: F401
from itokr.cli import tree as _tree  # noqa: F401
from itokr.cli import kpis as _kpis  # noqa: F401
from itokr.cli import smart as _smart  # noqa: F401
from itokr.cli import checkin as _checkin  # noqa: F401
from itokr.cli import measure as _measure  # noqa: F401
from itokr.cli import diff as _diff  # noqa: F401
from itokr.cli import due as _due  # noqa: F401
from itokr.cli import history as _history  # noqa: F401
from itokr.cli import report as _report  # noqa: F401
from itokr.cli import site as _site  # noqa: F401
from itokr.cli import carry as _carry  # noqa: F401
from itokr.cli import imports as _imports  # noqa: F401
from itokr.cli import export as _export  # noqa: F401
from itokr.cli import schema as _schema  # noqa: F401
from itokr.cli import init as _init  # noqa: F401
from itokr.cli.app import app, complain
from itokr.errors import BROKEN_PIPE, INTERNAL, INTERRUPTED, ItokrError


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


def run(args: list[str]) -> int:
    """Run one command; the one place where exceptions become exit codes.

    Typer itself turns Ctrl-C into exit 130 and usage errors into exit 2; a
    closed pipe is SIGPIPE's (see `itokr.__main__`).
    """
    try:
        app(args, prog_name="itokr")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except ItokrError as error:
        complain(str(error))
        return error.exit_code
    except KeyboardInterrupt:
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
