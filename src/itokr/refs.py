"""Refs: `OBJECTIVE_ID` or `OBJECTIVE_ID/KR_ID`, resolved against a loaded root."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from itokr.crosscheck import Entry
from itokr.errors import UsageError
from itokr.model.keyresults import AnyKeyResult


def _unknown(kind: str, name: str, choices: Sequence[str]) -> UsageError:
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UsageError(f"unknown {kind} {name!r}{hint}")


def resolve(entries: Sequence[Entry], ref: str) -> tuple[Entry, AnyKeyResult | None]:
    """The objective (and key result) a ref names; `UsageError` (exit 2) if none."""
    objective_id, _, kr_id = ref.partition("/")
    by_id = {entry.id: entry for entry in reversed(entries)}  # the first one wins
    entry = by_id.get(objective_id)
    if entry is None:
        raise _unknown("objective", objective_id, list(by_id))
    if not kr_id:
        return entry, None
    for key_result in entry.objective.key_results:
        if key_result.id == kr_id:
            return entry, key_result
    refs = [f"{objective_id}/{kr.id}" for kr in entry.objective.key_results]
    raise _unknown("key result", ref, refs)


def unknown_id(name: str, objectives: Sequence[str], kpis: Sequence[str]) -> UsageError:
    """An id that names neither an objective nor a KPI, where either would do."""
    return _unknown("objective or KPI", name, [*dict.fromkeys([*objectives, *kpis])])
