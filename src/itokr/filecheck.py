"""One file's bytes to data and placed findings: parsed within its limits, hidden
characters told, pydantic's problems placed at a line and column, and what is valid in an
invalid file kept for the checks across files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from itokr import yamlio, yamlmarks
from itokr.crosscheck import Entry, ParsedFile
from itokr.findings import Finding
from itokr.inert import char_name
from itokr.model.config import Config, Limits
from itokr.model.objectives import Objective, ObjectiveFile
from itokr.problems import Problem, explain
from itokr.rootfiles import Document, too_large_message

MAX_FINDINGS = 100  # per file: past this, one finding counts the rest


class Placer:
    """Places the problems of one file: by its marks, else one pass over its events."""

    def __init__(self, document: Document, marks: yamlmarks.Marks | None) -> None:
        self.document = document
        self.marks = marks

    def place(self, problems: Sequence[Problem]) -> list[Finding]:
        if not problems:
            return []
        path, data = self.document.path, self.document.data
        wanted = [(problem.loc, problem.at_key) for problem in problems]
        if self.marks is not None:
            spots = self.marks.locate_all(wanted)
        elif data:
            spots = yamlio.locate_all(data, wanted)
        else:
            spots = [yamlmarks.Position(1, 1)] * len(wanted)
        return [
            Finding(path, where.line, where.col, problem.code, problem.message)
            for where, problem in zip(spots, problems, strict=True)
        ]

    def place_errors(self, error: ValidationError, *, config: bool = False) -> list[Finding]:
        """The first `MAX_FINDINGS` errors, and one finding that counts the rest."""
        details = error.errors(include_input=False, include_url=False)
        problems = [explain(detail, config=config) for detail in details[: MAX_FINDINGS + 1]]
        if len(details) > MAX_FINDINGS:
            rest = problems[MAX_FINDINGS]
            problems[MAX_FINDINGS] = Problem(
                rest.loc,
                "E008",
                f"{len(details) - MAX_FINDINGS:,} more problems in this file are not listed: "
                "fix the ones above first",
                at_key=rest.at_key,
            )
        return self.place(problems)


def parse(
    document: Document, limits: Limits, marks: yamlmarks.Marks | None = None
) -> tuple[Any, list[Finding]]:
    """The file's data (None when it has none or cannot be read) and its findings: one
    that stopped the reading, and the hidden characters (E108), which stop nothing.
    `marks` gets where each node starts."""
    data = document.data
    if data is None:
        return None, [Finding(document.path, 1, 1, document.code, f"cannot read: {document.error}")]
    if len(data) > limits.max_file_mib * 2**20:
        return None, [
            Finding(
                document.path,
                1,
                1,
                "E008",
                f"cannot read: {too_large_message(limits.max_file_mib * 2**20)}",
            )
        ]
    escaped: list[tuple[yamlmarks.Position, str]] = []
    try:
        parsed = yamlio.read(
            data,
            max_depth=limits.max_depth,
            max_values=limits.max_values,
            escaped=escaped,
            marks=marks,
        )
    except yamlio.YamlProblem as problem:
        stop = Finding(document.path, problem.line, problem.col, problem.code, problem.message)
        return None, [stop, *_hidden(document.path, data, escaped)]
    return parsed, _hidden(document.path, data, escaped)


def _hidden(
    path: str, data: bytes, escaped: Sequence[tuple[yamlmarks.Position, str]]
) -> list[Finding]:
    """E108 for each line holding a bidirectional control or a zero-width character."""
    findings = []
    for where, char in yamlmarks.hidden_characters(data, escaped):
        name = char_name(char)
        findings.append(
            Finding(
                path,
                where.line,
                where.col,
                "E108",
                f"hidden character {name}: it reorders or hides text from whoever reads "
                "this file; remove it",
            )
        )
    return findings


def load_config(document: Document | None) -> tuple[Config, list[Finding]]:
    if document is None:
        return Config.model_construct(), []
    data, findings = parse(document, Limits.model_construct())
    if data is None and any(finding.code != "E108" for finding in findings):
        return Config.model_construct(), findings
    try:
        return Config.model_validate({} if data is None else data), findings
    except ValidationError as error:
        return Config.model_construct(), findings + Placer(document, None).place_errors(
            error, config=True
        )


def unsalvaged(path: str, data: Any, salvaged: ParsedFile | None) -> list[Entry]:
    """Stand-ins for the invalid objectives of a file that still name an id, so that a
    duplicate of it, or an alignment to it, is judged now and not after the fix."""
    objectives = data.get("objectives") if isinstance(data, dict) else None
    if not isinstance(objectives, list):
        return []
    kept = {index for index, _ in salvaged.objectives} if salvaged else set()
    return [
        Entry(_stand_in(item["id"]), path, index, None, None, None)
        for index, item in enumerate(objectives)
        if index not in kept and isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def _stand_in(objective_id: str) -> Objective:
    return Objective.model_construct(id=objective_id, title="", aligns_to=[], key_results=[])


def defaults(data: Any) -> ObjectiveFile:
    """The file-level defaults of an invalid file, as far as they are valid."""
    try:
        return ObjectiveFile.model_validate(
            {key: data[key] for key in ("period", "owner", "area") if key in data}
            | {"objectives": []}
        )
    except ValidationError:
        return ObjectiveFile(objectives=[])


def salvage(data: Any, defaults: ObjectiveFile) -> ParsedFile | None:
    """The objectives of an invalid file that are valid alone, for the cross-file checks."""
    if not isinstance(data.get("objectives"), list):
        return None
    good = []
    for index, item in enumerate(data["objectives"]):
        try:
            good.append((index, Objective.model_validate(item)))
        except ValidationError:
            continue
    return ParsedFile(defaults, tuple(good))
