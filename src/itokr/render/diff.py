"""`itokr diff` for pull requests (markdown), tools (json) and GitHub Actions (annotations
on the changed lines), and the words every view shares (`diff_text` is the rich one)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from itokr import inert
from itokr.changes import Change, Diff, Flag
from itokr.findings import Finding
from itokr.gitio import WORKTREE
from itokr.render.workflow import annotation
from itokr.wording import plural

MARKS = {"added": "+", "removed": "-", "modified": "~"}
_ICONS = {"added": "➕", "removed": "➖", "modified": "✏️"}
_SHOWN_FIELDS = 3  # in a markdown table cell; the rest is in the details
MARKDOWN_BUDGET = 60_000  # characters: a GitHub comment holds 65,536


@dataclass(frozen=True)
class Report:
    """A diff with what it compared, and where each change sits (for annotations)."""

    diff: Diff
    base: str
    head: str
    base_commit: str | None
    head_commit: str | None
    places: Mapping[int, tuple[str, int]] = field(default_factory=dict)  # index -> file, line
    findings: tuple[Sequence[Finding], Sequence[Finding]] = ((), ())  # of the base, the head

    def side(self, which: str) -> str:
        label, commit = (
            (self.base, self.base_commit) if which == "base" else (self.head, self.head_commit)
        )
        if label == WORKTREE:
            return "the working tree"
        if commit and not commit.startswith(label):
            return f"{label} ({commit[:7]})"
        return label


def show(value: Any) -> str:
    """A field value as a reviewer reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(show(item) for item in value) or "—"
    return str(value)


def score_text(score: tuple[float | None, float | None]) -> str:
    """A score before and after: `0.40 → 0.55`, a dash where there is none."""
    return " → ".join("—" if value is None else f"{value:.2f}" for value in score)


def summary(diff: Diff) -> str:
    """What changed, counted: `1 objective and 2 key results changed (1 added, …)`."""
    changes = diff.changes
    objectives = sum(1 for c in changes if c.is_objective)
    kpis = sum(1 for c in changes if c.is_kpi)
    counts = {kind: sum(1 for c in changes if c.change == kind) for kind in MARKS}
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    unexplained = sum(1 for c in changes for f in c.flags if not f.accepted)
    flags = f"; {plural(unexplained, 'flag')} without a reason" if unexplained else ""
    key_results = len(changes) - objectives - kpis
    counted = [plural(objectives, "objective"), plural(key_results, "key result")]
    if kpis:  # then only what changed is counted
        counted = [text for text, n in zip(counted, (objectives, key_results), strict=True) if n]
        counted.append(plural(kpis, "KPI"))
    listed = f"{', '.join(counted[:-1])} and {counted[-1]}" if len(counted) > 1 else counted[0]
    return f"{listed} changed ({parts}){flags}"


def problems_line(diff: Diff) -> str:
    """The validation problems of either side, or "" when neither has any."""
    said = [
        f"{plural(n, 'validation problem')} in the {side}"
        for side, n in zip(("base", "head"), diff.problems, strict=True)
        if n
    ]
    return ("; ".join(said) + " (run `itokr validate`)") if said else ""


def explanation(change: Change, flag: Flag) -> str:
    """What accepted a flag, or "" when nothing did."""
    if not flag.accepted:
        return ""
    reason = change.fields.get("reason", (None, None))[1]
    return f"explained: {reason}" if reason else "explained by its objective's reason"


# ---------------------------------------------------------------- markdown


