"""`itokr diff` for people: the changes as rich text, grouped by objective, coloured by
kind, flags beneath what they flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itokr.changes import Change
from itokr.render.diff import MARKS, Report, explanation, problems_line, score_text, show, summary

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

_STYLES = {"added": "green", "removed": "red", "modified": "yellow"}


def _missing_reason(change: Change) -> str:
    """Where the `reason:` that would explain a flag goes."""
    if change.is_kpi:
        return "needs a reason: write `reason:` on this KPI"
    if change.is_objective:
        return "needs a reason: write `reason:` on this objective"
    if change.change == "removed":
        return "needs a reason: write `reason:` on its objective"
    return "needs a reason: write `reason:` on this key result"


def print_text(report: Report, console: Console) -> None:
    """Changes grouped by objective, coloured by kind, flags beneath what they flag.

    Lines wrap by words at the console's width, continued two columns further in.
    """
    from rich.padding import Padding
    from rich.text import Text

    diff = report.diff
    lines = [
        Text.assemble(
            ("itokr diff ", "bold"),
            report.side("base"),
            " → ",
            report.side("head"),
            (f" · scores as of {diff.as_of.isoformat()}", "dim"),
        ),
        Text(summary(diff) if diff.changes else "No objective or key result changed."),
    ]
    if problems := problems_line(diff):
        lines.append(Text(problems, style="yellow"))
    indented: list[tuple[int, Text]] = [(0, line) for line in lines]
    for change in diff.changes:
        heads = change.is_objective or change.is_kpi  # each begins a group of lines
        if heads:
            indented.append((0, Text()))
        indented.append((2 if heads else 4, _text_line(change)))
        indent = 6 if heads else 8
        if change.change == "modified":
            indented += [
                (
                    indent,
                    Text.assemble(
                        (name, "bold"), "  ", (show(old), "red"), " → ", (show(new), "green")
                    ),
                )
                for name, (old, new) in change.fields.items()
            ]
        elif change.is_objective:  # its key results are not listed again, only named
            ids = change.fields["key_results"][1 if change.change == "added" else 0]
            indented.append((indent, Text(f"key results: {show(ids)}", style="dim")))
        for flag in change.flags:
            style = "green" if flag.accepted else "bold magenta"
            note = explanation(change, flag) or _missing_reason(change)
            indented.append(
                (indent, Text.assemble((f"⚑ {flag.kind}: ", style), f"{flag.message} — {note}"))
            )
    for indent, line in indented:
        # a hanging indent: continued lines sit two columns in from where the line began
        wrapped = line.wrap(console, max(20, console.width - indent - 2))
        for number, part in enumerate(wrapped):
            console.print(Padding(part, (0, 0, 0, indent + (2 if number else 0))))


def _text_line(change: Change) -> Text:
    from rich.text import Text

    style = _STYLES[change.change]
    heads = change.is_objective or change.is_kpi
    name = _name(change)
    line = Text.assemble(
        (f"{MARKS[change.change]} {name}", f"bold {style}" if heads else style),
        "  ",
        change.title,
    )
    if not change.is_kpi:  # a KPI has a band, in its fields, and no score
        line.append_text(Text.assemble("   ", (f"score {score_text(change.score)}", "cyan")))
    if heads:
        line.append(f"   {change.path}", style="dim")
    return line


def _name(change: Change) -> str:
    """An objective by its id, a key result by its own id under it, a KPI as `KPI id`."""
    if change.is_kpi:
        return f"KPI {change.ref}"
    return change.ref if change.is_objective else change.ref.split("/", 1)[1]
