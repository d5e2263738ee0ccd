"""The Typer application, its global options, and what every command shares."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from itokr import __version__
from itokr.cli.usage import Command, Group
from itokr.errors import INTERRUPTED, PROBLEMS, ItokrError, UsageError

if TYPE_CHECKING:
    from itokr.findings import Finding
    from itokr.gitio import Repo
    from itokr.loader import Tree

_F = TypeVar("_F", bound=Callable[..., Any])

app = typer.Typer(
    name="itokr",
    help=(
        "OKRs as YAML in git: validate, score and show them.\n\n"
        "The OKR root is --root, else $ITOKR_ROOT, else the nearest okrs/ directory "
        "here or above. Every command has --help.\n\n"
        "Exit codes: 0 all good; 1 the OKRs have problems, or a check you asked for "
        "failed (--min-score, --fail-on); 2 the command was used wrongly; 3 a bug in "
        "itokr (run with --debug and report the traceback)."
    ),
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # itokr lays out its own help (itokr.cli.usage)
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass(frozen=True)
class Globals:
    """What the global options say, read once before the command runs."""

    root: str | None


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"itokr {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    root: Annotated[
        str | None,
        typer.Option(
            "--root",
            metavar="PATH",
            help="The OKR root directory (default: $ITOKR_ROOT, else the nearest okrs/).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an internal error (or ITOKR_DEBUG=1)."),
    ] = False,
) -> None:
    # `itokr.cli.run` reads --debug from the arguments: it must work when the error
    # comes before this callback runs, or after its context is gone.
    ctx.obj = Globals(root=root)


def command(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """`app.command`, turning the core's expected errors and Ctrl-C into a message and exit code."""

    def register(function: _F) -> _F:
        @functools.wraps(function)
        def guarded(*inner: Any, **options: Any) -> Any:
            try:
                return function(*inner, **options)
            except ItokrError as error:
                complain(str(error))
                raise typer.Exit(error.exit_code) from None
            except KeyboardInterrupt:
                # Here, not left to Typer: its standalone mode ends Ctrl-C with 130 but
                # silently, and click's own (which Typer vendors) with "Aborted!" and 1.
                complain("interrupted")
                raise typer.Exit(INTERRUPTED) from None

        app.command(*args, cls=Command, **kwargs)(guarded)
        return function

    return register


def complain(message: str) -> None:
    """`itokr: MESSAGE` on stderr, on one line, with whatever it quotes made inert:
    an argument, a revision or a title cannot drive the terminal or a CI log."""
    from itokr.inert import terminal

    sys.stderr.write(f"itokr: {terminal(message)}\n")


def root_path(ctx: typer.Context) -> Path:
    """The OKR root the user means (exit 2 when there is none)."""
    from itokr.rootfiles import find_root

    globals_: Globals = ctx.find_root().obj
    return find_root(globals_.root, os.environ.get("ITOKR_ROOT"), Path.cwd())


def explicit_root(ctx: typer.Context) -> Path | None:
    """The root as an absolute path when the user named it (--root or $ITOKR_ROOT), or
    None when itokr found it by looking for okrs/ upwards: a saved command that repeats
    it must reach it from anywhere; one that found it will find it again."""
    globals_: Globals = ctx.find_root().obj
    if not (globals_.root or os.environ.get("ITOKR_ROOT")):
        return None
    return root_path(ctx)


