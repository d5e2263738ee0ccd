"""`itokr status --format csv`: one row per key result, for spreadsheets.

Built from the same plain dicts as the JSON, so the numbers match it exactly.
An objective's columns repeat on each of its key results' rows: a spreadsheet
filter or pivot table then needs no lookups.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from itokr.render.plain import key_result_dict, objective_dict
from itokr.scoring import ObjectiveScore
from itokr.transfer.cells import formula_like

OBJECTIVE_COLUMNS = {  # csv column: key of the objective's dict
    "objective_id": "id",
    "objective_title": "title",
    "owner": "owner",
    "area": "area",
    "period": "period",
    "objective_score": "score",
    "expected": "expected",
    "objective_health": "health",
}
KEY_RESULT_COLUMNS = {
    "ref": "ref",
    "kr_title": "title",
    "kind": "kind",
    "baseline": "baseline",
    "target": "target",
    "current": "current",
    "unit": "unit",
    "progress": "progress",
    "score": "score",
    "health": "health",
    "stale": "stale",
    "forecast": "forecast",
    "confidence": "confidence",
    "last_checkin": "last_checkin",
    "measured_by": "measured_by",
}
HEADER = [*OBJECTIVE_COLUMNS, *KEY_RESULT_COLUMNS]


def csv_cell(value: Any) -> Any:
    """None as an empty cell, booleans as spreadsheets write them, and text that a
    spreadsheet would take for a formula (CSV injection) quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def as_csv(scores: Sequence[ObjectiveScore], *, key_results: bool = True) -> str:
    """A header and one row per key result (RFC 4180 quoting, `\\r\\n` line ends);
    without `key_results`, one row per objective with the key-result columns empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for score in scores:
        objective = objective_dict(score, key_results=False)
        head = [csv_cell(objective[key]) for key in OBJECTIVE_COLUMNS.values()]
        if not key_results:
            writer.writerow(head + [""] * len(KEY_RESULT_COLUMNS))
            continue
        for result in score.key_results:
            kr = key_result_dict(result)
            writer.writerow(head + [csv_cell(kr[key]) for key in KEY_RESULT_COLUMNS.values()])
    return out.getvalue()
