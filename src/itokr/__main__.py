"""The `itokr` entry point.

`itokr --version` is answered before anything heavy is imported: typer pulls
in pydantic, which alone costs ten times a bare interpreter start.

Ctrl-C ends the process quietly with 130 wherever it strikes, even during the
imports. A closed pipe (`itokr status | head`) ends it the way it ends `cat`:
SIGPIPE, which the shell reports as 141, with no message; without SIGPIPE
(Windows) the same exit code comes from catching BrokenPipeError.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # as in itokr.errors, which this must not import yet


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = _dispatch(args, process=argv is None)
        sys.stdout.flush()  # here, not at exit, where a closed pipe would be reported
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        from itokr.cli import quiet_broken_pipe

        return quiet_broken_pipe()
    return code


def _dispatch(args: list[str], *, process: bool) -> int:
    if args[:1] == ["--version"]:
        from itokr import __version__

        sys.stdout.write(f"itokr {__version__}\n")
        return 0
    import signal  # not before --version: its import costs a fifth of a bare start

    if process and hasattr(signal, "SIGPIPE"):  # not when a test calls main() in-process
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from itokr.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
