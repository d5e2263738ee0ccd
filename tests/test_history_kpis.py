"""`itokr history KPI_ID`, and the history of a key result that tracks a KPI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from gitrepo import own_repository  # noqa: F401 (autouse: each test its own repository)
from test_history import DatedRepo

Run = Callable[..., Result]
KPIS = "okrs/kpis.yaml"
OPS = "okrs/2026-Q4/ops.yaml"


def kpis(good: int, *readings: str) -> str:
    text = (
        "owner: ops-team\nkpis:\n  - id: mttr\n    title: Mean time to repair\n    unit: h\n"
        f"    good: {good}\n    bad: 8\n    every: 1m\n"
    )
    if readings:
        text += "    checkins:\n" + "".join(f"      - {r}\n" for r in readings)
    return text


OKRS = """\
    period: 2026-Q4
    owner: ops-team
    objectives:
      - id: repairs
        title: Repair incidents faster
        key_results:
          - {id: mttr-down, title: Cut MTTR from 8 h to 4 h, baseline: 8, target: 4, kpi: mttr}
"""
SEPT = "{date: 2026-09-30, value: 7}"
OCT = "{date: 2026-10-31, value: 5, note: runbooks}"
NOV = "{date: 2026-11-20, value: 4.5}"


@pytest.fixture
def repo(tmp_path: Path) -> DatedRepo:
    """The KPI with one reading; a reading and the key result; good eased to 5 on the
    day of a reading; and the November reading, committed late, on 12-05."""
    repo = DatedRepo(tmp_path / "repo")
    repo.write(KPIS, kpis(4, SEPT))
    repo.commit_on("2026-10-01", "MTTR as a KPI")
    repo.write(KPIS, kpis(4, SEPT, OCT))
    repo.write(OPS, OKRS)
    repo.commit_on("2026-10-31", "October reading; an objective moves it")
    repo.write(KPIS, kpis(5, SEPT, OCT))
    repo.commit_on("2026-11-10", "good is 5 h now")
    repo.write(KPIS, kpis(5, SEPT, OCT, NOV))
    repo.commit_on("2026-12-05", "November reading, late")
    return repo


def _json(run: Run, repo: DatedRepo, ref: str, as_of: str = "2026-12-31") -> dict[str, Any]:
    result = run("history", ref, "-f", "json", "--as-of", as_of, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_one_reading_per_date_banded_by_the_kpi_as_it_stood(run: Run, repo: DatedRepo) -> None:
    document = _json(run, repo, "mttr")
    assert (document["ref"], document["kind"], document["unit"], document["git"]) == (
        "mttr",
        "kpi",
        "h",
        True,
    )
    rows = [
        (p["date"], p["plan_changed"], p["value"], p["good"], p["band"], p["stale"])
        for p in document["points"]
    ]
    # readings fall on the dates of readings and of changes of good, bad or every; the
    # commits of 10-31 and 12-05 only added readings: no change of plan, no row of their own
    assert rows == [
        ("2026-09-30", False, 7, 4, "yellow", False),  # before the first commit: its plan
        ("2026-10-01", True, 7, 4, "yellow", False),
        ("2026-10-31", False, 5, 4, "yellow", False),
        ("2026-11-10", True, 5, 5, "green", False),  # good eased: the same 5 h is green
        ("2026-11-20", False, 4.5, 5, "green", False),  # committed later, counted on its day
    ]
    first, october = document["points"][0], document["points"][2]
    assert (first["commit"], first["subject"]) == (None, None)  # nothing committed yet
    assert october["checkins"] == [{"value": 5, "confidence": None, "note": "runbooks", "by": None}]
    assert october["subject"] == "October reading; an objective moves it"  # in force that day
    assert list(october) == [
        "date",
        "commit",
        "subject",
        "plan_changed",
        "checkins",
        "value",
        "good",
        "bad",
        "band",
        "stale",
    ]


def test_as_of_ends_the_timeline_and_staleness_is_per_date(run: Run, repo: DatedRepo) -> None:
    points = _json(run, repo, "mttr", as_of="2026-11-15")["points"]
    assert [p["date"] for p in points] == ["2026-09-30", "2026-10-01", "2026-10-31", "2026-11-10"]
    repo.write(KPIS, kpis(5, SEPT).replace("every: 1m", "every: 2m"))
    repo.commit_on("2026-12-10", "drop the later readings, read every two months")
    points = _json(run, repo, "mttr")["points"]
    # only today's readings are measurements: 7 h of 09-30 is the value on every date,
    # stale a month on (every: 1m then), and no longer stale once every is 2m
    assert [(p["date"], p["value"], p["stale"]) for p in points] == [
        ("2026-09-30", 7, False),
        ("2026-10-01", 7, False),
        ("2026-11-10", 7, True),
        ("2026-12-10", 7, True),
    ]


def test_a_tracking_key_result_has_values_at_its_commits(run: Run, repo: DatedRepo) -> None:
    points = _json(run, repo, "repairs/mttr-down")["points"]
    assert all(p["value"] is not None for p in points)
    # the objective's file came with the October reading; a KPI reading is a check-in
    # of the key result on its own date, whenever it was committed
    assert [(p["date"], p["plan_changed"], p["value"], p["score"]) for p in points] == [
        ("2026-09-30", False, 7, 0.25),  # before the file's first commit: that commit's plan
        ("2026-10-31", True, 5, 0.75),
        ("2026-11-20", False, 4.5, 0.88),
    ]


def test_a_tracking_key_result_takes_every_from_the_kpi_file_of_that_day(
    run: Run, repo: DatedRepo
) -> None:
    """Its KPI's `every` is part of its plan: read from the KPI's file at the commit in
    force, as its targets are from its own file's."""
    repo.write(KPIS, kpis(5, SEPT, OCT, NOV).replace("every: 1m", "every: 1w"))
    repo.commit_on("2026-12-01", "MTTR read weekly")
    points = _json(run, repo, "repairs/mttr-down")["points"]
    rows = [(p["date"], p["plan_changed"], p["subject"], p["value"]) for p in points]
    # the eased good of 11-10 bands the KPI, not the key result: no change of its plan;
    # the weekly rhythm (when it is stale) is one
    assert rows == [
        ("2026-09-30", False, None, 7),
        ("2026-10-31", True, "October reading; an objective moves it", 5),
        ("2026-11-20", False, "good is 5 h now", 4.5),
        ("2026-12-01", True, "MTTR read weekly", 4.5),
    ]


