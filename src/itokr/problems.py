"""Turning pydantic's validation errors into located, coded problems."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from itokr.model.checkins import Checkin, StatusUpdate
from itokr.model.config import Config, PeriodDates
from itokr.model.keyresults import KINDS, MODEL_OF_KIND, Milestone
from itokr.model.kpi import Kpi
from itokr.model.objectives import Objective, ObjectiveFile
from itokr.model.sources import Source, SourceRef
from itokr.wording import plain

_OWN_CODE = re.compile(r"E\d{3}")
_PROJECTS = ("milestone", "binary")  # their check-ins are status updates, without a value
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding not yet placed: `loc` is the path of keys and indexes to it."""

    loc: Loc
    code: str
    message: str
    at_key: bool = False


def _config_parts() -> dict[str, type[BaseModel]]:
    return {
        name: field.annotation
        for name, field in Config.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    }


def _model_at(parent: Loc, kind: str, *, config: bool) -> type[BaseModel]:
    """The model of the mapping at `parent`, to name it and list its keys."""
    if config:
        if len(parent) == 2 and parent[0] in ("periods", "sources"):
            return PeriodDates if parent[0] == "periods" else Source
        return _config_parts().get(str(parent[0]), Config) if len(parent) == 1 else Config
    last = next((step for step in reversed(parent) if isinstance(step, str)), None)
    models: dict[str | None, type[BaseModel]] = {
        "objectives": Objective,
        "key_results": MODEL_OF_KIND.get(kind, MODEL_OF_KIND["metric"]),
        "checkins": StatusUpdate if kind in _PROJECTS else Checkin,
        "milestones": Milestone,
        "source": SourceRef,
        "kpis": Kpi,
    }
    return models.get(last, ObjectiveFile)


def _describe(model: type[BaseModel], kind: str | None) -> str:
    if model in MODEL_OF_KIND.values():
        return f"a {kind} key result"
    return {
        ObjectiveFile: "the file",
        Objective: "an objective",
        Checkin: "a check-in",
        StatusUpdate: f"a check-in of a {kind} key result",
        Kpi: "a KPI",
        Milestone: "a milestone",
        Config: "itokr.yaml",
        PeriodDates: "a period of itokr.yaml",
        Source: "a source of itokr.yaml",
        SourceRef: "a `source:`",
    }.get(model) or next(
        (f"`{name}` of itokr.yaml" for name, part in _config_parts().items() if part is model),
        "itokr.yaml",
    )


def _close_to(key: str, allowed: list[str]) -> str | None:
    """A likely intended key: typos keep the first letter (`owner` is no typo of `done`)."""
    close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
    same_start = [name for name in close if name[:1] == key[:1]]
    strong = difflib.get_close_matches(key, allowed, n=1, cutoff=0.8)
    return next(iter(same_start or strong), None)


def _keys(model: type[BaseModel]) -> list[str]:
    """The keys a model takes, as written in a file (`from`, not `from_`)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _unknown_key(key: str, model: type[BaseModel], kind: str | None) -> str:
    allowed = _keys(model)
    message = f"unknown key {key!r} in {_describe(model, kind)}"
    if close := _close_to(key, allowed):
        return f"{message}: did you mean {close!r}?"
    if model is StatusUpdate and key == "value":
        return (
            f"{message}: it is a status update, with `date`, `confidence` and `note`; "
            f"how far a {kind} key result is, "
            f"{'its milestones say' if kind == 'milestone' else '`done` says'}"
        )
    if model is Kpi and key in ("baseline", "target", "direction", "current"):
        return (
            f"{message}: a KPI has no {key}; `good` and `bad` set its bands, and a key "
            "result that tracks it (`kpi: ID`) holds a baseline and target"
        )
    owners = [name for name, other in MODEL_OF_KIND.items() if key in other.model_fields]
    if owners and model in MODEL_OF_KIND.values():
        kinds = " or ".join(f"`kind: {name}`" for name in owners)
        belongs = f"{key!r} belongs to {' or '.join(owners)} key results"
        return f"{message}: {belongs}; write {kinds}, or remove it"
    return f"{message}: allowed are {', '.join(allowed)}"


def _not_a_name(key: str, model: type[BaseModel], kind: str) -> str:
    allowed = ", ".join(_keys(model))
    return f"key {key} in {_describe(model, kind)} is not a name: keys are words such as {allowed}"


def _strip_kind(loc: Loc) -> tuple[Loc, str | None]:
    """Drop the union tag pydantic puts after a key result's index."""
    for index in range(2, len(loc)):
        if (
            loc[index - 2] == "key_results"
            and isinstance(loc[index - 1], int)
            and loc[index] in KINDS
        ):
            return loc[:index] + loc[index + 1 :], str(loc[index])
    return loc, None


_TYPE_MESSAGES = {
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "list_type": "must be a list (`- item` lines or `[a, b]`)",
    "string_type": "must be text; quote it if it looks like a number or a date",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
}


