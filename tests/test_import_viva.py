"""`itokr import --from viva`: a Viva Goals explorer-view export becomes files with history."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result
from itokr.loader import load_root
from itokr.model.keyresults import Binary, Metric
from itokr.transfer.viva import _itokr_period
from itokr.transfer.viva_checkins import packed_checkins

SAMPLE = REPO / "examples" / "import" / "viva-goals-export.csv"
COLUMNS = ["Id", "Title", "Team", "Owner", "Period", "Start Date", "End Date", "Description"]
COLUMNS += ["Aligned To (weight, Objective ID)", "Metric Name", "Unit", "Target", "Object Type"]
COLUMNS += ["Goal Type", "Start", "Progress %", "Status", "Checkins"]


def _import(run: Callable[..., Result], root: Path, source: Path, *args: str) -> Result:
    return run("--root", str(root), "import", str(source), *args)


def test_the_sample_export_imports_into_valid_smart_checkable_files_with_history(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    empty = make_root({})
    result = _import(run, empty, SAMPLE, "--into", str(empty / "viva"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "3 objectives, 8 key results, 12 check-ins" in result.stdout
    written = sorted(p.relative_to(empty).as_posix() for p in empty.rglob("*.yaml"))
    assert written == [
        "itokr.yaml",
        "viva/2025-Q1/maria-lopez.yaml",
        "viva/2025-Q1/priya-raman.yaml",
        "viva/FY2025/ana-silva.yaml",
    ]
    text = (empty / "viva/2025-Q1/priya-raman.yaml").read_text()
    assert text.startswith("# Imported by `itokr import` on ")
    assert "viva-goals-export.csv (Viva Goals explorer view), lines 2-6." in text
    assert "# line 2, Viva Goals Id 1001" in text
    assert run("--root", str(empty), "validate").exit_code == 0
    smart = run("--root", str(empty), "smart", "--format", "json")
    assert smart.exit_code == 0
    assert len(json.loads(smart.stdout)["objectives"]) == 3

    entries = {entry.id: entry for entry in load_root(empty, empty).entries}
    platform = entries["run-a-highly-reliable-and-scalable-it-platform"]
    assert platform.objective.type == "committed"
    assert (platform.owner, platform.area) == ("Priya Raman", "Platform")  # the first owner
    assert platform.period is not None and platform.period.name == "2025-Q1"
    uptime, latency, runbook = platform.objective.key_results
    assert isinstance(uptime, Metric) and isinstance(runbook, Binary)
    assert (uptime.unit, uptime.baseline, uptime.target, uptime.weight) == ("%", 99.5, 99.9, 40)
    assert uptime.checkins is not None
    assert [(c.date, c.value, c.note) for c in uptime.checkins] == [
        (dt.date(2025, 1, 13), 99.62, "failover drill passed"),
        (dt.date(2025, 2, 10), 99.58, "one 20-minute outage; root cause fixed"),
        (dt.date(2025, 3, 10), 99.81, "new load balancer live"),  # keys in another order
    ]
    assert isinstance(latency, Metric) and latency.checkins is not None
    assert [c.value for c in latency.checkins] == [246, 231]  # two check-ins in one cell
    assert runbook.done is True and runbook.weight == 20

    desk = entries["raise-it-service-desk-satisfaction"]
    assert desk.owner == "Maria Lopez"  # "Maria Lopez; Sam Ortiz"
    csat = desk.objective.key_results[0]
    assert isinstance(csat, Metric) and csat.unit == "CSAT"  # Unit "Number": the metric's name
    reopened = desk.objective.key_results[2]
    assert reopened.weight == 50  # 100% of a key result weighing 50%

    estate = entries["modernise-the-it-estate-over-fiscal-year-2025"]
    assert estate.period is not None
    assert (estate.period.name, estate.period.start) == ("FY2025", dt.date(2024, 7, 1))
    assert "FY2025: {start: 2024-07-01, end: 2025-06-30}" in result.stdout
    spend = estate.objective.key_results[1]
    assert isinstance(spend, Metric) and (spend.baseline, spend.target) == (120000, 108000)
    assert "line 9: a check-in without a Current Value" in result.stdout  # a status update


def test_packed_checkins_in_any_order_several_a_cell() -> None:
    cell = (
        "Current Value: 25%; Checkin Date: 1/15/2025; Note: a; b; Status: On Track;\n"
        "Checkin Date: 2025-02-01; User: X; Current Value: 30;"
    )
    assert packed_checkins(cell) == [
        {"value": "25%", "date": "1/15/2025", "note": "a; b", "status": "On Track"},
        {"date": "2025-02-01", "user": "X", "value": "30"},
    ]


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("Q1 2025", "2025-Q1"),
        ("2025 Q4", "2025-Q4"),
        ("H2 2025", "2025-H2"),
        ("Annual 2025", "2025"),
        ("2026", "2026"),
        ("FY2025", None),
        ("Sprint 4", None),
    ],
)
def test_viva_period_names(name: str, period: str | None) -> None:
    assert _itokr_period(name) == period


def _objective(viva_id: str, title: str, period: str = "Q1 2025", **more: str) -> dict[str, str]:
    row = {"Id": viva_id, "Title": title, "Team": "Ops", "Owner": "Ann", "Period": period}
    return row | {"Object Type": "Objective"} | more


def _kr(viva_id: str, title: str, parent: str, **more: str) -> dict[str, str]:
    """A key result of 50% of `parent` (`Title(weight: 50%, Id: 1)`), 99 -> 99.9 %."""
    row = {"Id": viva_id, "Title": title, "Team": "Ops", "Owner": "Ann", "Unit": "%"}
    row |= {"Aligned To (weight, Objective ID)": f"x(weight: 50%, Id: {parent})"}
    return row | {"Object Type": "Key result", "Start": "99", "Target": "99.9"} | more


def _sample(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "viva.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_key_result_aligned_to_no_objective_is_listed_and_nothing_is_written(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = _sample(
        tmp_path,
        [
            _objective("1", "Keep the lights on for everyone"),
            _kr("2", "Keep uptime at 99.9%", "99"),
            _kr("3", "Bad number", "1", Target="lots"),
            _objective("4", "Strange thing", **{"Object Type": "Milestone"}),
        ],
    )
    result = _import(run, empty, source)
    assert result.exit_code == 1
    lines = [line.removeprefix(str(source)) for line in result.stdout.splitlines()]
    assert lines == [
        ":2:1: I108 objective 'Keep the lights on for everyone' has no key results: itokr "
        "needs at least one; add one, or leave the row out",
        ":3:9: I106 key result 'Keep uptime at 99.9%' aligns to no objective of this export",
        ":4:12: I102 Target: is not a number: 'lots'",
        ":5:13: I102 Object Type 'Milestone' is none of Objective, Key result, Deliverable",
        "Nothing written: 4 problems in the rows.",
    ]
    assert list(empty.iterdir()) == []


def test_an_unknown_period_without_dates_is_a_finding(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = _sample(
        tmp_path,
        [
            _objective("1", "Keep the lights on for everyone", "Sprint 4"),
            _kr("2", "Keep uptime at 99.9%", "1"),
        ],
    )
    result = _import(run, empty, source)
    assert result.exit_code == 1
    assert ":2:5: I107 period 'Sprint 4' is not YYYY-Qn" in result.stdout


def test_a_period_defined_in_itokr_yaml_is_used_and_a_fiscal_quarter_keeps_its_name(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    (empty / "itokr.yaml").write_text(
        "periods:\n  Sprint 4: {start: 2025-01-06, end: 2025-01-17}\n"
    )
    fiscal = {"Start Date": "7/1/2024", "End Date": "9/30/2024"}
    source = _sample(
        tmp_path,
        [
            _objective("1", "Keep the lights on for everyone", "Sprint 4"),
            _kr("2", "Keep uptime at 99.9%", "1"),
            _objective("3", "Ship the new fiscal quarter plan", **fiscal),
            _kr("4", "Cut cost by 5% this quarter", "3", Start="100", Target="95"),
        ],
    )
    result = _import(run, empty, source)
    assert result.exit_code == 0, result.stdout
    config = (empty / "itokr.yaml").read_text()
    assert config == (
        "periods:\n  Sprint 4: {start: 2025-01-06, end: 2025-01-17}\n"
        "  Q1 2025: {start: 2024-07-01, end: 2024-09-30}\n"  # plain reads back as itself
    )
    periods = {e.id: e.period.name for e in load_root(empty, empty).entries if e.period}
    assert periods == {
        "keep-the-lights-on-for-everyone": "Sprint 4",
        "ship-the-new-fiscal-quarter-plan": "Q1 2025",
    }
    assert "not as 2025-Q1" in result.stdout


def test_alignment_between_objectives_is_kept_and_one_outside_the_export_is_left_out(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    aligned = "Aligned To (weight, Objective ID)"
    source = _sample(
        tmp_path,
        [
            _objective(
                "1",
                "Be the most reliable bank in the region",
                "Annual 2025",
                **{aligned: "x(weight: 100%, Id: 77)"},
            ),
            _objective(
                "2", "Run a highly reliable IT platform", **{aligned: "x(weight: 100%, Id: 1)"}
            ),
            _kr("3", "Keep uptime at 99.9% or better", "2"),
            _kr(
                "4",
                "Grow digital customers from 1.0 to 1.2 million",
                "1",
                Unit="Number",
                Start="1.0",
                Target="1.2",
            ),
        ],
    )
    result = _import(run, empty, source)
    assert result.exit_code == 0, result.stdout
    assert "aligned to Viva Goals Id 77, which is no objective of this export" in result.stdout
    entries = {e.id: e for e in load_root(empty, empty).entries}
    assert entries["run-a-highly-reliable-it-platform"].objective.aligns_to == [
        "be-the-most-reliable-bank-in-the-region"
    ]
    assert run("--root", str(empty), "tree").exit_code == 0


def test_map_changes_what_a_viva_column_fills(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    (empty / "itokr.yaml").write_text("areas: [infrastructure]\n")
    source = _sample(
        tmp_path,
        [_objective("1", "Keep the lights on for everyone"), _kr("2", "Keep uptime at 99.9%", "1")],
    )
    refused = _import(run, empty, source)
    assert refused.exit_code == 1
    assert "E305 area 'Ops' is not one of the configured areas" in refused.stdout
    assert refused.stdout.splitlines()[-1].endswith("in the files it would write.")
    result = _import(run, empty, source, "--map", "Team=owner")
    assert result.exit_code == 0, result.stdout
    entry = load_root(empty, empty).entries[0]
    assert (entry.owner, entry.area) == ("Ops", None)
