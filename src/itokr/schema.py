"""JSON Schema of the file format, generated from the models."""

from __future__ import annotations

from typing import Any

from itokr.model import SOURCE_TYPES, Config, ObjectiveFile

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


# Rules the models check across keys, so that editors flag them too (E202, E203).
_ACROSS_KEYS: dict[str, list[dict[str, Any]]] = {
    "Objective": [*_both_or_neither("start", "end"), _not_together("period", "start")],
    "Metric": [_not_together("current", "checkins")],
    "Threshold": [_not_together("current", "checkins")],
}


def objective_file_schema() -> dict[str, Any]:
    """The schema of an objective file; an empty file (null) is valid too."""
    schema = ObjectiveFile.model_json_schema()
    body = {key: value for key, value in schema.items() if key != "$defs"}
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
    """The schema of `itokr.yaml`; a source has exactly one type (E102, E206)."""
    schema = Config.model_json_schema()
    sources = schema.get("$defs", {}).get("Source")
    if sources is not None:
        sources["oneOf"] = [_present(kind) for kind in SOURCE_TYPES]
    return {"$schema": DIALECT, "title": "itokr configuration (itokr.yaml)", **schema}
