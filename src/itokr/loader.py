"""Find the OKR root, read every file in it, and check it whole.

`load_documents` is pure: it takes the bytes of each file (from the disk or
from a git revision) and returns a `Tree` whose findings are placed at a
line and column. One bad file never stops the others.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from itokr import kpilinks, yamlio
from itokr.acyclic import collector_paused
from itokr.crosscheck import (
    Entry,
    Located,
    ParsedFile,
    check_cycles,
    check_ids,
    check_sources,
    entries_of,
)
from itokr.errors import UsageError
from itokr.findings import Finding
from itokr.inert import terminal
from itokr.kpis import KpiEntry
from itokr.model.config import Config, Limits
from itokr.model.objectives import Objective, ObjectiveFile
from itokr.problems import Problem, explain

CONFIG_NAME = "itokr.yaml"
MAX_FILE_BYTES = 16 * 1024 * 1024  # the default of `limits.max_file_mib`
MAX_FINDINGS = 100  # per file: past this, one finding counts the rest
MAX_MESSAGE = 500  # characters: a message quoting a megabyte key is cut


@dataclass(frozen=True, slots=True)
class Document:
    """One file's bytes, named as findings should name it."""

    path: str
    data: bytes | None  # None: unreadable, `error` says why
    error: str = ""
    code: str = "E001"  # E008 when the file was too large to read


@dataclass(frozen=True)
class Tree:
    """Everything loaded from one root."""

    config: Config
    entries: tuple[Entry, ...]
    findings: tuple[Finding, ...]
    files: int
    kpis: tuple[KpiEntry, ...] = ()
    marks: dict[str, yamlio.Marks] = field(default_factory=dict)  # by path, when asked for

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
    """A path as the user would type it: relative to the cwd when below it; undecodable
    bytes as `\\xff` and control characters escaped (`\\x1b`, `\\u202e`), so a name
    cannot break a line. `real_path` undoes it: a POSIX name's own `\\` is doubled."""
    try:
        shown = path.relative_to(cwd).as_posix()
    except ValueError:
        shown = str(path)
    if os.sep == "/":
        shown = shown.replace("\\", "\\\\")
    return terminal(os.fsencode(shown).decode("utf-8", "backslashreplace"))


_SHOWN_ESCAPE = re.compile(r"\\(?:(\\)|x([0-9a-f]{2})|u([0-9a-f]{4})|([tnr]))")
_NAMED = {"t": "\t", "n": "\n", "r": "\r"}


def real_path(shown: str) -> Path:
    """The file a `display_path` names, byte for byte."""
    if "\\" not in shown or os.sep != "/":
        return Path(shown)
    parts: list[bytes] = []
    at = 0
    for match in _SHOWN_ESCAPE.finditer(shown):
        parts.append(shown[at : match.start()].encode("utf-8", "surrogateescape"))
        slash, byte, code, named = match.groups()
        if slash:
            parts.append(b"\\")
        elif byte is not None:  # a C0 control (below 0x80), else an undecodable byte
            parts.append(bytes([int(byte, 16)]))
        else:
            parts.append((chr(int(code, 16)) if code else _NAMED[named]).encode())
        at = match.end()
    parts.append(shown[at:].encode("utf-8", "surrogateescape"))
    return Path(os.fsdecode(b"".join(parts)))


def read_shown(shown: str) -> bytes | None:
    """The bytes of the file a display path names; None when it cannot be read."""
    try:
        return real_path(shown).read_bytes()
    except OSError:
        return None


def _tidy(finding: Finding) -> Finding:
    """A finding that fits on one line, even when it quotes a hostile key or name."""
    message = finding.message
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    message = terminal(message)
    return finding if message is finding.message else replace(finding, message=message)


def objective_files(root: Path, unreadable: list[str] | None = None) -> list[Path]:
    """Every `*.yaml`/`*.yml` below `root` but its config, in sorted path order.

    Hidden directories are skipped and symbolic links to directories are not
    followed (no loops, no escapes). An explicit stack, not `os.walk`, which
    recurses on Python 3.11 and fails on a tree 1,000 directories deep.
    Directories that cannot be listed are added to `unreadable` when given.
    """
    found: list[tuple[str, Path]] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            if unreadable is not None:
                unreadable.append(str(directory))
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith("."):
                    stack.append(directory / name)
            elif name.endswith((".yaml", ".yml")) and not (
                directory is root and name == CONFIG_NAME
            ):
                path = directory / name
                found.append((path.relative_to(root).as_posix(), path))
    return [path for _, path in sorted(found)]


