"""The command line: a thin layer of Typer commands over the core."""

from __future__ import annotations

import os
import sys

# Each module registers its command; the order here is the order of `--help`.
from itokr.cli import validate as _validate  # noqa: F401
from itokr.cli import status as _status  # noqa: F401
from itokr.cli import score as _score  # noqa: F401
from itokr.cli import tree as _tree  # noqa: F401
from itokr.cli import smart as _smart  # noqa: F401
from itokr.cli import checkin as _checkin  # noqa: F401
from itokr.cli import diff as _diff  # noqa: F401
from itokr.cli import schema as _schema  # noqa: F401
from itokr.cli import init as _init  # noqa: F401
from itokr.cli.app import app
from itokr.errors import INTERNAL, INTERRUPTED, ItokrError


def run(args: list[str]) -> int:
    """Run one command; the one place where exceptions become exit codes."""
    try:
        app(args, prog_name="itokr")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except ItokrError as error:
        sys.stderr.write(f"itokr: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`itokr status | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # the error boundary: a bug, never a user's mistake
        if os.environ.get("ITOKR_DEBUG"):
            raise
        sys.stderr.write(
            f"itokr: internal error ({type(error).__name__}: {error}); "
            "please report it, with ITOKR_DEBUG=1 for the traceback\n"
        )
        return INTERNAL
    return 0
