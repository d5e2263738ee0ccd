"""`itokr score REF`: one objective or key result with its arithmetic, as text or JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from itokr.model.config import Config
from itokr.model.keyresults import MilestoneKR, dated_checkins
from itokr.render.explain import Lines, key_result_lines, objective_lines
from itokr.render.plain import key_result_dict, number, objective_dict, two
from itokr.scoring import KeyResultScore, ObjectiveScore

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

CHECKINS_SHOWN = 12


def explanation(
    objective: ObjectiveScore, result: KeyResultScore | None, config: Config, as_of: dt.date
) -> Lines:
    if result is None:
        return objective_lines(objective, config, as_of)
    return key_result_lines(result, objective, config, as_of)


def as_json(
    objective: ObjectiveScore, result: KeyResultScore | None, config: Config, as_of: dt.date
) -> str:
    """`objective` and `key_result` in the shapes of `status --format json`, plus weights and
    the explanation of each number."""
    document: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "ref": result.ref if result else objective.entry.id,
        "objective": objective_dict(objective),
        "key_result": None,
        "explanation": dict(explanation(objective, result, config, as_of)),
    }
    for kr, shown in zip(objective.key_results, document["objective"]["key_results"], strict=True):
        shown["weight"] = kr.key_result.weight
    if result is not None:
        document["key_result"] = key_result_dict(result) | {"weight": result.key_result.weight}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _table(title: str) -> Table:
    """A titled table in the one style of itokr's views: a rule under the header."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, header_style="bold"
    )


def render(
    console: Console,
    objective: ObjectiveScore,
    result: KeyResultScore | None,
    config: Config,
    as_of: dt.date,
) -> None:
    from rich.table import Table
    from rich.text import Text

    from itokr.render.status_table import health_text

    entry = objective.entry
    title = result.key_result.title if result else entry.objective.title
    heading = Text(result.ref if result else entry.id, style="bold")
    heading.append(f"  {title}")
    console.print(heading)
    if result is not None:
        console.print(Text(f"in {entry.id}: {entry.objective.title}", style="dim"))
    console.print(Text(f"as of {as_of}", style="dim"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in explanation(objective, result, config, as_of):
        health = text.split(":", 1)[0] if label == "health" else None
        grid.add_row(
            label, health_text(health) + Text(text[len(health) :]) if health else Text(text)
        )
    console.print(grid)
    if result is None:
        table = _table("key results")
        for name in ("ref", "kind", "weight", "score", "health", "stale"):
            table.add_column(name, justify="right" if name in ("weight", "score") else "left")
        for kr in objective.key_results:
            table.add_row(
                Text(kr.ref),
                kr.key_result.kind,
                number(kr.key_result.weight),
                two(kr.score) + ("" if kr.has_data else " (no data)"),
                health_text(kr.health),
                Text("stale", style="bold yellow") if kr.stale else "",
            )
        console.print(table)
        return
    key_result = result.key_result
    if isinstance(key_result, MilestoneKR):
        table = _table("milestones")
        table.add_column("done")
        table.add_column("milestone")
        table.add_column("weight", justify="right")
        for milestone in key_result.milestones:
            table.add_row(
                Text("[x]" if milestone.done else "[ ]"),
                Text(milestone.title),
                number(milestone.weight),
            )
        console.print(table)
    checkins = dated_checkins(key_result)
    if checkins:
        shown = checkins[-CHECKINS_SHOWN:]
        more = f" (newest {len(shown)} of {len(checkins)})" if len(shown) < len(checkins) else ""
        table = _table(f"check-ins{more}")
        table.add_column("date")
        table.add_column("value", justify="right")
        table.add_column("confidence", justify="right")
        by = any(checkin.by for checkin in shown)
        if by:  # who measured it: a source's name (`itokr measure`) or a person's
            table.add_column("by")
        table.add_column("note", overflow="fold")
        for checkin in shown:
            value = getattr(checkin, "value", None)  # None: a status update
            cells = [str(checkin.date), number(value), two(checkin.confidence, "")]
            table.add_row(
                *cells, *([Text(checkin.by or "")] if by else []), Text(checkin.note or "")
            )
        console.print(table)
