"""`itokr checkin`: record progress in the YAML files, keeping every byte of them.

One key result or KPI from the arguments; a team's due ones by a guided walk in a
terminal (`--owner`); any number from a CSV file (`--batch`). All three write
through the same verified, locked, atomic splices, and `--commit` commits them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, complain, load, root_path, use_color
from itokr.errors import INTERRUPTED, ItokrError, UsageError

if TYPE_CHECKING:
    import datetime as dt

    from itokr.checkin_args import Request
    from itokr.gitio import Repo
    from itokr.ritual import Stop


class CheckinFormat(StrEnum):
    text = "text"
    json = "json"


class Interrupted(ItokrError):
    """Ctrl-C (or the end of input) before the walk ended: nothing was written."""

    exit_code = INTERRUPTED


# A negative VALUE (`-3`) is a value, not an unknown option.
@command(context_settings={"ignore_unknown_options": True})
def checkin(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="REF",
            help="The key result, as OBJECTIVE_ID/KR_ID, or a KPI by its id.",
            show_default=False,
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(
            metavar="VALUE",
            help="The measured value of a metric, threshold or KPI; negative values work "
            "as they are (itokr checkin nps/score -3). Left out in a terminal: asked for.",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="When it was measured (default: --as-of, today)."),
    ] = None,
    confidence: Annotated[
        str | None, typer.Option(metavar="0..1", help="How likely the target is met, 0 to 1.")
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            help="A short note kept with the check-in. On a milestone or done/not-done key "
            "result, --confidence and --note without a VALUE record a status update."
        ),
    ] = None,
    milestone: Annotated[
        str | None, typer.Option(metavar="TITLE", help="Mark this milestone done.")
    ] = None,
    done: Annotated[
        bool, typer.Option("--done", help="Mark a done/not-done key result done.")
    ] = False,
    undo: Annotated[
        bool, typer.Option("--undo", help="With --milestone or --done: mark it not done.")
    ] = False,
    owner: Annotated[
        str | None,
        typer.Option(
            metavar="TEAM",
            help="Walk through TEAM's key results and KPIs that are due, in a terminal: "
            "each asks for its value (or milestones done), confidence and note; all are "
            "written at the end.",
        ),
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Record the check-ins of a CSV file (- reads stdin), header "
            "ref,value,date,confidence,note (and by, who measured it): all or none.",
        ),
    ] = None,
    commit: Annotated[
        bool,
        typer.Option("--commit", help="Commit the files changed (only those), naming the refs."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff it would make; write nothing.")
    ] = False,
    as_of: AsOf = None,
    output: Annotated[CheckinFormat, typer.Option("--format", "-f", help="text or json.")] = (
        CheckinFormat.text
    ),
) -> None:
    """Record a dated check-in: a value, a status update, a milestone done; or a
    team's all at once.

    The file keeps every comment, blank line and quote: a check-in adds its own
    lines, in date order, in the style of the check-ins around it. A key result
    written with `current:` has that line replaced by `checkins:` holding the new
    check-in (the old value stays in git history). Nothing is written while any
    OKR file is invalid (exit 1) or when the arguments are wrong (exit 2); the
    file is replaced atomically, and concurrent check-ins wait for each other.

    --owner TEAM (in a terminal) walks through the team's running key results and
    KPIs that are due: stale, or without a check-in in the last 7 days. Enter skips
    a question; Ctrl-C before the end writes nothing. --batch FILE reads a CSV
    file instead; a row that does not fit (an unknown ref, not a number) is named
    by its line, and nothing is written (exit 1).
    """
    if commit and dry_run:
        raise UsageError("--commit and --dry-run exclude each other: a dry run writes nothing")
    given: dict[str, object] = {"VALUE": value, "--confidence": confidence, "--note": note}
    given |= {"--milestone": milestone, "--done": done or None, "--undo": undo or None}
    mode = "--batch" if batch is not None else "--owner" if owner is not None else None
    if mode is not None:
        _check_mode(mode, {"REF": ref, **given}, date=date, both=None not in (batch, owner))
    elif ref is None:  # a usage error with the usage line, as Typer's own are shown
        ctx.fail(
            "name what to check in: REF (OBJECTIVE_ID/KR_ID, or a KPI id), --owner TEAM to "
            "walk through a team's due ones, or --batch FILE"
        )
    root = root_path(ctx)
    run = _Run(root, as_of_date(as_of), dry_run, _commit_repo(root) if commit else None)
    json_out = output is CheckinFormat.json
    if batch is not None:
        name, rows = _batch_requests(batch, run.day, run.root)
        lines = [f"{name}:{line}" for line, _ in rows]
        _record_all(run, [request for _, request in rows], json_out, lines=lines)
    elif owner is not None or (all(v is None for v in given.values()) and sys.stdin.isatty()):
        _walk(ctx, run, owner, ref, date, json_out)
    else:
        assert ref is not None
        from itokr.checkin_args import make_request

        request = make_request(
            ref,
            value,
            date=date,
            confidence=confidence,
            note=note,
            milestone=milestone,
            done=done,
            undo=undo,
            as_of=run.day,
        )
        _one(run, request, json_out)


@dataclass(frozen=True)
class _Run:
    """What every way of checking in shares."""

    root: Path
    day: dt.date  # --as-of, default today
    dry_run: bool
    repo: Repo | None  # where --commit commits; None without it


def _check_mode(mode: str, given: dict[str, object], *, date: str | None, both: bool) -> None:
    """--owner and --batch say what to record themselves: no REF, VALUE or flags."""
    clash = [name for name, value in given.items() if value is not None]
    clash += ["--owner"] if both else []
    clash += ["--date"] if mode == "--batch" and date is not None else []
    if clash:
        why = (
            "each row of the file says what to record, a `date` column its date"
            if mode == "--batch"
            else "it asks for each key result's value (or milestones), confidence and note"
        )
        raise UsageError(f"{mode} takes no {', '.join(clash)}: {why}")


def _commit_repo(root: Path) -> Repo:
    """The repository `--commit` commits to, checked before anything is asked or written."""
    from itokr import gitio

    repo = gitio.open_repo(root)
    gitio.check_can_commit(repo)
    return repo


def _commit(run: _Run, paths: list[Path], message: str) -> str | None:
    """Commit `paths` when --commit asked for it; the commit's id, said on stderr."""
    if run.repo is None or not paths:
        return None
    from itokr import gitio

    commit = gitio.commit_paths(run.repo, paths, message)
    sys.stderr.write(f"committed {commit[:12]}: {message.splitlines()[0]}\n")
    return commit


