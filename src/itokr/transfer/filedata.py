"""The drafts of `itokr import` as the data of the files it writes: every objective
and key result given an id unique where it must be, what each kind needs asked for,
check-ins in date order, keys in the order a person writes them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from itokr.findings import Finding
from itokr.model.fields import SLUG_PATTERN
from itokr.transfer.cells import slug
from itokr.transfer.drafts import DraftKpi, DraftKR, DraftObjective

# The order of keys in the files written, as a person would write them.
KR_ORDER: tuple[str, ...] = (
    *("id", "title", "kind", "direction", "unit", "baseline", "target", "current"),
    *("weight", "due", "done", "milestones", "reason", "source", "kpi", "checkins"),
)


KPI_ORDER: tuple[str, ...] = (
    *("id", "title", "description", "owner", "area", "unit", "good", "bad", "every"),
    *("source", "reason", "checkins"),
)


OBJECTIVE_ORDER: tuple[str, ...] = (
    *("id", "title", "description", "type", "owner", "area", "period", "start", "end"),
    *("aligns_to", "reason", "key_results"),
)


_NEEDS = {
    "metric": ("baseline", "target"),
    "threshold": ("target", "direction"),
    "milestone": ("milestones",),
    "binary": ("done",),
}


_SLUG = SLUG_PATTERN.strip("^$")


def _unique(wanted: str, taken: set[str], fallback: str) -> str:
    base = wanted or fallback
    new, count = base, 2
    while new in taken:
        new, count = f"{base}-{count}", count + 1
    taken.add(new)
    return new


def objective_ids(
    drafts: Sequence[DraftObjective], root_ids: set[str], notes: list[str]
) -> dict[int, str]:
    """An id per draft (by position): its own when it is a free slug, else the slug of
    its title, suffixed until unique in the root and the import."""
    taken = set(root_ids)
    ids: dict[int, str] = {}
    for index, draft in enumerate(drafts):
        own = draft.data.get("id")
        wanted = own if isinstance(own, str) and _is_slug(own) else slug(draft.data["title"])
        ids[index] = _unique(wanted, taken, "objective")
        if own and ids[index] != own:
            why = "is taken" if own == wanted else "is no id (lower case, digits and -)"
            notes.append(f"line {draft.line}: objective id {own!r} {why}: now {ids[index]}")
    return ids


def _is_slug(text: str) -> bool:
    return re.fullmatch(_SLUG, text) is not None


def objective_data(
    draft: DraftObjective,
    new_id: str,
    known: Mapping[str, str],
    source: str,
    findings: list[Finding],
) -> dict[str, Any] | None:
    """The objective as file data, its key results checked; None with findings.
    `known` maps what a row may name as a parent to the parent's id."""
    data = dict(draft.data, id=new_id)
    if data.get("type") == "aspirational":
        del data["type"]  # the default
    parents = []
    for parent in draft.parents:
        if parent in known:
            parents.append(known[parent])
        else:
            findings.append(
                Finding(
                    source,
                    draft.line,
                    1,
                    "I106",
                    f"objective {draft.data['title']!r} aligns to {parent!r}, which is neither "
                    "in this file nor in the root",
                )
            )
    if parents:
        data["aligns_to"] = list(dict.fromkeys(parents))
    if not draft.key_results:
        findings.append(
            Finding(
                source,
                draft.line,
                1,
                "I108",
                f"objective {draft.data['title']!r} has no key results: itokr needs at least "
                "one; add one, or leave the row out",
            )
        )
        return None
    taken: set[str] = set()
    results = [_key_result_data(kr, taken, source, findings) for kr in draft.key_results]
    data["key_results"] = results
    return _ordered(data, OBJECTIVE_ORDER)


def _key_result_data(
    draft: DraftKR, taken: set[str], source: str, findings: list[Finding]
) -> dict[str, Any]:
    data = {key: value for key, value in draft.data.items() if value is not None}
    own = data.get("id")
    wanted = own if isinstance(own, str) and _is_slug(own) else slug(data.get("title", ""))
    data["id"] = _unique(wanted, taken, "key-result")
    kind = data.get("kind") or (
        "milestone"
        if "milestones" in data
        else "binary"
        if "done" in data
        else "threshold"
        if "direction" in data
        else "metric"
    )
    missing = [key for key in ("title", *_NEEDS[kind]) if key not in data]
    what = f"key result {data.get('title', data['id'])!r} is a {kind} without"
    findings += _unfilled(source, draft.line, what, missing)
    if "kpi" in data:
        data.pop("current", None)  # the KPI's newest reading, as exported: not its own
    projects = kind in ("milestone", "binary")  # their check-ins are status updates
    misfit = next((line for line, c in draft.checkins if ("value" in c) == projects), None)
    if misfit is not None:
        why = (
            f"is a {kind}: its check-ins are status updates, without a value"
            if projects
            else f"is a {kind}: each check-in needs its value"
        )
        findings.append(
            Finding(
                source,
                misfit,
                1,
                "I102" if projects else "I101",
                f"key result {data.get('title')!r} {why}",
            )
        )
    elif draft.checkins:
        data.pop("current", None)  # the newest check-in is the current value
        data["checkins"] = [c for _, c in sorted(draft.checkins, key=lambda c: c[1]["date"])]
    if kind == "threshold":
        data["kind"] = "threshold"  # the only kind a file must name
    else:
        data.pop("kind", None)
    if data.get("weight") == 1:
        data.pop("weight")
    return _ordered(data, KR_ORDER)


def _ordered(data: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    return {key: data[key] for key in order if data.get(key) is not None}


def _unfilled(source: str, line: int, what: str, missing: Sequence[str]) -> list[Finding]:
    """An I101 finding naming the `missing` keys, or none."""
    if not missing:
        return []
    fill = "them" if len(missing) > 1 else "it"
    message = f"{what} {' and '.join(missing)}: fill {fill} in"
    return [Finding(source, line, 1, "I101", message)]


def kpi_data(draft: DraftKpi, source: str, findings: list[Finding]) -> dict[str, Any]:
    data = dict(draft.data)
    missing = [key for key in ("id", "title", "good", "bad") if key not in data]
    findings += _unfilled(
        source, draft.line, f"KPI {data.get('id') or data.get('title')} has no", missing
    )
    if draft.checkins:
        data["checkins"] = [c for _, c in sorted(draft.checkins, key=lambda c: c[1]["date"])]
    return _ordered(data, KPI_ORDER)
