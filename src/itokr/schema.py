"""JSON Schema of the file format, generated from the models."""

from __future__ import annotations

from typing import Any

from itokr.model import Config, ObjectiveFile

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def objective_file_schema() -> dict[str, Any]:
    """The schema of an objective file; an empty file (null) is valid too."""
    schema = ObjectiveFile.model_json_schema()
    body = {key: value for key, value in schema.items() if key != "$defs"}
    return {
        "$schema": DIALECT,
        "title": "itokr objective file",
        "description": "OKRs as YAML: objectives with key results (see itokr's README).",
        "$defs": schema.get("$defs", {}),
        "anyOf": [body, {"type": "null"}],
    }


def config_schema() -> dict[str, Any]:
    """The schema of `itokr.yaml`."""
    schema = Config.model_json_schema()
    return {"$schema": DIALECT, "title": "itokr configuration (itokr.yaml)", **schema}