def _one(run: _Run, request: Request, json_out: bool) -> None:
    """One check-in from the arguments."""
    from itokr.checkin import record
    from itokr.render.checkin import as_json, commit_message, text

    outcome = record(request, run.root, Path.cwd(), dry_run=run.dry_run)
    if json_out:
        sys.stdout.write(as_json(outcome))
    elif run.dry_run:
        sys.stdout.write(outcome.diff)
        sys.stderr.write("dry run, nothing written: " + text(outcome))
    else:
        sys.stdout.write(text(outcome))
    if outcome.written:
        _commit(run, [Path(outcome.path)], commit_message([(outcome.ref, text(outcome))]))


def _batch_requests(source: str, day: dt.date, root: Path) -> tuple[str, list[tuple[int, Request]]]:
    """The name of a batch file and its requests with their lines; every bad row named
    on stderr and exit 1 before anything is written."""
    from itokr.batchfile import read_rows
    from itokr.checkin import misfits
    from itokr.checkin_args import BATCH_NAMES, checkin_request

    name = "<stdin>" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"--batch {source}: cannot read it: {error.strerror or error}") from None
    rows, bad = read_rows(data, name)
    problems = [(row.line, row.message) for row in bad]
    requests = []
    for row in rows:
        try:
            request = checkin_request(
                row.ref,
                row.value,
                date=row.date,
                confidence=row.confidence,
                note=row.note,
                as_of=day,
                names=BATCH_NAMES,
                by=row.by,
            )
        except UsageError as error:
            problems.append((row.line, str(error)))
        else:
            requests.append((row.line, request))
    if problems:  # the rows that read well, against the root too: all named at once
        lines = [line for line, _ in requests]
        checked = misfits([r for _, r in requests], root, Path.cwd(), BATCH_NAMES)
        problems += [(lines[place], message) for place, message in checked]
        _refuse(name, [(f"{name}:{line}", message) for line, message in sorted(problems)])
    if not requests:  # nothing asked is nothing wrong: exit 0, as an empty week is
        complain(f"{name}: no check-ins in it, only the header: nothing recorded")
    return name, requests


def _refuse(name: str, problems: list[tuple[str, str]]) -> None:
    """Name each problem `FILE:LINE: message` on stderr, then exit 1: nothing written."""
    if not problems:
        return
    from itokr.inert import terminal

    for where, message in problems:  # a file's name and its cells, made inert
        sys.stderr.write(terminal(f"{where}: {message}") + "\n")
    raise ItokrError(f"{_count(len(problems), 'bad row', 'bad rows')} in {name}: nothing written")


