"""`itokr due`: who owes a check-in, for people and for a scheduled CI job."""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import (
    AsOf,
    as_of_date,
    check_filters,
    command,
    complain,
    explicit_root,
    finish,
    load,
    use_color,
)
from itokr.errors import PROBLEMS, UsageError

if TYPE_CHECKING:
    from itokr.due import OwnerDue
    from itokr.loader import Tree


class NotifyFormat(StrEnum):
    slack = "slack"
    teams = "teams"
    json = "json"


NOTIFY_URL = "ITOKR_NOTIFY_URL"


class DueFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    commands = "commands"


def _lines(tree: Tree, groups: list[OwnerDue]) -> dict[str, int]:
    """The line of each listed key result, so an annotation points at it."""
    from itokr.rootfiles import read_shown
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
        data = read_shown(path)
        if data is None:
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
        typer.Option(metavar="DAYS", help="Look this many days ahead of --as-of (0 to 3650)."),
    ] = 7,
    fail_on_stale: Annotated[
        bool,
        typer.Option("--fail-on-stale", help="Exit 1 when any key result or KPI listed is stale."),
    ] = False,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify",
            help=f"Also post one digest per owner with something owed to the webhook in "
            f"${NOTIFY_URL}, with a ready-to-run itokr checkin line for each.",
        ),
    ] = False,
    notify_format: Annotated[
        NotifyFormat,
        typer.Option(
            "--notify-format",
            metavar="FORMAT",
            help="slack (an incoming webhook), teams (a Workflows webhook: an Adaptive "
            "Card), or json.",
        ),
    ] = NotifyFormat.slack,
    notify_timeout: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="How long to wait for the webhook to answer."),
    ] = 10.0,
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

    --notify posts each owner's digest to the chat webhook whose URL is in
    $ITOKR_NOTIFY_URL (a secret: never shown). A digest that fails is posted
    once more; one that fails again is named on stderr with the HTTP status,
    the others are still sent, and itokr exits 1.
    """
    from itokr.cli.app import problems_code
    from itokr.due import by_owner, due_items, due_kpis
    from itokr.kpis import score_all as score_kpis
    from itokr.model.config import MAX_DAYS
    from itokr.render.due import stale_counts
    from itokr.scoring import score_all

    if not 0 <= within <= MAX_DAYS:
        raise UsageError(f"--within {within}: give 0 to {MAX_DAYS} days")
    if not 0 < notify_timeout <= 600:
        raise UsageError(f"--notify-timeout {notify_timeout:g}: expected 0 to 600 seconds")
    url = _notify_url() if notify else None
    day = as_of_date(as_of)
    script_root = _script_root(ctx) if output is DueFormat.commands else None
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
            sys.stdout.write(views.as_commands(groups, day, within, root=script_root))
        else:
            show = {"json": views.as_json, "markdown": views.as_markdown}
            sys.stdout.write(show[output.value](groups, day, within))
    # A digest is read by a person at their own checkout: the root as given, not this
    # machine's absolute path.
    root: str | None = ctx.find_root().obj.root
    sent = (
        True
        if url is None
        else _notify(url, groups, day, within, root, notify_format, notify_timeout)
    )
    stale, stale_kpis = stale_counts(groups)
    code = problems_code(tree)
    if fail_on_stale and (stale or stale_kpis):
        said = [f"{stale} stale key result{'s' if stale != 1 else ''}"] if stale else []
        said += [f"{stale_kpis} stale KPI{'s' if stale_kpis != 1 else ''}"] if stale_kpis else []
        complain(", ".join(said))
        code = PROBLEMS
    finish(code or (0 if sent else PROBLEMS))


def _script_root(ctx: typer.Context) -> str | None:
    """The root that the script's lines name: absolute when the user named it, None when
    found (exit 2 when its path cannot stand on one line of a script)."""
    from itokr.inert import terminal

    found = explicit_root(ctx)
    if found is None:
        return None
    text = str(found)
    if terminal(text) != text:
        raise UsageError(
            f"--format commands: the root {terminal(text)} has a control character or an "
            "undecodable byte in its path, which a line of a script cannot carry: rename "
            "it, or run from where itokr finds it (the nearest okrs/)"
        )
    return text


def _notify_url() -> str:
    """The webhook's URL from the environment (exit 2 when unset or not a URL)."""
    from itokr.sources.webhook import check_url

    url = os.environ.get(NOTIFY_URL, "").strip()
    if not url:
        raise UsageError(
            f"--notify posts to the webhook whose URL is in ${NOTIFY_URL}, which is not set: "
            "set it (in CI, from a secret)"
        )
    check_url(url, NOTIFY_URL)
    return url


def _notify(
    url: str,
    groups: list[OwnerDue],
    day: dt.date,
    within: int,
    root: str | None,
    kind: NotifyFormat,
    timeout: float,
) -> bool:
    """Post each owner's digest; say on stderr what became of each. True when all went."""
    import json

    from itokr.render.notify import PAYLOADS, delivery_line, digests
    from itokr.sources.webhook import post_all

    found = digests(groups, day, within, root=root)
    if not found:
        complain("nothing owed: no digest sent")
        return True
    build = PAYLOADS[kind.value]
    bodies = [json.dumps(build(d), ensure_ascii=False).encode() for d in found]
    deliveries = post_all(url, bodies, timeout=timeout)
    for digest, delivery in zip(found, deliveries, strict=True):
        complain(delivery_line(digest, delivery.delivered, delivery.attempts, delivery.problem))
    return all(delivery.delivered for delivery in deliveries)
