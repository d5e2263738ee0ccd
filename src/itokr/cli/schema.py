"""`itokr schema`: the JSON Schema of the file format."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from itokr.cli.app import command


class SchemaFormat(StrEnum):
    # One format: a JSON Schema is JSON, and JSON is YAML too, so a YAML copy would add
    # nothing an editor or validator reads.
    json = "json"


@command()
def schema(
    config: Annotated[
        bool, typer.Option("--config", help="The schema of itokr.yaml instead.")
    ] = False,
    output: Annotated[
        SchemaFormat,
        typer.Option(
            "--format",
            "-f",
            help="json, the only format: a JSON Schema (draft 2020-12) is JSON, which "
            "YAML tools read too.",
        ),
    ] = SchemaFormat.json,
) -> None:
    """Print the JSON Schema of an objective file, for editors and other validators.

    Save it next to your OKRs and point your editor at it with a first line
    `# yaml-language-server: $schema=./objective.schema.json`, or check files
    with any JSON Schema validator. itokr validate checks more than the schema
    can (ids across files, alignment, periods).
    """
    import json

    from itokr.schema import config_schema, objective_file_schema

    document = config_schema() if config else objective_file_schema()
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
