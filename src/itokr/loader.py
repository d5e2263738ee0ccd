"""Find the OKR root, read every file in it, and check it whole.

`load_documents` is pure: it takes the bytes of each file (from the disk or
from a git revision) and returns a `Tree` whose findings are placed at a
line and column. One bad file never stops the others.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from itokr import yamlio
from itokr.crosscheck import Entry, Located, ParsedFile, check_cycles, check_ids, entries_of
from itokr.errors import UsageError
from itokr.findings import Finding
from itokr.model import Config, Objective, ObjectiveFile
from itokr.problems import Problem, explain

CONFIG_NAME = "itokr.yaml"
MAX_FILE_BYTES = 16 * 1024 * 1024  # far above any real OKR file; keeps memory bounded


@dataclass(frozen=True, slots=True)
class Document:
    """One file's bytes, named as findings should name it."""

    path: str
    data: bytes | None  # None: unreadable
    error: str = ""


@dataclass(frozen=True)
class Tree:
    """Everything loaded from one root."""

    config: Config
    entries: tuple[Entry, ...]
    findings: tuple[Finding, ...]
    files: int
    documents: dict[str, ObjectiveFile] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.findings


def find_root(option: str | None, env: str | None, cwd: Path) -> Path:
    """The root: `--root`, else `$ITOKR_ROOT`, else the nearest `okrs/` upwards."""
    for given, source in ((option, "--root"), (env, "ITOKR_ROOT")):
        if given:
            path = (cwd / given).resolve()
            if not path.is_dir():
                raise UsageError(f"{source} {given}: no such directory")
            return path
    for directory in (cwd, *cwd.parents):
        if (directory / "okrs").is_dir():
            return directory / "okrs"
    raise UsageError(
        "no OKR root: no okrs/ directory here or above; pass --root PATH, set ITOKR_ROOT, "
        "or create one with `itokr init`"
    )


def display_path(path: Path, cwd: Path) -> str:
    """A path as the user would type it: relative to the cwd when below it."""
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def objective_files(root: Path) -> list[Path]:
    """Every `*.yaml`/`*.yml` below `root` but its config, in sorted path order."""
    found: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        base = Path(directory)
        for name in filenames:
            if name.endswith((".yaml", ".yml")) and not (base == root and name == CONFIG_NAME):
                path = base / name
                found.append((path.relative_to(root).as_posix(), path))
    return [path for _, path in sorted(found)]


def read_document(path: Path, shown: str) -> Document:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Document(shown, None, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        return Document(shown, path.read_bytes())
    except OSError as error:
        return Document(shown, None, error.strerror or str(error))


def load_root(root: Path, cwd: Path) -> Tree:
    """Read and check every file of the root on disk."""
    config_path = root / CONFIG_NAME
    config = read_document(config_path, display_path(config_path, cwd)) if (
        config_path.is_file()
    ) else None
    documents = [read_document(path, display_path(path, cwd)) for path in objective_files(root)]
    return load_documents(documents, config)


class _Placer:
    """Places the problems of one file, composing its nodes only when needed."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._node: Any = None
        self._composed = False

    def place(self, problem: Problem) -> Finding:
        if not self._composed and self.document.data is not None:
            self._node = yamlio.compose(self.document.data)
            self._composed = True
        where = yamlio.locate(self._node, problem.loc, at_key=problem.at_key)
        return Finding(self.document.path, where.line, where.col, problem.code, problem.message)


def _parse(document: Document) -> tuple[Any, Finding | None]:
    if document.data is None:
        return None, Finding(document.path, 1, 1, "E001", f"cannot read: {document.error}")
    try:
        return yamlio.read(document.data), None
    except yamlio.YamlProblem as problem:
        return None, Finding(document.path, problem.line, problem.col, problem.code, problem.message)


def _load_config(document: Document | None) -> tuple[Config, list[Finding]]:
    if document is None:
        return Config(), []
    data, finding = _parse(document)
    if finding is not None:
        return Config(), [finding]
    try:
        return Config.model_validate({} if data is None else data), []
    except ValidationError as error:
        placer = _Placer(document)
        return Config(), [
            placer.place(explain(detail, config=True))
            for detail in error.errors(include_input=False, include_url=False)
        ]


def _known_ids(data: Any) -> set[str]:
    """Ids an invalid file declares, so that alignment to them is not reported too."""
    objectives = data.get("objectives") if isinstance(data, dict) else None
    if not isinstance(objectives, list):
        return set()
    return {item["id"] for item in objectives if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _salvage(data: Any) -> ParsedFile | None:
    """The objectives of an invalid file that are valid alone, for the cross-file checks."""
    if not isinstance(data, dict) or not isinstance(data.get("objectives"), list):
        return None
    try:
        defaults = ObjectiveFile.model_validate(
            {key: data[key] for key in ("period", "owner", "area") if key in data}
            | {"objectives": []}
        )
    except ValidationError:
        defaults = ObjectiveFile(objectives=[])
    good = []
    for index, item in enumerate(data["objectives"]):
        try:
            good.append((index, Objective.model_validate(item)))
        except ValidationError:
            continue
    return ParsedFile(defaults, tuple(good))


def load_documents(documents: Sequence[Document], config_document: Document | None) -> Tree:
    """Parse, validate and cross-check a root given as documents."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # nothing built here is cyclic; the collector only costs time
    try:
        return _load(documents, config_document)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load(documents: Sequence[Document], config_document: Document | None) -> Tree:
    config, findings = _load_config(config_document)
    valid: list[tuple[str, ParsedFile]] = []
    placers: dict[str, _Placer] = {}
    known_elsewhere: set[str] = set()
    for document in documents:
        data, finding = _parse(document)
        if finding is not None:
            findings.append(finding)
            continue
        if data is None:  # empty, or only comments
            continue
        try:
            parsed = ObjectiveFile.model_validate(data)
            valid.append((document.path, ParsedFile(parsed, tuple(enumerate(parsed.objectives)))))
            placers[document.path] = _Placer(document)
        except ValidationError as error:
            placer = _Placer(document)
            findings.extend(
                placer.place(explain(detail))
                for detail in error.errors(include_input=False, include_url=False)
            )
            known_elsewhere |= _known_ids(data)
            if (salvaged := _salvage(data)) is not None:
                valid.append((document.path, salvaged))
                placers[document.path] = placer
    entries, located = entries_of(valid, config, config_ok=not findings or all(
        finding.path != getattr(config_document, "path", None) for finding in findings
    ))
    located += [*check_ids(entries, known_elsewhere), *check_cycles(entries)]
    findings += [_place(item, placers) for item in located]
    return Tree(
        config=config,
        entries=tuple(entries),
        findings=tuple(sorted(findings)),
        files=len(documents) + (config_document is not None),
        documents={path: parsed.defaults for path, parsed in valid},
    )


def _place(item: Located, placers: dict[str, _Placer]) -> Finding:
    return placers[item.path].place(item.problem)
