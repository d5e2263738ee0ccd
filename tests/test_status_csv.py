"""`itokr status --format csv`: a row per key result that reads back as the JSON says."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import EXAMPLES, Result, installed_itokr
from itokr.render.status_csv import HEADER

IT = str(EXAMPLES / "it-department")
NUMBERS = ("baseline", "target", "current", "progress", "score", "forecast", "confidence")


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def test_csv_rows_match_status_json(run: Callable[..., Result]) -> None:
    args = ("--root", IT, "status", "--as-of", "2026-11-21")
    table = run(*args, "--format", "csv")
    assert table.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    document = json.loads(run(*args, "--format", "json").stdout)
    expected = [(o, kr) for o in document["objectives"] for kr in o["key_results"]]
    assert len(rows) == len(expected) > 0
    for row, (objective, kr) in zip(rows, expected, strict=True):
        assert list(row) == HEADER
        assert row["objective_id"] == objective["id"] and row["ref"] == kr["ref"]
        assert row["owner"] == (objective["owner"] or "")
        assert _number(row["objective_score"]) == objective["score"]
        assert _number(row["expected"]) == objective["expected"]
        assert row["objective_health"] == (objective["health"] or "")
        for key in NUMBERS:
            assert _number(row[key]) == kr[key], (kr["ref"], key)
        assert row["stale"] == ("true" if kr["stale"] else "false")
        assert row["last_checkin"] == (kr["last_checkin"] or "")
        assert row["kr_title"] == kr["title"]
    rto = next(row for row in rows if row["ref"] == "disaster-recovery/rto")
    assert rto["stale"] == "true"


def test_csv_quotes_commas_and_formulas_and_filters(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "a.yaml": """\
            period: 2026-Q4
            owner: "=cmd|' /C calc'!A0"
            objectives:
              - id: quoted
                title: Cut costs, "fast", and well
                key_results:
                  - id: cost
                    title: "Cut cost from 10 to 5, by year end"
                    unit: " =1+1"
                    baseline: 10
                    target: 5
                    current: 8
            """
        }
    )
    result = run("--root", str(root), "status", "--as-of", "2026-11-21", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    assert rows[0]["objective_title"] == 'Cut costs, "fast", and well'
    assert rows[0]["kr_title"] == "Cut cost from 10 to 5, by year end"
    assert rows[0]["owner"] == "'=cmd|' /C calc'!A0"  # no formula for a spreadsheet to run
    assert rows[0]["progress"] == "0.4"
    assert rows[0]["unit"] == "' =1+1"  # a blank first does not hide a formula
    empty = run(
        "--root", str(root), "status", "--as-of", "2026-11-21", "-f", "csv", "--health", "red"
    )
    assert empty.stdout.splitlines() == [",".join(HEADER)]  # nothing matches: the header alone


def test_csv_through_the_installed_entry_point() -> None:
    done = subprocess.run(
        [installed_itokr(), "--root", IT, "status", "--as-of", "2026-11-21", "-f", "csv"],
        capture_output=True,
        text=True,
        check=False,
        env={"FORCE_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "\x1b[" not in done.stdout
    assert done.stdout.startswith("objective_id,objective_title,owner,")


def test_csv_objectives_only(run: Callable[..., Result]) -> None:
    args = ("--root", IT, "status", "--as-of", "2026-11-21", "--objectives")
    rows = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    document = json.loads(run(*args, "-f", "json").stdout)
    assert [row["objective_id"] for row in rows] == [o["id"] for o in document["objectives"]]
    assert all(row["ref"] == "" and row["score"] == "" for row in rows)
