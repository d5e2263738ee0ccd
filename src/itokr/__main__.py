"""The `itokr` entry point.

`itokr --version` is answered before anything heavy is imported: typer pulls
in pydantic, which alone costs ten times a bare interpreter start.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--version"]:
        from itokr import __version__

        sys.stdout.write(f"itokr {__version__}\n")
        return 0
    from itokr.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
