"""`itokr due`: who owes a check-in, for people and for a scheduled CI job."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, check_filters, command, finish, load, use_color
from itokr.errors import PROBLEMS, UsageError

if TYPE_CHECKING:
    from itokr.due import OwnerDue
    from itokr.loader import Tree


class DueFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    commands = "commands"


def _lines(tree: Tree, groups: list[OwnerDue]) -> dict[str, int]:
    """The line of each listed key result, so an annotation points at it."""
    from itokr.yamlio import locate_all

    wanted: dict[str, list[tuple[str, tuple[str | int, ...]]]] = {}
    refs = {item.ref for group in groups for item in group.items}
    for group in groups:
        for kpi in group.kpis:
            wanted.setdefault(kpi.path, []).append((kpi.id, ("kpis", kpi.index, "id")))
    for entry in tree.entries:
        for index, kr in enumerate(entry.objective.key_results):
            ref = f"{entry.id}/{kr.id}"
            if ref in refs:
                loc = ("objectives", entry.index, "key_results", index, "id")
                wanted.setdefault(entry.path, []).append((ref, loc))
    lines: dict[str, int] = {}
    for path, places in wanted.items():
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue  # gone since it was loaded: the annotation names the file alone
        found = locate_all(data, [(loc, True) for _, loc in places])
        lines.update((ref, at.line) for (ref, _), at in zip(places, found, strict=True))
    return lines


@command()
def due(
    ctx: typer.Context,
    owner: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only key results of this owner.")
    ] = None,
    within: Annotated[
        int,
        typer.Option(metavar="DAYS", help="Look this many days ahead of --as-of."),
    ] = 7,
    fail_on_stale: Annotated[
        bool,
        typer.Option("--fail-on-stale", help="Exit 1 when any key result or KPI listed is stale."),
    ] = False,
    as_of: AsOf = None,
    output: Annotated[
        DueFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (a table per owner), json, markdown, github (::warning lines), or "
            "commands (an itokr checkin line per key result or KPI owed, to save as a script).",
        ),
    ] = DueFormat.text,
) -> None:
    """What each owner owes: key results and KPIs whose check-in is stale or due soon.

    A metric or threshold below 1 is expected to be checked in every
    checkins.stale_after_days (itokr.yaml) after its newest check-in, or after
    its period start; a key result with a due: date is owed by then unless it
    is done. Only running periods count. A KPI owes a reading every `every`
    after its newest one (a key result tracking it owes none of its own).
    Exits 0, or 1 with --fail-on-stale when a listed key result or KPI is
    stale (or when the OKR files have problems).
    """
    from itokr.cli.app import problems_code
    from itokr.due import by_owner, due_items, due_kpis
    from itokr.kpis import score_all as score_kpis
    from itokr.render.due import stale_counts
    from itokr.scoring import score_all

    if within < 0:
        raise UsageError(f"--within {within}: expected 0 or more days")
    day = as_of_date(as_of)
    tree = load(ctx)
    check_filters(tree, owner=owner, kpis=True)
    scores = [
        s for s in score_all(tree.entries, tree.config, day) if owner in (None, s.entry.owner)
    ]
    kpis = [
        s
        for s in score_kpis(tree.kpis, tree.entries, tree.config, day)
        if owner in (None, s.entry.owner)
    ]
    groups = by_owner(
        due_items(scores, tree.config, day, within=within), due_kpis(kpis, day, within=within)
    )
    if output is DueFormat.text:
        from itokr.render.console import make_console
        from itokr.render.due import render

        render(make_console(use_color()), groups, day, within)
    else:
        from itokr.render import due as views

        if output is DueFormat.github:
            sys.stdout.write(views.as_github(groups, day, within, lines=_lines(tree, groups)))
        elif output is DueFormat.commands:
            root = ctx.find_root().obj.root  # as the user gave it: the script runs where they do
            sys.stdout.write(views.as_commands(groups, day, within, root=root))
        else:
            show = {"json": views.as_json, "markdown": views.as_markdown}
            sys.stdout.write(show[output.value](groups, day, within))
    stale, stale_kpis = stale_counts(groups)
    code = problems_code(tree)
    if fail_on_stale and (stale or stale_kpis):
        said = [f"{stale} stale key result{'s' if stale != 1 else ''}"] if stale else []
        said += [f"{stale_kpis} stale KPI{'s' if stale_kpis != 1 else ''}"] if stale_kpis else []
        sys.stderr.write(f"itokr: {', '.join(said)}\n")
        code = PROBLEMS
    finish(code)
