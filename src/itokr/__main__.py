"""The `itokr` entry point.

`itokr --version` is answered before anything heavy is imported: typer pulls
in pydantic, which alone costs ten times a bare interpreter start. Ctrl-C and
a closed pipe end the process quietly wherever they strike, even while the
imports run or while stdout is flushed at exit.
"""

from __future__ import annotations

import sys

INTERRUPTED, BROKEN_PIPE = 130, 141  # as in itokr.errors, which this must not import yet


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe would be reported
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        from itokr.cli.app import quiet_broken_pipe

        return quiet_broken_pipe()
    return code


def _dispatch(args: list[str]) -> int:
    if args[:1] == ["--version"]:
        from itokr import __version__

        sys.stdout.write(f"itokr {__version__}\n")
        return 0
    from itokr.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
