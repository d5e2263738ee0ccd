"""The columns of itokr's own export: what `export` writes and `import` reads back.

One table drives both directions, so a field added to the file format (a KPI
link, a check-in's `by:`) is one line here. The names are also the FIELDs of
`itokr import --map COL=FIELD` for any other spreadsheet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from itokr import yamlio
from itokr.emit import number_text
from itokr.model.sources import SourceRef
from itokr.transfer import cells
from itokr.transfer.cells import CellError

Level = Literal["objective", "key_result", "checkin", "kpi", "score"]
Kind = Literal["text", "slug", "slugs", "number", "date", "flag", "milestones", "choice", "source"]


@dataclass(frozen=True, slots=True)
class Field:
    """One column: where its value lives in an objective file and how a cell holds it."""

    name: str
    level: Level  # `score`: computed at export, ignored by import
    kind: Kind
    key: str = ""  # the key in the objective file
    choices: tuple[str, ...] = ()


def _objective(name: str, kind: Kind, key: str, *choices: str) -> Field:
    return Field(name, "objective", kind, key, choices)


def _key_result(name: str, kind: Kind, key: str, *choices: str) -> Field:
    return Field(name, "key_result", kind, key, choices)


# In the order of the export's columns: the contract's list (SPEC §8) first, then
# the rest of what rebuilds a key result.
FIELDS: tuple[Field, ...] = (
    _objective("objective_id", "slug", "id"),
    _objective("objective_title", "text", "title"),
    _objective("owner", "text", "owner"),
    _objective("area", "text", "area"),
    _objective("period", "text", "period"),
    _objective("type", "choice", "type", "aspirational", "committed"),
    Field("objective_score", "score", "number"),
    Field("objective_health", "score", "text"),
    _key_result("kr_id", "slug", "id"),
    _key_result("kr_title", "text", "title"),
    _key_result("kind", "choice", "kind", "metric", "threshold", "milestone", "binary"),
    _key_result("unit", "text", "unit"),
    _key_result("baseline", "number", "baseline"),
    _key_result("target", "number", "target"),
    _key_result("current", "number", "current"),
    Field("score", "score", "number"),
    Field("health", "score", "text"),
    Field("confidence", "score", "number"),
    _key_result("direction", "choice", "direction", "at_least", "at_most"),
    _key_result("weight", "number", "weight"),
    _key_result("due", "date", "due"),
    _key_result("done", "flag", "done"),
    _key_result("milestones", "milestones", "milestones"),
    _objective("aligns_to", "slugs", "aligns_to"),
    _key_result("reason", "text", "reason"),
    _key_result("source", "source", "source"),
    _key_result("kpi", "slug", "kpi"),  # its values are this KPI's readings (SPEC §6)
    _objective("objective_reason", "text", "reason"),
    _objective("description", "text", "description"),
    _objective("start", "date", "start"),
    _objective("end", "date", "end"),
)
# The check-ins sheet (or --checkins file): the header SPEC §7 gives `checkin --batch`.
CHECKIN_FIELDS: tuple[Field, ...] = (
    Field("ref", "checkin", "text", "ref"),
    Field("value", "checkin", "number", "value"),
    Field("date", "checkin", "date", "date"),
    Field("confidence", "checkin", "number", "confidence"),
    Field("note", "checkin", "text", "note"),
    Field("by", "checkin", "text", "by"),  # who measured it: a source's name, or a person's
)
# The KPIs sheet (or --kpis file): a row per KPI; its readings are check-ins whose ref
# is the KPI's id, as `itokr checkin mttr 3.9` names it.
KPI_FIELDS: tuple[Field, ...] = (
    *(Field(name, "kpi", "slug" if name == "id" else "text", name) for name in ("id", "title")),
    *(Field(name, "kpi", "text", name) for name in ("owner", "area", "unit")),
    Field("good", "kpi", "number", "good"),
    Field("bad", "kpi", "number", "bad"),
    Field("every", "kpi", "text", "every"),
    Field("value", "score", "number"),
    Field("band", "score", "text"),
    Field("stale", "score", "flag"),
    Field("last_checkin", "score", "date"),
    Field("source", "kpi", "source", "source"),
    Field("description", "kpi", "text", "description"),
    Field("reason", "kpi", "text", "reason"),
)
# A check-in on the key result's own row, for spreadsheets with one row per reading.
ROW_CHECKIN_FIELDS: tuple[Field, ...] = tuple(
    Field(f"checkin_{field.name}", "checkin", field.kind, field.key)
    for field in CHECKIN_FIELDS
    if field.name != "ref"
)
IMPORTABLE = {f.name: f for f in (*FIELDS, *ROW_CHECKIN_FIELDS) if f.level != "score"}

_MILESTONE = re.compile(r"(?:- )?\[([ xX])(?::([^\]]*))?\] ?(.*)")


def read(field: Field, cell: Any, *, csv: bool, strip: bool) -> Any:
    """The value a cell holds for `field`, None when blank; `CellError` when it has none."""
    if field.kind == "number":
        return cells.number(cell)
    if field.kind == "date":
        return cells.date(cell)
    if field.kind == "flag":
        return cells.flag(cell)
    value = cells.text(cell, csv=csv, strip=strip or field.kind in ("slug", "slugs", "choice"))
    if value is None:
        return None
    if field.kind == "slugs":
        return [part for part in re.split(r"[\s,;]+", value) if part]
    if field.kind == "milestones":
        return milestones_from(value)
    if field.kind == "source":
        return source_from(value)
    if field.kind == "choice":
        choice = re.sub(r"[\s-]+", "_", value.lower())
        if choice not in field.choices:
            raise CellError("I102", f"{field.name} {value!r} is none of {', '.join(field.choices)}")
        return choice
    return value


def source_text(source: SourceRef) -> str:
    """A `source:` in one cell, as JSON (which YAML reads too):
    `{"from": "prom", "query": "up"}`."""
    return json.dumps(source.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False)


def source_from(value: str) -> dict[str, Any]:
    """The inverse of `source_text`; a cell may also hold it as YAML flow,
    `{from: prom, query: up}`."""
    try:
        data = yamlio.read(value.encode("utf-8"))
        return SourceRef.model_validate(data).model_dump(by_alias=True, exclude_none=True)
    except (yamlio.YamlProblem, ValidationError):
        raise CellError(
            "I102",
            f"source {value[:60]!r} is not a `source:` mapping such as "
            '{"from": "prom", "query": "up"}',
        ) from None


def milestones_text(milestones: list[dict[str, Any]]) -> str:
    """Milestones in one cell, a line each: `[x] Site contract signed`, `[ :2] Replication
    live` (weight 2). In titles, `\\` and line breaks are escaped as `\\\\` and `\\n`."""
    lines = []
    for milestone in milestones:
        weight = milestone.get("weight", 1)
        mark = ("x" if milestone["done"] else " ") + (
            f":{number_text(weight)}" if weight != 1 else ""
        )
        title = milestone["title"].replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"[{mark}] {title}")
    return "\n".join(lines)


def milestones_from(value: str) -> list[dict[str, Any]]:
    """The inverse of `milestones_text`; blank lines are skipped."""
    found: list[dict[str, Any]] = []
    for line in value.split("\n"):
        if not line.strip():
            continue
        match = _MILESTONE.fullmatch(line.lstrip())
        if match is None or not match[3]:
            raise CellError(
                "I102",
                f"milestone line {line[:40]!r} is not `[x] title` (done) or `[ ] title`; "
                "`[ :2] title` gives it weight 2",
            )
        milestone: dict[str, Any] = {
            "title": _unescape(match[3]),
            "done": match[1] != " ",
        }
        if match[2] is not None:
            weight = cells.number(match[2])
            if weight is None:
                raise CellError("I102", f"milestone line {line[:40]!r} has `:` but no weight")
            milestone["weight"] = weight
        found.append(milestone)
    return found


def _unescape(title: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], title)