def read_document(
    path: Path, shown: str, *, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Document:
    """A file's bytes, read safely: a FIFO, a device or a file over `max_bytes` is
    refused without blocking or reading it, and so is a link out of `root`."""
    try:
        if root is not None and path.is_symlink():
            target, inside = os.path.realpath(path), os.path.realpath(root)
            if os.path.commonpath([target, inside]) != inside:
                return Document(shown, None, "a symbolic link to a file outside the OKR root")
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(descriptor, "rb") as stream:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return Document(shown, None, "not a regular file")
            data = stream.read(max_bytes + 1)
    except OSError as error:
        return Document(shown, None, error.strerror or str(error))
    if len(data) > max_bytes:
        return too_large(shown, max_bytes)
    return Document(shown, data)


def too_large(shown: str, max_bytes: int) -> Document:
    """A file left unread because it is over `max_bytes` (E008)."""
    return Document(shown, None, _too_large(max_bytes), "E008")


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes / 2**20:g} MiB: raise `limits.max_file_mib` in {CONFIG_NAME}"


def max_file_bytes(config: Document | None) -> int:
    """The size limit `itokr.yaml` sets for the other files (the config itself is read
    under the default)."""
    return _load_config(config)[0].limits.max_file_mib * 2**20


def read_root(root: Path, cwd: Path) -> tuple[Document | None, list[Document]]:
    """The config and every objective file of a root on disk, within its limits."""
    config_path = root / CONFIG_NAME
    config = None
    if os.path.lexists(config_path):  # a FIFO or a directory by that name is reported
        config = read_document(config_path, display_path(config_path, cwd), root=root)
    max_bytes = max_file_bytes(config)
    unreadable: list[str] = []
    documents = [
        read_document(path, display_path(path, cwd), root=root, max_bytes=max_bytes)
        for path in objective_files(root, unreadable)
    ]
    documents += [
        Document(display_path(Path(name), cwd) + "/", None, "cannot list this directory")
        for name in unreadable
    ]
    return config, documents


def load_root(root: Path, cwd: Path, *, marks: bool = False) -> Tree:
    """Read and check every file of the root on disk; with `marks`, keep where each node
    of each file starts (for a view that places findings in most files)."""
    config, documents = read_root(root, cwd)
    return load_documents(documents, config, marks=marks)


class _Placer:
    """Places the problems of one file: by its marks, else one pass over its events."""

    def __init__(self, document: Document, marks: yamlio.Marks | None) -> None:
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
            spots = [yamlio.Position(1, 1)] * len(wanted)
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


def _parse(
    document: Document, limits: Limits, marks: yamlio.Marks | None = None
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
                f"cannot read: {_too_large(limits.max_file_mib * 2**20)}",
            )
        ]
    escaped: list[tuple[yamlio.Position, str]] = []
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
    path: str, data: bytes, escaped: Sequence[tuple[yamlio.Position, str]]
) -> list[Finding]:
    """E108 for each line holding a bidirectional control or a zero-width character."""
    findings = []
    for where, char in yamlio.hidden_characters(data, escaped):
        name = f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
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


def _load_config(document: Document | None) -> tuple[Config, list[Finding]]:
    if document is None:
        return Config.model_construct(), []
    data, findings = _parse(document, Limits.model_construct())
    if data is None and any(finding.code != "E108" for finding in findings):
        return Config.model_construct(), findings
    try:
        return Config.model_validate({} if data is None else data), findings
    except ValidationError as error:
        return Config.model_construct(), findings + _Placer(document, None).place_errors(
            error, config=True
        )


def _unsalvaged(path: str, data: Any, salvaged: ParsedFile | None) -> list[Entry]:
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


def _in_file_order(
    paths: Sequence[str], entries: Sequence[Entry], stand_ins: dict[str, list[Entry]]
) -> list[Entry]:
    by_path: dict[str, list[Entry]] = {}
    for entry in entries:
        by_path.setdefault(entry.path, []).append(entry)
    return [
        entry
        for path in paths
        for entry in sorted(
            by_path.get(path, []) + stand_ins.get(path, []), key=lambda each: each.index
        )
    ]


def _defaults(data: Any) -> ObjectiveFile:
    """The file-level defaults of an invalid file, as far as they are valid."""
    try:
        return ObjectiveFile.model_validate(
            {key: data[key] for key in ("period", "owner", "area") if key in data}
            | {"objectives": []}
        )
    except ValidationError:
        return ObjectiveFile(objectives=[])


def _salvage(data: Any, defaults: ObjectiveFile) -> ParsedFile | None:
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


@dataclass(frozen=True, slots=True)
class FileLoad:
    """What one file brings to its root, whatever the other files hold."""

    findings: tuple[Finding, ...]
    placer: _Placer | None  # None: the file has no data (a finding says why)
    parsed: ParsedFile | None  # its valid objectives, for the checks across files
    stand_ins: tuple[Entry, ...]  # its invalid objectives that still name an id
    kpi_file: kpilinks.FileKpis | None
    marks: yamlio.Marks | None


