"""Status updates: check-ins without a value on milestone and binary key results (SPEC §7).

They carry a confidence and a note; every view that shows a key result's confidence,
last check-in and check-in notes shows theirs, cut at `--as-of` like any check-in.
With `checkins.stale_projects: true` such key results go stale like metrics.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result

PROJECTS = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: second-site
    title: Run the platform from two data centres
    key_results:
      - id: build
        title: Build the second data centre
        milestones:
          - {title: Site contract signed, done: true}
          - {title: Replication live, done: false}
        checkins:
          - {date: 2026-10-05, confidence: 0.6, note: contract signed}
          - {date: 2026-10-19, note: replication tested on staging}
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
        checkins: [{date: 2026-10-12, confidence: 0.2, note: first draft}]
      - id: latency
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins: [{date: 2026-11-20, value: 230}]
"""


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"projects.yaml": PROJECTS})


def _status(run: Callable[..., Result], root: Path, *args: str) -> dict[str, Any]:
    result = run("--root", str(root), "status", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _krs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kr["ref"]: kr for o in document["objectives"] for kr in o["key_results"]}


def test_status_shows_a_status_updates_confidence_and_date(
    run: Callable[..., Result], root: Path
) -> None:
    krs = _krs(_status(run, root, "--as-of", "2026-11-21"))
    build = krs["second-site/build"]
    # the newest update states no confidence: the newest that states one counts
    assert (build["confidence"], build["last_checkin"]) == (0.6, "2026-10-19")
    assert (
        krs["second-site/runbook"]["confidence"],
        krs["second-site/runbook"]["last_checkin"],
    ) == (
        0.2,
        "2026-10-12",
    )


def test_status_updates_after_as_of_do_not_exist_yet(
    run: Callable[..., Result], root: Path
) -> None:
    krs = _krs(_status(run, root, "--as-of", "2026-10-10"))
    assert (krs["second-site/build"]["confidence"], krs["second-site/build"]["last_checkin"]) == (
        0.6,
        "2026-10-05",
    )
    assert krs["second-site/runbook"]["confidence"] is None
    assert krs["second-site/runbook"]["last_checkin"] is None


def test_objective_confidence_is_the_newest_stated_of_any_kind(
    run: Callable[..., Result], root: Path
) -> None:
    objective = _status(run, root, "--as-of", "2026-11-21")["objectives"][0]
    # 2026-10-12 (runbook, 0.2) is the newest stated; the latency check-in states none
    assert objective["confidence"] == 0.2
    assert objective["last_checkin"] == "2026-11-20"


def test_projects_are_never_stale_by_default(run: Callable[..., Result], root: Path) -> None:
    krs = _krs(_status(run, root, "--as-of", "2026-11-21"))
    assert krs["second-site/build"]["stale"] is False
    assert krs["second-site/runbook"]["stale"] is False


def test_stale_projects_makes_them_stale_like_metrics(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {"itokr.yaml": "checkins: {stale_projects: true}\n", "projects.yaml": PROJECTS}
    )
    # 2026-11-02: build's newest update is 14 days old (not yet stale), runbook's 21
    krs = _krs(_status(run, root, "--as-of", "2026-11-02"))
    assert krs["second-site/build"]["stale"] is False
    assert krs["second-site/runbook"]["stale"] is True
    assert _krs(_status(run, root, "--as-of", "2026-11-03"))["second-site/build"]["stale"] is True


def test_a_done_project_is_never_stale(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "itokr.yaml": "checkins: {stale_projects: true}\n",
            "projects.yaml": PROJECTS.replace(
                "done: false\n        checkins", "done: true\n        checkins"
            ),
        }
    )
    assert (
        _krs(_status(run, root, "--as-of", "2026-12-01"))["second-site/runbook"]["stale"] is False
    )


def test_due_lists_projects_only_with_stale_projects(
    run: Callable[..., Result], make_root: Callable[..., Path], root: Path
) -> None:
    def owed(at: Path) -> set[str]:
        result = run("--root", str(at), "due", "--as-of", "2026-11-21", "--format", "json")
        assert result.exit_code == 0, result.stderr
        return {kr["ref"] for o in json.loads(result.stdout)["owners"] for kr in o["key_results"]}

    assert owed(root) == set()
    config = {"itokr.yaml": "checkins: {stale_projects: true}\n", "projects.yaml": PROJECTS}
    assert owed(make_root(config)) == {"second-site/build", "second-site/runbook"}


