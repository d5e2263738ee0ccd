"""Assemble a root: every file loaded once, then checked whole into a `Tree`.

`load_documents` is pure: it takes the bytes of each file (from the disk or
from a git revision) and returns a `Tree` whose findings are placed at a
line and column. One bad file never stops the others.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from itokr import filecheck, kpilinks, yamlmarks
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
from itokr.findings import Finding
from itokr.inert import terminal
from itokr.kpis import KpiEntry
from itokr.model.config import Config, Limits
from itokr.model.objectives import ObjectiveFile
from itokr.rootfiles import CONFIG_NAME, Document, display_path, objective_files, read_document

MAX_MESSAGE = 500  # characters: a message quoting a megabyte key is cut


@dataclass(frozen=True)
class Tree:
    """Everything loaded from one root."""

    config: Config
    entries: tuple[Entry, ...]
    findings: tuple[Finding, ...]
    files: int
    kpis: tuple[KpiEntry, ...] = ()
    marks: dict[str, yamlmarks.Marks] = field(default_factory=dict)  # by path, when asked for

    @property
    def ok(self) -> bool:
        return not self.findings


def _tidy(finding: Finding) -> Finding:
    """A finding that fits on one line, even when it quotes a hostile key or name."""
    message = finding.message
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    message = terminal(message)
    return finding if message is finding.message else replace(finding, message=message)


def max_file_bytes(config: Document | None) -> int:
    """The size limit `itokr.yaml` sets for the other files (the config itself is read
    under the default)."""
    return filecheck.load_config(config)[0].limits.max_file_mib * 2**20


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


@dataclass(frozen=True, slots=True)
class FileLoad:
    """What one file brings to its root, whatever the other files hold."""

    findings: tuple[Finding, ...]
    placer: filecheck.Placer | None  # None: the file has no data (a finding says why)
    parsed: ParsedFile | None  # its valid objectives, for the checks across files
    stand_ins: tuple[Entry, ...]  # its invalid objectives that still name an id
    kpi_file: kpilinks.FileKpis | None
    marks: yamlmarks.Marks | None


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
    file_marks = yamlmarks.Marks() if marks else None
    data, found = filecheck.parse(document, limits, file_marks)
    if data is None:  # empty, only comments, or not read (a finding says why)
        return FileLoad(tuple(found), None, None, (), None, None)
    placer = filecheck.Placer(document, file_marks)
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
        defaults = filecheck.defaults(data)
        valid = filecheck.salvage(data, defaults)
        stand_ins = filecheck.unsalvaged(document.path, data, valid)
        kpi_file = kpilinks.salvage(document.path, data, defaults)
    return FileLoad(tuple(found), placer, valid, tuple(stand_ins), kpi_file, file_marks)


def _load(
    documents: Sequence[Document],
    config_document: Document | None,
    *,
    marks: bool,
    loads: FileLoads,
) -> Tree:
    config, findings = filecheck.load_config(config_document)
    kept: dict[str, yamlmarks.Marks] = {}
    valid: list[tuple[str, ParsedFile]] = []
    kpi_files: list[kpilinks.FileKpis] = []
    placers: dict[str, filecheck.Placer] = {}
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
