"""The quarter in review: a pure model of everything `itokr report` shows.

Built from scores, SMART reports and (optionally) a diff against the root as it
was when the period started; the renderers in `render/report_*` only format it.
"""

from __future__ import annotations

from itokr.report.model import (
    Burnup,
    CheckinRow,
    Flagged,
    Group,
    Review,
    Section,
    Since,
    build,
    flagged,
    select,
    since_changes,
)

__all__ = [
    "Burnup",
    "CheckinRow",
    "Flagged",
    "Group",
    "Review",
    "Section",
    "Since",
    "build",
    "flagged",
    "select",
    "since_changes",
]