def test_score_explains_a_status_update(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "score", "second-site/runbook", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.stderr
    assert "0.20" in result.stdout  # its confidence
    assert "2026-10-12" in result.stdout
    assert "stale_projects" in result.stdout  # why it is never stale, and how to change that


def test_report_lists_status_updates_with_their_notes(
    run: Callable[..., Result], root: Path
) -> None:
    result = run("--root", str(root), "report", "--period", "2026-Q4", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 2026-")]
    assert "| 2026-10-19 | `second-site/build` | — |  | replication tested on staging |" in rows
    assert "| 2026-10-12 | `second-site/runbook` | — | 0.20 | first draft |" in rows


def test_smart_counts_a_status_updates_confidence(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "smart", "--format", "json", "--as-of", "2026-11-01")
    reasons = json.loads(result.stdout)["objectives"][0]["reasons"]
    # on 2026-11-01 the newest stated confidence is runbook's 0.2, below min_confidence
    assert any("0.2" in reason and "runbook" in reason for reason in reasons), reasons


def test_history_shows_the_status_updates_of_the_day(
    run: Callable[..., Result], root: Path
) -> None:
    result = run(
        "--root",
        str(root),
        "history",
        "second-site/build",
        "--format",
        "json",
        "--as-of",
        "2026-11-21",
    )
    assert result.exit_code == 0, result.stderr
    points = {p["date"]: p for p in json.loads(result.stdout)["points"]}
    assert points["2026-10-19"]["checkins"] == [
        {
            "ref": "second-site/build",
            "value": None,
            "confidence": None,
            "note": "replication tested on staging",
            "by": None,
        }
    ]
    assert points["2026-10-05"]["checkins"][0]["confidence"] == 0.6


def _import(run: Callable[..., Result], target: Path, sheet: Path, checkins: Path) -> Result:
    """`itokr import SHEET --checkins CHECKINS --from itokr` into a new root `target`."""
    target.mkdir()
    args = ("import", str(sheet), "--checkins", str(checkins), "--from", "itokr")
    return run("--root", str(target), *args)


def test_export_then_import_keeps_status_updates(
    run: Callable[..., Result], root: Path, tmp_path: Path
) -> None:
    """SPEC §8's round trip holds for status updates: a row each, the value left empty."""
    sheet, checkins = tmp_path / "okrs.csv", tmp_path / "checkins.csv"
    exported = run(
        "--root",
        str(root),
        "export",
        "-o",
        str(sheet),
        "--checkins",
        str(checkins),
        "--as-of",
        "2026-11-21",
    )
    assert exported.exit_code == 0, exported.stderr
    rows = checkins.read_text(encoding="utf-8-sig").splitlines()
    assert "second-site/runbook,,2026-10-12,0.2,first draft," in rows
    target = tmp_path / "new"
    imported = _import(run, target, sheet, checkins)
    assert imported.exit_code == 0, imported.stderr
    before = _krs(_status(run, root, "--as-of", "2026-11-21"))
    after = _krs(_status(run, target, "--as-of", "2026-11-21"))
    for ref in ("second-site/build", "second-site/runbook"):
        assert (after[ref]["confidence"], after[ref]["last_checkin"]) == (
            before[ref]["confidence"],
            before[ref]["last_checkin"],
        )


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("second-site/build,3,2026-10-20,,", "I102"),  # a milestone's check-in has no value
        ("second-site/latency,,2026-11-20,0.5,", "I101"),  # a metric's needs one
    ],
)
def test_import_refuses_a_checkin_that_does_not_fit_its_kind(
    run: Callable[..., Result], root: Path, tmp_path: Path, row: str, code: str
) -> None:
    sheet, checkins = tmp_path / "okrs.csv", tmp_path / "checkins.csv"
    run("--root", str(root), "export", "-o", str(sheet), "--checkins", str(checkins))
    checkins.write_text(checkins.read_text(encoding="utf-8-sig") + row + "\n", encoding="utf-8")
    target = tmp_path / "new"
    result = _import(run, target, sheet, checkins)
    assert result.exit_code == 1
    assert f" {code} key result" in result.stdout  # import lists the rows it cannot map
    assert not any(target.iterdir())