# Earlier loads of files, by the document, the limits read under and whether marks
# were kept: a root loaded again with one file changed (a check-in verifying its edit)
# parses and validates only that file.
FileLoads = dict[tuple[Document, Limits, bool], FileLoad]


def load_documents(
    documents: Sequence[Document],
    config_document: Document | None,
    *,
    marks: bool = False,
    loads: FileLoads | None = None,
) -> Tree:
    """Parse, validate and cross-check a root given as documents (`marks`: see
    load_root). `loads` holds what earlier loads made of each file; the files found
    there are not read again, the others are read and added."""
    with collector_paused():  # nothing built here is cyclic; the collector only costs time
        return _load(documents, config_document, marks=marks, loads={} if loads is None else loads)


def _load_file(document: Document, limits: Limits, marks: bool) -> FileLoad:
    file_marks = yamlio.Marks() if marks else None
    data, found = _parse(document, limits, file_marks)
    if data is None:  # empty, only comments, or not read (a finding says why)
        return FileLoad(tuple(found), None, None, (), None, None)
    placer = _Placer(document, file_marks)
    stand_ins: list[Entry] = []
    try:
        parsed = ObjectiveFile.model_validate(data)
        valid: ParsedFile | None = ParsedFile(parsed, tuple(enumerate(parsed.objectives)))
        kpi_file = kpilinks.of_file(document.path, parsed, data)
    except ValidationError as error:
        found += placer.place_errors(error)
        del error  # a hostile file's errors are large: free them before the next file
        if not isinstance(data, dict):
            return FileLoad(tuple(found), placer, None, (), None, file_marks)
        defaults = _defaults(data)
        valid = _salvage(data, defaults)
        stand_ins = _unsalvaged(document.path, data, valid)
        kpi_file = kpilinks.salvage(document.path, data, defaults)
    return FileLoad(tuple(found), placer, valid, tuple(stand_ins), kpi_file, file_marks)


def _load(
    documents: Sequence[Document],
    config_document: Document | None,
    *,
    marks: bool,
    loads: FileLoads,
) -> Tree:
    config, findings = _load_config(config_document)
    kept: dict[str, yamlio.Marks] = {}
    valid: list[tuple[str, ParsedFile]] = []
    kpi_files: list[kpilinks.FileKpis] = []
    placers: dict[str, _Placer] = {}
    stand_ins: dict[str, list[Entry]] = {}
    for document in documents:
        key = (document, config.limits, marks)
        load = loads.get(key)
        if load is None:
            load = loads[key] = _load_file(document, config.limits, marks)
        findings += load.findings
        if load.marks is not None:
            kept[document.path] = load.marks
        if load.placer is not None:
            placers[document.path] = load.placer
        if load.parsed is not None:
            valid.append((document.path, load.parsed))
        if load.stand_ins:
            stand_ins[document.path] = list(load.stand_ins)
        if load.kpi_file is not None:
            kpi_files.append(load.kpi_file)
    config_path = getattr(config_document, "path", None)
    # a hidden character (E108) is told, but leaves the configuration in force
    config_ok = all(f.path != config_path or f.code == "E108" for f in findings)
    entries, located = entries_of(valid, config, config_ok=config_ok)
    paths = [document.path for document in documents]
    every = _in_file_order(paths, entries, stand_ins)
    located += [*check_ids(every, set()), *check_cycles(entries)]
    kpis, in_kpis = kpilinks.entries_of(kpi_files, config, config_ok=config_ok)
    if config_ok:  # a source of an invalid itokr.yaml is unknown: one problem, told there
        located += [*check_sources(entries, config), *kpilinks.check_sources(kpis, config)]
    broken = {kpi_id for file in kpi_files for _, kpi_id in file.broken}
    entries, links = kpilinks.link(entries, kpis, broken)
    located += [*in_kpis, *kpilinks.check_ids(every, kpi_files, paths), *links]
    by_path: dict[str, list[Located]] = {}
    for item in dict.fromkeys(located):  # a file-level area is told once
        by_path.setdefault(item.path, []).append(item)
    for path, items in by_path.items():
        placed = placers[path].place([item.problem for item in items])
        findings += [
            replace(finding, involves=item.involves) if item.involves else finding
            for finding, item in zip(placed, items, strict=True)
        ]
    return Tree(
        config=config,
        entries=tuple(entries),
        findings=tuple(sorted(_tidy(finding) for finding in findings)),
        files=len(documents) + (config_document is not None),
        kpis=tuple(kpis),
        marks=kept,
    )
