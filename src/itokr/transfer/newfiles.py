"""The drafts a source reader made, planned into the new files `itokr import`
writes: each made file data by `filedata` (ids, kinds, key order), alignments
linked, objectives already in the root refused, the rest grouped into
one file per period and owner, emitted by ruamel.yaml; KPIs, refused when the
root has their ids, into one `kpis.yaml`, and every `kpi:` link checked against
them and the root's KPIs; `check` validates those files together with the root
before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.crosscheck import Entry
from itokr.emit import file_text
from itokr.findings import Finding
from itokr.kpis import KpiEntry
from itokr.loader import load_documents
from itokr.model.config import Config
from itokr.periods import resolve
from itokr.rootfiles import Document
from itokr.transfer import filedata
from itokr.transfer.cells import slug
from itokr.transfer.drafts import DraftObjective, Parsed


@dataclass(frozen=True)
class NewFile:
    path: str  # below --into, with `/`
    text: str
    objectives: int
    key_results: int
    checkins: int
    kpis: int = 0


@dataclass(frozen=True)
class Plan:
    files: tuple[NewFile, ...]
    findings: tuple[Finding, ...]
    periods: Mapping[str, tuple[dt.date, dt.date]]
    notes: tuple[str, ...]


def plan(
    parsed: Parsed,
    entries: Sequence[Entry],
    kpis: Sequence[KpiEntry],
    config: Config,
    *,
    exists: Callable[[str], bool],
    day: dt.date,
) -> Plan:
    """The files to write for `parsed`, or the findings that stop the import.

    `exists(path)` says whether a file below --into is taken; `day` dates the header.
    """
    findings = list(parsed.findings)
    named = {name: (p.start, p.end) for name, p in config.periods.items()}
    findings += _already_in_root(parsed, entries, {**named, **parsed.periods})
    root_ids = {entry.id for entry in entries}
    findings += _kpis_in_root(parsed, root_ids, kpis)
    new_kpis = {str(draft.data.get("id")) for draft in parsed.kpis}
    ids = filedata.objective_ids(parsed.objectives, root_ids | new_kpis, parsed.notes)
    # a parent named in the file is the imported one, even when the root has its id
    known = {key: key for key in root_ids} | {
        draft.source_id: ids[i] for i, draft in enumerate(parsed.objectives)
    }
    kpi_ids = new_kpis | {kpi.id for kpi in kpis}
    objectives: list[tuple[DraftObjective, dict[str, Any]]] = []
    for index, draft in enumerate(parsed.objectives):
        data = filedata.objective_data(draft, ids[index], known, parsed.source, findings)
        if data is not None:
            _keep_known_sources(data["key_results"], data["id"] + "/", config, parsed.notes)
            findings += _unknown_kpis(draft, data, kpi_ids, parsed.source)
            objectives.append((draft, data))
    kpi_data = [filedata.kpi_data(draft, parsed.kpi_source, findings) for draft in parsed.kpis]
    _keep_known_sources(kpi_data, "KPI ", config, parsed.notes)
    if findings:
        return Plan((), tuple(sorted(set(findings))), dict(parsed.periods), tuple(parsed.notes))
    files = _files(parsed, objectives, exists, day)
    if kpi_data:
        files.append(_kpi_file(parsed, kpi_data, exists, day))
    return Plan(tuple(files), (), dict(parsed.periods), tuple(parsed.notes))


def _kpis_in_root(
    parsed: Parsed, objective_ids: set[str], kpis: Sequence[KpiEntry]
) -> list[Finding]:
    """A KPI keeps its id (key results link to it by it): one the root has is refused,
    as an objective already in the root is."""
    paths = {kpi.id: kpi.path for kpi in kpis}
    found = []
    for draft in parsed.kpis:
        kpi_id = draft.data.get("id")
        if kpi_id in paths:
            where = f"is already in the root in {paths[kpi_id]}: remove its row, or the KPI"
        elif kpi_id in objective_ids:
            where = "is an objective's id in the root: ids are unique across both"
        else:
            continue
        found.append(Finding(parsed.kpi_source, draft.line, 1, "I202", f"KPI {kpi_id} {where}"))
    return found


def _unknown_kpis(
    draft: DraftObjective, data: Mapping[str, Any], kpi_ids: set[str], source: str
) -> list[Finding]:
    """A `kpi:` link to a KPI neither imported nor in the root."""
    return [
        Finding(
            source,
            kr_draft.line,
            1,
            "I106",
            f"key result {kr.get('title', kr['id'])!r} tracks the KPI {kr['kpi']}, which is "
            "neither imported nor in the root: import the KPIs too (--kpis FILE, or the workbook's "
            "kpis sheet), or add the KPI to the root first",
        )
        for kr_draft, kr in zip(draft.key_results, data["key_results"], strict=True)
        if "kpi" in kr and kr["kpi"] not in kpi_ids
    ]


def _norm(title: str) -> str:
    return " ".join(title.split()).casefold()


def _period_label(data: Mapping[str, Any], named: Mapping[str, tuple[dt.date, dt.date]]) -> Any:
    if "period" in data:
        period = resolve(data["period"], named)
        return period.label if period else data["period"]
    return f"{data['start']}..{data['end']}" if "start" in data else None


def _already_in_root(
    parsed: Parsed, entries: Sequence[Entry], named: Mapping[str, tuple[dt.date, dt.date]]
) -> list[Finding]:
    existing = {
        (_norm(entry.objective.title), entry.period.label if entry.period else None): entry
        for entry in reversed(entries)
    }
    found = []
    for draft in parsed.objectives:
        label = _period_label(draft.data, named)
        entry = existing.get((_norm(draft.data.get("title", "")), label))
        if entry is not None:
            found.append(
                Finding(
                    parsed.source,
                    draft.line,
                    1,
                    "I201",
                    f"objective {draft.data['title']!r} ({label or 'no period'}) is already in "
                    f"the root as {entry.id} in {entry.path}: remove the row, or the objective",
                )
            )
    return found


def _keep_known_sources(
    items: Sequence[dict[str, Any]], prefix: str, config: Config, notes: list[str]
) -> None:
    """A key result's or KPI's `source:` names a source of the root's itokr.yaml, which
    an export does not carry (URLs, secrets): one this root does not define is left
    out, and said."""
    for item in items:
        name = item.get("source", {}).get("from")
        if name is not None and name not in config.sources:
            del item["source"]
            notes.append(
                f"{prefix}{item['id']}: source {name!r} is not defined in this root's "
                "itokr.yaml: `source:` left out; define it under `sources:`, then add it back"
            )


def _folder(data: Mapping[str, Any]) -> str:
    period = data.get("period")
    if isinstance(period, str):
        plain = "/" not in period and not period.startswith(".") and period.isprintable()
        return period if plain else slug(period) or "period"
    if "start" in data:
        return f"{data['start']}_{data['end']}"
    return "no-period"


def _files(
    parsed: Parsed,
    objectives: Sequence[tuple[DraftObjective, dict[str, Any]]],
    exists: Callable[[str], bool],
    day: dt.date,
) -> list[NewFile]:
    groups: dict[tuple[str, str | None], list[tuple[DraftObjective, dict[str, Any]]]] = {}
    for draft, data in objectives:
        groups.setdefault((_folder(data), data.get("owner")), []).append((draft, data))
    files, used = [], set()
    for (folder, owner), members in groups.items():
        name = slug(owner) if owner else "no-owner"
        path, count = f"{folder}/{name or 'owner'}.yaml", 2
        while path in used or exists(path):
            path, count = f"{folder}/{name or 'owner'}-{count}.yaml", count + 1
        used.add(path)
        files.append(_file(parsed, path, owner, members, day))
    return files


def _file(
    parsed: Parsed,
    path: str,
    owner: str | None,
    members: Sequence[tuple[DraftObjective, dict[str, Any]]],
    day: dt.date,
) -> NewFile:
    first = members[0][1]
    areas = {data.get("area") for _, data in members}
    area = areas.pop() if len(areas) == 1 else None
    top: dict[str, Any] = {}
    if "period" in first:
        period = first["period"]
        top["period"] = int(period) if period.isdigit() and len(period) == 4 else period
    top |= {"owner": owner, "area": area}
    body = []
    for _, data in members:
        trimmed = {key: value for key, value in data.items() if key not in ("period", "owner")}
        if area is not None:
            trimmed.pop("area", None)
        body.append(trimmed)
    top["objectives"] = body
    lines = [line for draft, _ in members for line in draft.lines]
    header = (
        f"Imported by `itokr import` on {day}\n"
        f"from {parsed.source} ({parsed.label}), lines {min(lines)}-{max(lines)}.\n"
        "Review the owners, units and targets, run `itokr validate` and\n"
        "`itokr smart`, then commit."
    )
    text = file_text(
        {key: value for key, value in top.items() if value is not None},
        header,
        [draft.origin for draft, _ in members],
    )
    key_results = [kr for _, data in members for kr in data["key_results"]]
    return NewFile(
        path,
        text,
        len(members),
        len(key_results),
        sum(len(kr.get("checkins", ())) for kr in key_results),
    )


def _kpi_file(
    parsed: Parsed, kpis: Sequence[dict[str, Any]], exists: Callable[[str], bool], day: dt.date
) -> NewFile:
    """Every imported KPI in one `kpis.yaml` at the top of --into (never overwriting)."""
    path, count = "kpis.yaml", 2
    while exists(path):
        path, count = f"kpis-{count}.yaml", count + 1
    lines = [draft.line for draft in parsed.kpis]
    header = (
        f"Imported by `itokr import` on {day}\n"
        f"from {parsed.kpi_source} ({parsed.label}), lines {min(lines)}-{max(lines)}.\n"
        "Review the owners, units and bands, run `itokr validate`, then commit."
    )
    text = file_text({"kpis": list(kpis)}, header)
    readings = sum(len(kpi.get("checkins", ())) for kpi in kpis)
    return NewFile(path, text, 0, 0, readings, kpis=len(kpis))


def check(
    files: Sequence[tuple[str, NewFile]],
    documents: Sequence[Document],
    config: Document | None,
) -> list[Finding]:
    """Findings of the new files (named as given) when loaded with the root's documents
    and its configuration as it will be; the root's own findings are the caller's."""
    new = [Document(shown, item.text.encode("utf-8")) for shown, item in files]
    tree = load_documents([*documents, *new], config)
    names = {shown for shown, _ in files}
    if config is not None:
        names.add(config.path)
    return [finding for finding in tree.findings if finding.path in names]
