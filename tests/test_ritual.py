"""Which key results and KPIs the weekly walk asks about (`itokr.ritual.stops`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from itokr.kpis import score_all as score_kpis
from itokr.loader import load_root
from itokr.ritual import stops
from itokr.scoring import score_all

TEAM = """\
period: 2026-Q4
owner: {owner}
objectives:
  - id: {id}
    title: Run a platform nobody has to think about
    key_results:
      - {{id: week-old, title: Checked in a week ago, baseline: 0, target: 10,
          checkins: [{{date: 2026-11-14, value: 3}}]}}
      - {{id: six-days, title: Checked in six days ago, baseline: 0, target: 10,
          checkins: [{{date: 2026-11-15, value: 3}}]}}
      - {{id: never, title: Never checked in, baseline: 0, target: 10}}
      - {{id: met, title: Already there, baseline: 0, target: 10,
          checkins: [{{date: 2026-10-02, value: 10}}]}}
      - id: project
        title: A project with a recent status update
        done: false
        checkins: [{{date: 2026-11-20, note: on plan}}]
      - id: quiet-project
        title: A project nobody spoke of
        milestones: [{{title: One, done: true}}, {{title: Two, done: false}}]
      - {{id: tracking, title: Follows the KPI, baseline: 8, target: 4, kpi: mttr}}
"""
KPIS = """\
kpis:
  - {id: mttr, title: Time to repair, owner: alpha, good: 4, bad: 8, every: 1m,
     checkins: [{date: 2026-09-30, value: 6}]}
  - {id: fresh, title: Read last week, owner: alpha, good: 4, bad: 8, every: 1m,
     checkins: [{date: 2026-11-15, value: 6}]}
  - {id: theirs, title: Another team's, owner: beta, good: 4, bad: 8}
"""


def _stops(root: Path, owner: str, day: dt.date) -> list[str]:
    tree = load_root(root, root)
    assert tree.ok, tree.findings
    scores = score_all(tree.entries, tree.config, day)
    kpis = score_kpis(tree.kpis, tree.entries, tree.config, day)
    return [stop.ref for stop in stops(scores, kpis, owner, day)]


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root(
        {
            "alpha.yaml": TEAM.format(owner="alpha", id="alpha"),
            "beta.yaml": TEAM.format(owner="beta", id="beta"),
            "kpis.yaml": KPIS,
        }
    )


def test_due_is_stale_or_a_week_without_a_checkin(root: Path) -> None:
    assert _stops(root, "alpha", dt.date(2026, 11, 21)) == [
        "alpha/week-old",  # 7 days: no check-in in the last 7 days
        "alpha/never",  # none since the period started, 51 days ago
        "alpha/quiet-project",  # a project without any update counts from the start too
        "mttr",  # stale (due 10-30), owned by alpha; its tracking key result is not asked
    ]


def test_the_first_week_of_a_period_asks_no_key_result(root: Path) -> None:
    # 2026-10-05: every key result is within 7 days of the period start (10-01); the
    # KPI `fresh` has no reading known yet (its one is dated 11-15), so it is stale
    assert _stops(root, "alpha", dt.date(2026, 10, 5)) == ["fresh"]


def test_another_owner_gets_their_own(root: Path) -> None:
    assert _stops(root, "beta", dt.date(2026, 11, 21)) == [
        "beta/week-old",
        "beta/never",
        "beta/quiet-project",
        "theirs",  # no reading yet: stale
    ]


def test_a_finished_period_asks_only_for_kpis(root: Path) -> None:
    # KPIs outlive periods: mttr was due 10-30, fresh 12-15
    assert _stops(root, "alpha", dt.date(2027, 1, 10)) == ["mttr", "fresh"]