# What to write when a required key is missing, by (key, kind); "" is any kind.
_MISSING_HINTS = {
    ("objectives", ""): "list them under `objectives:`, or KPIs under `kpis:` "
    "(a file of only comments is fine too)",
    ("key_results", ""): "list at least one under `key_results:`",
    ("title", ""): "say in a few words what it is about",
    ("id", ""): "add a short id such as `reliable-platform`",
    ("baseline", "metric"): "a metric moves from `baseline` to `target`; "
    "to hold a bound instead, write `kind: threshold` and `direction`",
    ("target", "metric"): "a metric moves from `baseline` to `target`",
    ("direction", "threshold"): "write `direction: at_least` or `direction: at_most`",
    ("target", "threshold"): "the bound to hold, with `direction`",
    ("done", ""): "write `done: true` or `done: false`",
    ("milestones", ""): "list at least one milestone with `title` and `done`",
    ("date", ""): "the day of the check-in, YYYY-MM-DD",
    ("value", ""): "the value measured that day",
    ("start", ""): "give both `start` and `end`",
    ("end", ""): "give both `start` and `end`",
    ("from", ""): "name one of the `sources` defined in itokr.yaml",
    ("good", ""): "the reading at or better than which a KPI is green",
    ("bad", ""): "the reading worse than which a KPI is red",
}

_ITEM_NAMES = {
    "objectives": "objective",
    "key_results": "key result",
    "milestones": "milestone",
    "checkins": "check-in",
    "kpis": "KPI",
    "aligns_to": "objective id",
    "areas": "area",
}


def _subject(loc: Loc, *, config: bool) -> str:
    """How a message names the value at `loc`: `due`, each item of `objectives`, the file."""
    if not loc:
        return "itokr.yaml" if config else "the file"
    if isinstance(loc[-1], int) and len(loc) > 1:
        return f"each item of `{loc[-2]}`"
    return f"`{loc[-1]}`"


def explain(error: ErrorDetails, *, config: bool = False) -> Problem:
    """One pydantic error as a problem with a code and a message that helps."""
    loc, kind = _strip_kind(tuple(error["loc"]))
    kind_tag = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    field = next((step for step in reversed(loc) if isinstance(step, str)), "value")
    if _OWN_CODE.fullmatch(kind_tag):
        at = tuple(ctx.get("at", ()))
        message = error["msg"]
        if message.startswith("must"):
            message = f"{_subject(loc, config=config)} {message}"
        elif not at and not message.startswith("`"):
            message = f"{_subject(loc, config=config)}: {message}"
        return Problem(loc + at, kind_tag, message)
    kind = kind or "metric"
    if kind_tag == "invalid_key":
        model = _model_at(loc[:-1], kind, config=config)
        return Problem(loc, "E101", _not_a_name(str(loc[-1]), model, kind), at_key=True)
    if kind_tag == "extra_forbidden":
        model = _model_at(loc[:-1], kind, config=config)
        return Problem(loc, "E101", _unknown_key(str(loc[-1]), model, kind), at_key=True)
    if kind_tag == "missing":
        model = _model_at(loc[:-1], kind, config=config)
        where = _describe(model, kind)
        hint = _MISSING_HINTS.get((str(loc[-1]), kind), _MISSING_HINTS.get((str(loc[-1]), "")))
        message = f"missing required key {loc[-1]!r} in {where}: {hint or 'add it'}"
        return Problem(loc[:-1], "E102", message, at_key=True)
    if kind_tag == "union_tag_invalid":
        return Problem(
            (*loc, "kind"),
            "E104",
            f"unknown kind {ctx.get('tag')!r}: use {', '.join(KINDS)}",
        )
    if kind_tag == "literal_error":
        return Problem(loc, "E104", f"`{field}` must be {ctx.get('expected')}")
    if kind_tag == "string_pattern_mismatch":
        if loc and loc[-1] == "[key]":  # a key of a mapping, such as `smart.rules`
            return Problem(
                loc[:-1], "E104", f"key {loc[-2]!r} must match {ctx.get('pattern')}", at_key=True
            )
        what = "an objective id" if field == "aligns_to" else "an id"
        return Problem(
            loc,
            "E104",
            f"{_subject(loc, config=config)} must be {what}: lowercase letters, digits and "
            "hyphens, starting with a letter or digit",
        )
    if kind_tag == "too_short":
        item = _ITEM_NAMES.get(field, "item")
        return Problem(loc, "E107", f"`{field}` is empty: give at least one {item}")
    if kind_tag == "string_too_short":
        if loc and isinstance(loc[-1], int):
            return Problem(loc, "E107", f"an item of `{field}` is empty: write some text")
        return Problem(loc, "E107", f"`{field}` is empty: write some text or remove the key")
    if kind_tag in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        relation = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind_tag]
        return Problem(loc, "E107", f"`{field}` must be {relation} {bound}")
    message = _TYPE_MESSAGES.get(kind_tag) or f"is not valid: {plain(error['msg'])}"
    return Problem(loc, "E103", f"{_subject(loc, config=config)} {message}")
