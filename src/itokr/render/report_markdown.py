"""`itokr report --format markdown`: the review for a wiki page or a pull request.

The words and numbers are shared with the HTML page (`facts_line`, `change_text`,
`section_facts`), so both say the same thing. Every text from the files passes
through `inert.markdown`: a title cannot forge a heading, load an image or ping a team.
"""

from __future__ import annotations

from collections.abc import Sequence

from itokr.changes import Change
from itokr.inert import markdown, markdown_lines
from itokr.model.keyresults import MilestoneKR
from itokr.render.kpis import markdown_table, summary_line
from itokr.render.plain import (
    forecast_text,
    iso,
    kind_label,
    now_text,
    number,
    summary_lines,
    two,
    with_unit,
)
from itokr.report import Flagged, Group, Review, Section


def heading(review: Review) -> str:
    title = f"{review.title} — " if review.title else ""
    return f"{title}Review of {review.period}"


def window_text(review: Review) -> str:
    """As of, the dates covered, and how many objectives."""
    count = len(review.sections)
    parts = [f"as of {review.as_of.isoformat()}"]
    if review.start and review.end:
        parts.append(f"{review.start.isoformat()} to {review.end.isoformat()}")
    parts.append(f"{count} objective{'s' if count != 1 else ''}")
    return " · ".join(parts)


def section_facts(section: Section) -> list[tuple[str, str]]:
    """The objective's facts as (label, value), in reading order."""
    entry, score = section.entry, section.score
    facts = [
        ("Owner", entry.owner or "—"),
        ("Area", entry.area or "—"),
        ("Type", entry.objective.type),
        ("Period", entry.period.label if entry.period else "—"),
        ("Score", two(score.score)),
        ("Expected", two(score.expected)),
        ("Health", score.health or "—"),
        ("Confidence", two(score.confidence)),
    ]
    if section.smart is not None:
        missed = f" (misses {', '.join(m.replace('_', '-') for m in section.smart_missed)})"
        facts.append(("SMART", two(section.smart) + (missed if section.smart_missed else "")))
    if entry.objective.aligns_to:
        facts.append(("Aligns to", ", ".join(entry.objective.aligns_to)))
    return facts


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value)
    return str(value)


def change_text(change: Change) -> str:
    """One change in a line: what it is, the fields old → new, the score."""
    if change.change != "modified":
        text = f"{change.change}: {change.title}"
    else:
        fields = "; ".join(
            f"{name} {_value(old)} → {_value(new)}" for name, (old, new) in change.fields.items()
        )
        text = f"modified: {fields}" if fields else "modified"
    old, new = change.score
    if old != new:
        text += f" (score {two(old)} → {two(new)})"
    flags = [f.message for f in change.flags if not f.accepted]
    if flags:
        text += " ⚑ " + "; ".join(flags)
    return text


def flag_text(flag: Flagged) -> str:
    """A flag and its reason: what a reviewer of the period must see first."""
    return f"⚑ {flag.kind}: `{flag.ref}` {_flag_said(flag)}"


def _flag_said(flag: Flagged) -> str:
    why = f"reason: {flag.reason}" if flag.reason else "no reason given"
    return f"{flag.message} — {why}"


def _group_table(name: str, groups: Sequence[Group]) -> list[str]:
    if not groups:
        return []
    lines = [f"| {name} | Objectives | Mean score |", "|---|---:|---:|"]
    lines += [f"| {markdown(g.name)} | {g.count} | {two(g.mean)} |" for g in groups]
    return [*lines, ""]


def _summary(review: Review) -> list[str]:
    lines = ["## Summary", "", *(f"{line}  " for line in summary_lines(review.scores))]
    if review.smart_mean is not None:
        lines.append(f"mean SMART score {two(review.smart_mean)}  ")
    lines.append("")
    lines += _group_table("Type", review.by_type)
    lines += _group_table("Area", review.by_area)
    lines += _group_table("Owner", review.by_owner)
    return lines