def _cell(text: str, limit: int = 80) -> str:
    """Text from the files or a revision's name, cut to `limit` characters, inert."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return inert.markdown(text)


def _what(change: Change) -> str:
    """The change in a few words, for a table cell or an annotation."""
    if change.change != "modified":
        side = 1 if change.change == "added" else 0
        if change.is_kpi:
            return "new KPI" if side else "KPI removed"
        if change.is_objective:
            count = len(change.fields.get("key_results", (None, None))[side] or [])
            noun = "new objective" if side else "objective removed"
            return f"{noun}, {plural(count, 'key result')}"
        values = {name: pair[side] for name, pair in change.fields.items()}
        unit = f" {values['unit']}" if values.get("unit") else ""
        measure = (
            f": {show(values['baseline'])} → {show(values['target'])}{unit}"
            if values.get("baseline") is not None and values.get("target") is not None
            else ""
        )
        return f"{'new key result' if side else 'key result removed'}{measure}"
    if not change.fields:
        return "key results changed"
    shown = [f"{name}: {show(old)} → {show(new)}" for name, (old, new) in change.fields.items()]
    more = len(shown) - _SHOWN_FIELDS
    return "; ".join(shown[:_SHOWN_FIELDS]) + (f"; +{more} more" if more > 0 else "")


def _flags_cell(change: Change) -> str:
    return " ".join(
        f"✅ {flag.kind}" if flag.accepted else f"⚠️ **{flag.kind}**" for flag in change.flags
    )


def markdown(report: Report) -> str:
    """A pull-request comment: summary line, one table row per change, details folded."""
    diff = report.diff
    out = [f"### OKR changes: {_cell(report.side('base'))} → {_cell(report.side('head'))}", ""]
    if not diff.changes:
        out.append("No objective or key result changed.")
    else:
        out.append(f"**{summary(diff)}** · scores as of {diff.as_of.isoformat()}")
    if problems := problems_line(diff):
        out += ["", f"⚠️ {problems}"]
    if not diff.changes:
        return "\n".join(out) + "\n"
    out += [
        "",
        "| | Objective / key result | What changed | Score | Flags |",
        "|---|---|---|---|---|",
    ]
    budget = MARKDOWN_BUDGET // 2  # half for the table, the rest for the details
    rows = list(_within(map(_row, diff.changes), budget))
    out += rows
    if len(rows) < len(diff.changes):
        out.append(
            f"\n…and {plural(len(diff.changes) - len(rows), 'more change')}: run `itokr diff`."
        )
    shown = list(_within(("\n".join(_details(c)) for c in diff.changes), budget))
    out += ["", f"<details><summary>Details of {plural(len(shown), 'change')}</summary>", ""]
    out += shown
    if len(shown) < len(diff.changes):
        out.append(f"…and {plural(len(diff.changes) - len(shown), 'more change')}.\n")
    out += ["</details>", ""]
    return "\n".join(out)


def _row(change: Change) -> str:
    name = (
        f"**KPI `{change.ref}`**"
        if change.is_kpi
        else f"**`{change.ref}`**"
        if change.is_objective
        else f"↳ `{change.ref}`"
    )
    return (
        f"| {_ICONS[change.change]} {change.change} | {name} {_cell(change.title, 60)} "
        f"| {_cell(_what(change))} | {score_text(change.score)} | {_flags_cell(change)} |"
    )


def _within(parts: Iterator[str], budget: int) -> Iterator[str]:
    """Parts while their total length stays within `budget` characters."""
    used = 0
    for part in parts:
        used += len(part) + 1
        if used > budget:
            return
        yield part


def _details(change: Change) -> Iterator[str]:
    """One change in full: every field old and new, every flag and what explains it."""
    level = "#####" if change.kind == "key_result" else "####"
    kpi = "KPI " if change.is_kpi else ""
    yield (
        f"{level} {_ICONS[change.change]} {kpi}`{change.ref}` {change.change} — "
        + _cell(change.title)
    )
    yield ""
    yield f"In {_cell(change.path, 200)}" + (
        "" if change.is_kpi else f" · score {score_text(change.score)}"
    )
    yield ""
    if change.fields:
        yield "| field | before | after |"
        yield "|---|---|---|"
        for name, (old, new) in change.fields.items():
            yield f"| {name} | {_cell(show(old), 120)} | {_cell(show(new), 120)} |"
        yield ""
    for flag in change.flags:
        mark = "✅" if flag.accepted else "⚠️"
        note = _cell(explanation(change, flag), 200) or "**needs a `reason:`**"
        yield f"- {mark} **{flag.kind}**: {_cell(flag.message)} — {note}"
    if change.flags:
        yield ""


# ---------------------------------------------------------------- json


def as_json(report: Report) -> str:
    """The SPEC shape, plus the commits compared, the date and each change's flags."""
    diff = report.diff
    document = {
        "base": report.base,
        "head": report.head,
        "base_commit": report.base_commit,
        "head_commit": report.head_commit,
        "as_of": diff.as_of.isoformat(),
        "problems": {"base": diff.problems[0], "head": diff.problems[1]},
        "findings": {
            side: [finding.as_dict() for finding in found]
            for side, found in zip(("base", "head"), report.findings, strict=True)
        },
        "changes": [
            {
                "ref": change.ref,
                "kind": change.kind,
                "change": change.change,
                "title": change.title,
                "path": change.path,
                "fields": {name: [old, new] for name, (old, new) in change.fields.items()},
                "score": list(change.score),
                # SPEC §6: "eased" among the flags; what each says, and whether a
                # reason: accepts it, beside them
                "flags": [flag.kind for flag in change.flags],
                "flag_details": [
                    {"flag": flag.kind, "message": flag.message, "accepted": flag.accepted}
                    for flag in change.flags
                ],
            }
            for change in diff.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- github


def github(report: Report) -> str:
    """A warning on each change with an unexplained flag, a notice on every other change."""
    out = []
    for index, change in enumerate(report.diff.changes):
        path, line = report.places.get(index, (change.path, 0))
        open_flags = [flag for flag in change.flags if not flag.accepted]
        detail = _what(change) + ("" if change.is_kpi else f"; score {score_text(change.score)}")
        if open_flags:
            kinds = ", ".join(flag.kind for flag in open_flags)
            message = "; ".join(flag.message for flag in open_flags)
            out.append(
                annotation(
                    "warning",
                    f"{message} — add a reason: to explain it ({detail})",
                    file=path,
                    line=line or None,
                    title=f"itokr diff: {change.ref} ({kinds})",
                )
            )
        else:
            out.append(
                annotation(
                    "notice",
                    detail,
                    file=path,
                    line=line or None,
                    title=f"itokr diff: {change.ref} {change.change}",
                )
            )
    return "".join(out)


FORMATS: dict[str, Callable[[Report], str]] = {
    "markdown": markdown,
    "json": as_json,
    "github": github,
}
