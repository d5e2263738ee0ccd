"""JSON Schema of the file format, generated from the models."""

from __future__ import annotations

from typing import Any

from itokr.model.config import Config
from itokr.model.objectives import ObjectiveFile
from itokr.model.sources import SOURCE_TYPES

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _present(key: str) -> dict[str, Any]:
    """`key` is written with a value (a null is as good as absent to the models)."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _both_or_neither(one: str, other: str) -> list[dict[str, Any]]:
    return [
        {"if": _present(one), "then": _present(other)},
        {"if": _present(other), "then": _present(one)},
    ]


def _not_together(one: str, other: str) -> dict[str, Any]:
    return {"not": {"allOf": [_present(one), _present(other)]}}


# A key result's values: its own `current` or `checkins`, or a KPI's readings (E202, E207).
_own_values = [
    _not_together("current", "checkins"),
    _not_together("kpi", "current"),
    _not_together("kpi", "checkins"),
]
# Rules the models check across keys, so that editors flag them too (E202, E203, E207).
_ACROSS_KEYS: dict[str, list[dict[str, Any]]] = {
    "Objective": [*_both_or_neither("start", "end"), _not_together("period", "start")],
    "Metric": [*_own_values],
    "Threshold": [*_own_values],
}


def objective_file_schema() -> dict[str, Any]:
    """The schema of an objective file; an empty file (null) is valid too."""
    schema = ObjectiveFile.model_json_schema()
    body = {key: value for key, value in schema.items() if key != "$defs"}
    # `objectives` or `kpis`, or both (a file of KPIs needs no objectives)
    body["required"] = [key for key in body.get("required", []) if key != "objectives"]
    if not body["required"]:
        del body["required"]
    body["anyOf"] = [{"required": ["objectives"]}, {"required": ["kpis"]}]
    definitions: dict[str, Any] = schema.get("$defs", {})
    for name, rules in _ACROSS_KEYS.items():
        definitions[name] = definitions[name] | {"allOf": rules}
    return {
        "$schema": DIALECT,
        "title": "itokr objective file",
        "description": "OKRs as YAML: objectives with key results (see itokr's README).",
        "$defs": definitions,
        "anyOf": [body, {"type": "null"}],
    }


def config_schema() -> dict[str, Any]:
    """The schema of `itokr.yaml`; a source has exactly one type (E102, E208)."""
    schema = Config.model_json_schema()
    sources = schema.get("$defs", {}).get("Source")
    if sources is not None:
        sources["oneOf"] = [_present(kind) for kind in SOURCE_TYPES]
    return {"$schema": DIALECT, "title": "itokr configuration (itokr.yaml)", **schema}
