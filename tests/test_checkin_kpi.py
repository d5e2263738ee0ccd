"""`itokr checkin KPI_ID VALUE`: one reading in the KPI's file moves every key result
that tracks it; a tracking key result takes no check-in of its own."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, installed_itokr

KPIS = """\
# The operations KPIs.
owner: ops-team
kpis:
  - id: mttr
    title: Mean time to repair a P1 incident   # in hours
    unit: h
    good: 4
    bad: 8
    every: 1m
    checkins:
      - {date: 2026-09-30, value: 9}
      - {date: 2026-10-31, value: 6}

  - id: backlog
    title: Open tickets
    good: 150
    bad: 250
"""
OKRS = """\
period: 2026-Q4
owner: ops-team
objectives:
  - id: faster-repairs
    title: Repair incidents faster than ever
    key_results:
      - {id: mttr-down, title: Cut MTTR from 8 h to 4 h, baseline: 8, target: 4, kpi: mttr}
      - id: mttr-bound
        title: Keep MTTR at or below 5 h
        kind: threshold
        direction: at_most
        target: 5
        kpi: mttr
      - {id: own, title: A key result of its own, baseline: 0, target: 10}
"""


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"kpis.yaml": KPIS, "ops.yaml": OKRS})


def _checkin(run: Callable[..., Result], root: Path, *args: str) -> Result:
    return run("--root", str(root), "checkin", *args, "--as-of", "2026-11-20")


def _scores(run: Callable[..., Result], root: Path) -> dict[str, float]:
    result = run("--root", str(root), "status", "-f", "json", "--as-of", "2026-11-20")
    document = json.loads(result.stdout)
    return {kr["ref"]: kr["score"] for o in document["objectives"] for kr in o["key_results"]}


def test_a_reading_is_one_line_and_moves_every_tracking_key_result(
    run: Callable[..., Result], root: Path
) -> None:
    before = _scores(run, root)
    result = _checkin(run, root, "mttr", "4.5", "--note", "swarming on P1s")
    assert result.exit_code == 0, result.stderr
    assert "recorded 4.5 on 2026-11-20 for the KPI mttr" in result.stdout
    assert "band yellow (was yellow); 2 key results tracking it" in result.stdout
    assert "faster-repairs/mttr-down: score 0.88 (was 0.50)" in result.stdout
    assert (root / "kpis.yaml").read_text() == KPIS.replace(
        "      - {date: 2026-10-31, value: 6}\n",
        "      - {date: 2026-10-31, value: 6}\n"
        "      - {date: 2026-11-20, value: 4.5, note: swarming on P1s}\n",
    )
    assert (root / "ops.yaml").read_text() == OKRS
    after = _scores(run, root)
    assert before["faster-repairs/mttr-down"] == 0.5
    assert after["faster-repairs/mttr-down"] == 0.88
    assert (before["faster-repairs/mttr-bound"], after["faster-repairs/mttr-bound"]) == (0, 1)
    assert after["faster-repairs/own"] == before["faster-repairs/own"]


def test_a_back_dated_reading_goes_where_its_date_belongs(
    run: Callable[..., Result], root: Path
) -> None:
    assert _checkin(run, root, "mttr", "7", "--date", "2026-10-15").exit_code == 0
    lines = (root / "kpis.yaml").read_text().splitlines()
    at = lines.index("      - {date: 2026-09-30, value: 9}")
    assert lines[at + 1 : at + 3] == [
        "      - {date: 2026-10-15, value: 7}",
        "      - {date: 2026-10-31, value: 6}",
    ]


def test_a_kpi_without_readings_gets_its_first(run: Callable[..., Result], root: Path) -> None:
    result = _checkin(run, root, "backlog", "180", "--confidence", "0.6")
    assert result.exit_code == 0, result.stderr
    assert "band yellow (was no data)" in result.stdout
    assert (
        (root / "kpis.yaml")
        .read_text()
        .endswith(
            "    bad: 250\n    checkins:\n      - {date: 2026-11-20, value: 180, confidence: 0.6}\n"
        )
    )


def test_json_reports_the_band_and_the_key_results_moved(
    run: Callable[..., Result], root: Path
) -> None:
    result = _checkin(run, root, "mttr", "3.9", "-f", "json", "--dry-run")
    document = json.loads(result.stdout)
    assert document["action"] == "kpi"
    assert (document["score"], document["band"]) == (None, ["yellow", "green"])
    assert document["moved"] == [
        {"ref": "faster-repairs/mttr-down", "score": [0.5, 1.0]},
        {"ref": "faster-repairs/mttr-bound", "score": [0.0, 1.0]},
    ]
    assert document["written"] is False
    assert "+      - {date: 2026-11-20, value: 3.9}" in document["diff"]
    assert (root / "kpis.yaml").read_text() == KPIS  # a dry run writes nothing


def test_a_key_result_check_in_keeps_its_json_shape(run: Callable[..., Result], root: Path) -> None:
    document = json.loads(_checkin(run, root, "faster-repairs/own", "5", "-f", "json").stdout)
    assert (document["score"], document["band"], document["moved"]) == ([0.0, 0.5], None, [])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("faster-repairs/mttr-down", "5"),
            "faster-repairs/mttr-down tracks the KPI mttr: its values are that KPI's "
            "readings; record one with `itokr checkin mttr VALUE`",
        ),
        (("mtr", "5"), "unknown KPI 'mtr'; did you mean mttr?"),
        (("faster-repairs", "5"), "'faster-repairs' is an objective: name one of its key results"),
        (("mttr",), "mttr is a KPI: give the VALUE read"),
        (("mttr", "--done"), "--milestone and --done mark a key result"),
        (("mttr", "fast"), "VALUE 'fast' is not a number"),
        (("mttr", "5", "--confidence", "2"), "--confidence 2: must be between 0 and 1"),
        (("mttr", "5", "--date", "2026-11-21"), "is after 2026-11-20"),
    ],
)
def test_misuse_exits_2_and_writes_nothing(
    run: Callable[..., Result], root: Path, args: tuple[str, ...], said: str
) -> None:
    result = _checkin(run, root, *args)
    assert result.exit_code == 2
    assert said in result.stderr
    assert (root / "kpis.yaml").read_text() == KPIS
    assert (root / "ops.yaml").read_text() == OKRS


def test_refuses_while_the_root_is_invalid(
    run: Callable[..., Result], root: Path, make_root: Callable[..., Path]
) -> None:
    make_root({"broken.yaml": "kpis:\n  - {id: x, title: X, good: 1, bad: 1}\n"})
    result = _checkin(run, root, "mttr", "5")
    assert result.exit_code == 1
    assert "refusing to write while the OKR root has 1 problem" in result.stderr
    assert (root / "kpis.yaml").read_text() == KPIS


def test_the_installed_command_names_the_kpi_to_check_in(root: Path) -> None:
    done = subprocess.run(
        [installed_itokr(), "--root", str(root), "checkin", "faster-repairs/mttr-bound", "4"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "itokr checkin mttr VALUE" in done.stderr