def test_text_and_outside_git(run: Run, repo: DatedRepo, make_root: Callable[..., Path]) -> None:
    text = run("history", "mttr", "--as-of", "2026-12-31", cwd=repo.path).stdout
    assert text.startswith("History of the KPI mttr — Mean time to repair")
    assert "7 h (2026-09-30) → 4.5 h (2026-11-20), 5 readings" in text
    assert "reading 5 (runbooks)" in text
    root = make_root({"kpis.yaml": kpis(4, SEPT, OCT)})
    outside = run("--root", str(root), "history", "mttr", "-f", "json", "--as-of", "2026-12-31")
    assert outside.exit_code == 0
    assert "showing readings only" in outside.stderr
    document = json.loads(outside.stdout)
    assert document["git"] is False
    assert [p["date"] for p in document["points"]] == ["2026-09-30", "2026-10-31"]


def test_an_unknown_id_names_the_objectives_and_kpis_it_could_be(run: Run, repo: DatedRepo) -> None:
    result = run("history", "mtr", cwd=repo.path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "itokr: unknown objective or KPI 'mtr'; did you mean mttr?\n"


@pytest.mark.parametrize("ref", ["mttr", "repairs/mttr-down"])
def test_git_is_asked_a_fixed_number_of_times_however_long_the_history(
    run: Run, repo: DatedRepo, monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    """One streamed log per file (the objective's, the configuration's, each tracked
    KPI's) and one batch of blobs: no git process per commit. (A followed file's patch
    log comes after a short `--raw` log and the object headers, so that no version over
    the size limit reaches git's diff: a fixed two more per followed file.)"""
    calls: list[list[str]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def counted_run(command: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(command)
        return real_run(command, *args, **kwargs)

    def counted_popen(command: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(command)
        return real_popen(command, *args, **kwargs)

    def count() -> int:
        calls.clear()
        with monkeypatch.context() as patched:
            patched.setattr(subprocess, "run", counted_run)  # as gitio calls it
            patched.setattr(subprocess, "Popen", counted_popen)
            _json(run, repo, ref)
        return len(calls)

    few = count()
    readings = [SEPT, OCT, NOV]
    for month in range(1, 10):  # nine more readings, each its own commit
        readings.append(f"{{date: 2027-0{month}-28, value: 4}}")
        repo.write(KPIS, kpis(5, *readings))
        repo.commit_on(f"2027-0{month}-28", f"reading {month}")
    assert count() == few <= 20, calls