def _key_results(section: Section) -> list[str]:
    lines = [
        "| Key result | Kind | Baseline | Now / target | Score | Forecast | Health | Confidence "
        "| Last check-in |",
        "|---|---|---:|---:|---:|---|---|---:|---:|",
    ]
    for result in section.score.key_results:
        kr = result.key_result
        baseline = getattr(kr, "baseline", None)
        health = (result.health or "—") + (", stale" if result.stale else "")
        progress = result.progress
        over = f" (↑{progress:.2f})" if progress is not None and progress > 1 else ""
        cells = [
            f"`{result.ref}` {markdown(kr.title)}",
            markdown(kind_label(kr)),
            markdown(with_unit(baseline, getattr(kr, "unit", None)))
            if baseline is not None
            else "",
            markdown(now_text(kr)),
            two(result.score) + over,
            forecast_text(result.forecast),
            health,
            two(result.confidence, ""),
            iso(result.last_checkin) or "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _notes(section: Section) -> list[str]:
    """Milestones one by one, and the reason written for a key result's latest change."""
    lines = []
    for result in section.score.key_results:
        kr = result.key_result
        if isinstance(kr, MilestoneKR):
            marks = "; ".join(
                f"[{'x' if m.done else ' '}] {markdown(m.title)}" for m in kr.milestones
            )
            lines.append(f"- `{kr.id}` milestones: {marks}")
        if kr.reason:
            lines.append(f"- `{kr.id}` why it last changed: {markdown(kr.reason)}")
    return [*lines, ""] if lines else []


def _checkins(section: Section) -> list[str]:
    if not section.checkins:
        return []
    lines = [
        "**Check-ins**",
        "",
        "| Date | Key result | Value | Confidence | Note |",
        "|---|---|---:|---:|---|",
    ]
    for row in section.checkins:
        lines.append(
            f"| {row.day.isoformat()} | `{row.ref}` | {markdown(with_unit(row.value, row.unit))} "
            f"| {two(row.confidence, '')} | {markdown(row.note or '')} |"
        )
    return [*lines, ""]


def _section(section: Section) -> list[str]:
    objective = section.entry.objective
    lines = [f"### `{section.entry.id}` {markdown(objective.title)}", ""]
    lines.append(
        " · ".join(f"{label}: **{markdown(value)}**" for label, value in section_facts(section))
    )
    lines.append("")
    if objective.description:
        lines += [f"> {line}".rstrip() for line in markdown_lines(objective.description)] + [""]
    if objective.reason:
        lines += [f"*Why it last changed:* {markdown(objective.reason)}", ""]
    lines += _key_results(section)
    lines += _notes(section)
    lines += _checkins(section)
    if section.changes:
        lines += ["**Changed since the period started**", ""]
        lines += [f"- `{c.ref}` {markdown(change_text(c))}" for c in section.changes] + [""]
    return lines


def _since(review: Review) -> list[str]:
    since = review.since
    if since is None:
        return []
    lines = [f"## What changed since {since.start.isoformat()}", ""]
    if since.commit is None:
        return [*lines, f"Not compared: {since.skipped}.", ""]
    counts = {
        kind: sum(1 for c in since.changes if c.change == kind)
        for kind in ("added", "modified", "removed")
    }
    lines.append(
        f"Compared with commit `{since.commit[:12]}` ({iso(since.day)}), {since.basis}: "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items())
        + "."
    )
    lines.append("")
    if since.flags:
        lines += ["**Flags for the reviewer**", ""]
        lines += [  # the message quotes values (an owner), the reason is anyone's text
            f"- ⚑ {flag.kind}: `{flag.ref}` {markdown(_flag_said(flag))}" for flag in since.flags
        ] + [""]
    shown = {s.entry.id for s in review.sections}
    gone = [c for c in since.changes if c.ref.split("/", 1)[0] not in shown]
    lines += [f"- `{c.ref}` {markdown(change_text(c))}" for c in gone]
    return [*lines, ""] if gone else lines


def _kpis(review: Review) -> list[str]:
    """The KPIs on the review's date, with the key results that move them."""
    if not review.kpis:
        return []
    return ["## KPIs", "", *markdown_table(review.kpis), "", summary_line(review.kpis), ""]


def render(review: Review) -> str:
    """The whole review as one markdown document."""
    lines = [f"# {markdown(heading(review))}", "", markdown(window_text(review)), ""]
    lines += _summary(review)
    lines += _kpis(review)
    lines += _since(review)
    lines += ["## Objectives", ""]
    for section in review.sections:
        lines += _section(section)
    return "\n".join(lines).rstrip("\n") + "\n"
