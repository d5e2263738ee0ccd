"""The pure comparison behind `itokr diff`: fields, scores and review flags."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from itokr.changes import Change, Diff
from itokr.diffing import compare
from itokr.loader import Tree, load_documents
from itokr.rootfiles import Document

AS_OF = dt.date(2026, 11, 21)
BASE = """\
    period: 2026-Q4
    owner: platform-team
    objectives:
      - id: ops
        title: Run operations well
        key_results:
          - id: latency
            title: Cut p95 latency to 200 ms
            unit: ms
            baseline: 250
            target: 200
            checkins:
              - {date: 2026-10-10, value: 240, confidence: 0.6}
          - id: patched
            title: Keep incidents at most five
            kind: threshold
            direction: at_most
            target: 5
            current: 4
          - id: site
            title: Open the second site
            milestones:
              - {title: Contract signed, done: true}
              - {title: Replication live, done: false}
"""


def _tree(text: str, config: str | None = None) -> Tree:
    document = Document("okrs/a.yaml", textwrap.dedent(text).encode())
    config_document = Document("okrs/itokr.yaml", config.encode()) if config else None
    tree = load_documents([document], config_document)
    assert tree.ok, tree.findings
    return tree


def _diff(new: str, old: str = BASE) -> Diff:
    return compare(_tree(old), _tree(new), AS_OF)


def _change(diff: Diff, ref: str) -> Change:
    return next(change for change in diff.changes if change.ref == ref)


def _flags(change: Change) -> list[tuple[str, bool]]:
    return [(flag.kind, flag.accepted) for flag in change.flags]


def test_identical_trees_have_no_changes() -> None:
    assert _diff(BASE).changes == ()


@pytest.mark.parametrize(
    ("old", "new", "flag"),
    [
        ("target: 200", "target: 220", "eased"),  # a decreasing metric: higher is easier
        ("target: 200", "target: 180", "raised"),
        ("target: 5", "target: 7", "eased"),  # at_most: a higher bound is easier
        ("target: 5", "target: 3", "raised"),
    ],
)
def test_target_moves_are_eased_or_raised_by_direction(old: str, new: str, flag: str) -> None:
    diff = _diff(BASE.replace(old, new))
    ref = "ops/latency" if old == "target: 200" else "ops/patched"
    assert _flags(_change(diff, ref)) == [(flag, False)]


def test_baseline_rewrite_and_weight_are_flagged() -> None:
    new = BASE.replace("baseline: 250", "baseline: 260\n            weight: 2")
    change = _change(_diff(new), "ops/latency")
    assert change.fields == {"baseline": (250, 260), "weight": (1, 2)}
    assert _flags(change) == [("rebaselined", False), ("weight", False)]
    assert change.score == (0.2, 0.33)


def test_checkins_are_summed_up_as_count_current_and_confidence() -> None:
    new = BASE.replace(
        "- {date: 2026-10-10, value: 240, confidence: 0.6}",
        "- {date: 2026-10-10, value: 240, confidence: 0.6}\n"
        "              - {date: 2026-11-10, value: 225, confidence: 0.8}",
    )
    change = _change(_diff(new), "ops/latency")
    assert change.fields == {"current": (240, 225), "confidence": (0.6, 0.8), "checkins": (1, 2)}
    assert change.flags == ()
    assert _change(_diff(new), "ops").score == (0.57, 0.67)


def test_milestones_read_as_a_checklist() -> None:
    new = BASE.replace(
        "{title: Replication live, done: false}", "{title: Replication live, done: true}"
    )
    change = _change(_diff(new), "ops/site")
    assert change.fields == {
        "milestones": (
            ["[x] Contract signed", "[ ] Replication live"],
            ["[x] Contract signed", "[x] Replication live"],
        )
    }
    assert change.score == (0.5, 1.0)


def test_owner_from_the_file_defaults_and_period_changes_are_flagged() -> None:
    new = BASE.replace("owner: platform-team", "owner: sre-team").replace("2026-Q4", "2027-Q1")
    change = _change(_diff(new), "ops")
    assert change.fields == {
        "owner": ("platform-team", "sre-team"),
        "period": ("2026-Q4", "2027-Q1"),
    }
    assert _flags(change) == [("owner", False), ("period", False)]


def test_an_objective_reason_written_by_the_change_accepts_its_flags() -> None:
    new = BASE.replace("owner: platform-team", "owner: sre-team").replace(
        "title: Run operations well", "title: Run operations well\n        reason: team reorganised"
    )
    change = _change(_diff(new), "ops")
    assert _flags(change) == [("owner", True)]
    assert change.fields["reason"] == (None, "team reorganised")


def test_a_key_result_added_mid_period_needs_its_own_reason() -> None:
    extra = """\
          - id: backups
            title: Test every backup monthly
            done: false
"""
    plain = _change(_diff(BASE + extra), "ops/backups")
    assert plain.change == "added" and _flags(plain) == [("added", False)]
    assert plain.fields == {
        "kind": (None, "binary"),
        "title": (None, "Test every backup monthly"),
        "done": (None, False),
    }
    explained = _change(_diff(BASE + extra + "            reason: audit finding\n"), "ops/backups")
    assert _flags(explained) == [("added", True)]


def test_nothing_is_flagged_before_the_period_starts() -> None:
    old = BASE.replace("2026-Q4", "2027-Q1")
    new = old.replace("target: 200", "target: 220")
    diff = compare(_tree(old), _tree(new), AS_OF)
    assert _flags(_change(diff, "ops/latency")) == [("eased", False)]  # a retarget is always told
    removed = old.replace("      - id: site", "      - id: gone").split("      - id: gone")[0]
    diff = compare(_tree(old), _tree(removed), AS_OF)
    assert _change(diff, "ops/site").change == "removed"
    assert _change(diff, "ops/site").flags == ()


def test_a_removed_objective_cannot_be_explained_in_the_files() -> None:
    other = BASE.replace("id: ops", "id: other")
    diff = compare(_tree(BASE), _tree(other), AS_OF)
    assert [(c.ref, c.change) for c in diff.changes] == [("other", "added"), ("ops", "removed")]
    assert _flags(_change(diff, "ops")) == [("removed", False)]
    assert _change(diff, "ops").fields["key_results"] == (["latency", "patched", "site"], None)


def test_unaccepted_filters_by_kind() -> None:
    new = BASE.replace("target: 200", "target: 220").replace("target: 5", "target: 3")
    diff = _diff(new)
    assert [flag.kind for _, flag in diff.unaccepted({"eased"})] == ["eased"]
    assert [flag.kind for _, flag in diff.unaccepted({"eased", "raised"})] == ["eased", "raised"]
    assert diff.unaccepted(set()) == []