def load(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """Load the whole root the user means."""
    from itokr.loader import load_root

    return load_root(root_path(ctx), Path.cwd())


def root_repo(ctx: typer.Context) -> Repo:
    """The git repository that holds the root the user means (exit 2 when none does)."""
    from itokr import gitio

    return gitio.open_repo(root_path(ctx))


def load_at(ctx: typer.Context, revision: str, as_of: str | None) -> tuple[Tree, dt.date]:
    """The root at `revision`, and the day to score it on: --as-of, else the commit's date."""
    from itokr import gitio, gittrees

    day = parse_date(as_of, "--as-of")
    repo = root_repo(ctx)
    commit = gitio.resolve(repo, revision)
    side = gittrees.load_revision(repo, revision, commit, Path.cwd())
    return side.tree, day or gitio.commit_day(repo, commit)


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A date option as given, if given (exit 2 unless YYYY-MM-DD of the years 1900-2999)."""
    from itokr.dates import parse

    return None if value is None else parse(value, option)


def as_of_date(value: str | None) -> dt.date:
    """`--as-of`, default today."""
    return parse_date(value, "--as-of") or dt.date.today()


def use_color() -> bool | None:
    """True/False when the environment decides colour, None to follow the terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def finish(code: int) -> None:
    """End a command with `code`."""
    if code:
        raise typer.Exit(code)
    return None


def problems_note(tree: Tree) -> str:
    count = len(tree.findings)
    return f"{count} problem{'s' if count != 1 else ''} in the OKR files; run itokr validate"


def name_problems(tree: Tree, revision: str) -> None:
    """Each problem of the root as read from a git revision, on stderr as
    `path:line:col: CODE message` (SPEC §3): `itokr validate` reads only the files on disk."""
    name_findings(tree.findings, revision)


def name_findings(findings: Sequence[Finding], revision: str | None) -> None:
    """`name_problems` for findings that are not a whole root's at a revision: those of
    a revision's files, or (`revision` None) of the files on disk."""
    if not findings:
        return
    count = len(findings)
    at = "" if revision is None else f" at {revision}"
    complain(f"{count} problem{'s' if count != 1 else ''} in the OKR files{at}:")
    for f in findings:  # paths and messages are inert already (loader)
        sys.stderr.write(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}\n")


def problems_code(tree: Tree, revision: str | None = None) -> int:
    """Views still show what loaded, but say once that the files have problems (exit 1);
    those of a `revision` are named one by one."""
    if tree.ok:
        return 0
    if revision is None:
        complain(problems_note(tree))
    else:
        name_problems(tree, revision)
    return PROBLEMS


def read_source(path: str) -> bytes | None:
    """A file's bytes as the core asks for them again (to place a finding), or None:
    `path` is a display path (`rootfiles.display_path`, escapes and all)."""
    from itokr.rootfiles import read_shown

    return read_shown(path)


def check_filters(
    tree: Tree,
    *,
    owner: str | None = None,
    area: str | None = None,
    period: str | None = None,
    kpis: bool = False,
    note: bool = True,
) -> None:
    """Exit 2 when --owner, --area or --period names nothing in the root (a period that
    is no period), as every view does; with `kpis`, the view lists KPIs beside
    objectives and their owners count. A real period no objective has is an empty
    answer: with `note` (a view for people) a line on stderr says so."""
    from itokr.crosscheck import empty_period, unmatched_filter

    also = tree.kpis if kpis else ()
    problem = unmatched_filter(
        tree.entries,
        owner=owner,
        area=area,
        period=period,
        kpis=also,
        defined=tree.config.periods.keys(),
    )
    if problem is not None:
        raise UsageError(problem)
    if note and (empty := empty_period(tree.entries, period)) is not None:
        complain(empty)


@contextmanager
def found_among_loaded(tree: Tree) -> Iterator[None]:
    """Resolve a ref inside: one not found in a root with problems may be an objective
    that did not load, so each problem is named and the exit is 1, not the exit 2 of
    an unknown ref."""
    try:
        yield
    except UsageError as unknown:
        if tree.ok:
            raise
        complain(f"{unknown} among the objectives that loaded; problems may keep it out")
        name_findings(tree.findings, None)
        raise typer.Exit(PROBLEMS) from None


def require_valid(tree: Tree) -> None:
    """Commands whose answer must be complete refuse a root with problems (exit 1)."""
    if not tree.ok:
        raise ItokrError(problems_note(tree))


Owner = Annotated[str | None, typer.Option(metavar="NAME", help="Only objectives of this owner.")]
Area = Annotated[str | None, typer.Option(metavar="NAME", help="Only objectives in this area.")]
PeriodName = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Only objectives of this period, by name (2026-Q4, FY27)."),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar="YYYY-MM-DD", help="Score as of this date (default: today)."),
]