def _record_all(
    run: _Run,
    requests: list[Request],
    json_out: bool,
    *,
    lines: list[str] | None = None,
) -> None:
    """Record every request at once, say what was done, commit it when asked. A request
    that no longer fits the root (`lines` name where each came from) writes nothing."""
    from itokr.checkin import record_changes
    from itokr.checkin_args import BATCH_NAMES, OPTIONS
    from itokr.checkin_plan import Misfits
    from itokr.render.checkin import changes_json, changes_text, commit_message

    names = BATCH_NAMES if lines is not None else OPTIONS  # a batch's rows, or the walk's
    try:
        changes = record_changes(requests, run.root, Path.cwd(), dry_run=run.dry_run, names=names)
    except Misfits as misfits:
        if lines is None:
            raise ItokrError("; ".join(message for _, message in misfits.problems)) from None
        name = lines[0].rsplit(":", 1)[0]
        _refuse(name, [(lines[place], message) for place, message in misfits.problems])
        raise
    said = changes_text(changes)
    if run.dry_run and not json_out:
        sys.stdout.write("".join(changes.diffs.values()))
        sys.stderr.write("dry run, nothing written:\n" + "".join(line for _, line in said))
        return
    commit = _commit(run, list(changes.files), commit_message(said)) if changes.written else None
    sys.stdout.write(
        changes_json(changes, commit) if json_out else "".join(text for _, text in said)
    )


def _walk(
    ctx: typer.Context,
    run: _Run,
    owner: str | None,
    ref: str | None,
    date: str | None,
    json_out: bool,
) -> None:
    """The guided walk in a terminal: ask, show each score before → after, then record
    everything at once. Ctrl-C (or the end of input) before the end writes nothing."""
    if not sys.stdin.isatty():
        raise UsageError(
            "--owner asks its questions in a terminal, and stdin is not one: "
            "record check-ins from a CSV file with --batch FILE (or --batch - for stdin), "
            "header ref,value,date,confidence,note"
        )
    from itokr import ritual
    from itokr.checkin_args import checkin_date, walk_requests
    from itokr.cli.app import check_filters, require_valid
    from itokr.kpis import score_all as score_kpis
    from itokr.render.console import make_console
    from itokr.render.walk import confirm, walk
    from itokr.scoring import score_all

    when = checkin_date(date, run.day)  # checked before any question is asked
    tree = load(ctx)
    require_valid(tree)  # before any question: nothing could be written at the end
    if owner is not None:
        check_filters(tree, owner=owner, kpis=True)
    scores = score_all(tree.entries, tree.config, run.day)
    kpis = score_kpis(tree.kpis, tree.entries, tree.config, run.day)
    if owner is not None:
        stops = ritual.stops(scores, kpis, owner, run.day)
        heading = f"{owner}: {_count(len(stops), 'key result or KPI', 'key results and KPIs')} due"
    else:
        assert ref is not None
        stop = ritual.stop_for(ref, scores, kpis)
        if stop is None:  # an unknown ref: the one-shot path says so, with close matches
            from itokr.checkin_args import checkin_request

            request = checkin_request(
                ref, None, date=date, confidence=None, note=None, as_of=run.day
            )
            return _one(run, request, json_out)
        stops, heading = [stop], f"Check in {ref}"
    if not stops:
        from itokr.inert import terminal

        said = (
            f"nothing due for {owner} as of {run.day}: every running key result is done or "
            "was checked in within 7 days, and no KPI is stale (itokr checkin REF records "
            "one anyway)"
        )
        sys.stdout.write(terminal(said) + "\n")
        return
    console = make_console(use_color(), stderr=True, file=sys.stderr)

    def effect(stop: Stop, answer: ritual.Answer) -> ritual.Effect:
        return ritual.effect(stop, answer, scores, tree.config, when, run.day)

    try:
        given = walk(console, stops, effect, heading=f"{heading} as of {run.day}")
        requests = [
            request
            for stop, answer in given
            for request in walk_requests(stop, answer, date=date, as_of=run.day)
        ]
        if not requests:
            sys.stdout.write("nothing to record: nothing written\n")
            return
        if not confirm(console, len(given)):
            sys.stdout.write("nothing written\n")
            return
    except (KeyboardInterrupt, EOFError):
        raise Interrupted("stopped before the end: nothing written") from None
    _record_all(run, requests, json_out)


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
