"""`itokr kpis`, and KPIs seen by `status` and `checkin` through the tracking rule."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Result, installed_itokr

IT = str(EXAMPLES / "it-department")

KPIS = """\
owner: ops-team
area: operations
kpis:
  - id: mttr
    title: Mean time to repair a P1 incident
    unit: h
    good: 4
    bad: 8
    every: 1m
    checkins:
      - {date: 2026-09-30, value: 9}
      - {date: 2026-10-31, value: 6}
      - {date: 2026-11-30, value: 3.5}
  - id: on-time
    title: Projects delivered on time
    owner: pmo
    area: governance
    unit: "%"
    good: 85
    bad: 70
    every: 1q
"""
OKRS = """\
period: 2026-Q4
owner: ops-team
area: operations
objectives:
  - id: faster-repairs
    title: Repair incidents faster than ever
    key_results:
      - id: mttr-down
        title: Cut MTTR from 8 h to 4 h
        unit: h
        baseline: 8
        target: 4
        kpi: mttr
      - id: mttr-bound
        title: Keep MTTR at or below 5 h
        kind: threshold
        direction: at_most
        target: 5
        kpi: mttr
"""
SPEC_KEYS = [
    "id",
    "title",
    "unit",
    "owner",
    "area",
    "good",
    "bad",
    "value",
    "band",
    "stale",
    "last_checkin",
    "key_results",
]


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"kpis.yaml": KPIS, "2026-Q4/ops.yaml": OKRS})


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _kpis(run: Callable[..., Result], root: Path, *args: str) -> dict[str, Any]:
    document = _json(run("--root", str(root), "kpis", "--format", "json", *args))
    return {kpi["id"]: kpi for kpi in document["kpis"]}


def _krs(run: Callable[..., Result], root: Path, day: str) -> dict[str, Any]:
    document = _json(run("--root", str(root), "status", "-f", "json", "--as-of", day))
    return {kr["ref"]: kr for o in document["objectives"] for kr in o["key_results"]}


def test_json_has_the_spec_shape_exactly(run: Callable[..., Result], root: Path) -> None:
    document = _json(run("--root", str(root), "kpis", "-f", "json", "--as-of", "2026-11-15"))
    assert list(document) == ["as_of", "kpis"]
    assert document["as_of"] == "2026-11-15"
    mttr, on_time = document["kpis"]
    assert list(mttr) == SPEC_KEYS
    assert mttr == {
        "id": "mttr",
        "title": "Mean time to repair a P1 incident",
        "unit": "h",
        "owner": "ops-team",
        "area": "operations",
        "good": 4,
        "bad": 8,
        "value": 6,
        "band": "yellow",
        "stale": False,
        "last_checkin": "2026-10-31",
        "key_results": ["faster-repairs/mttr-down", "faster-repairs/mttr-bound"],
    }
    assert on_time | {"key_results": None} == {
        "id": "on-time",
        "title": "Projects delivered on time",
        "unit": "%",
        "owner": "pmo",
        "area": "governance",
        "good": 85,
        "bad": 70,
        "value": None,
        "band": None,
        "stale": True,
        "last_checkin": None,
        "key_results": None,
    }


def test_a_kpi_reading_after_the_day_counts_neither_for_the_kpi_nor_its_key_results(
    run: Callable[..., Result], root: Path
) -> None:
    assert _kpis(run, root, "--as-of", "2026-11-29")["mttr"]["value"] == 6
    krs = _krs(run, root, "2026-11-29")
    down = krs["faster-repairs/mttr-down"]
    assert (down["current"], down["score"], down["last_checkin"]) == (6, 0.5, "2026-10-31")
    assert krs["faster-repairs/mttr-bound"]["score"] == 0.0
    after = _krs(run, root, "2026-11-30")
    assert after["faster-repairs/mttr-down"]["current"] == 3.5
    assert after["faster-repairs/mttr-down"]["score"] == 1.0
    assert after["faster-repairs/mttr-bound"]["score"] == 1.0
    assert _kpis(run, root, "--as-of", "2026-11-30")["mttr"]["band"] == "green"


def test_a_reading_before_the_period_is_the_latest_known_value(
    run: Callable[..., Result], root: Path
) -> None:
    down = _krs(run, root, "2026-10-05")["faster-repairs/mttr-down"]
    assert (down["current"], down["last_checkin"], down["score"]) == (9, "2026-09-30", 0.0)
    assert down["unit"] == "h"


def test_a_tracking_key_result_is_stale_when_its_kpi_is(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    # 2026-10-31 + 1m is 2026-11-30: the KPI, and so its key results, are stale from
    # 2026-12-01, though the configured 14 days would have made them stale on 11-15
    kpis = KPIS.replace("      - {date: 2026-11-30, value: 3.5}\n", "")
    root = make_root({"kpis.yaml": kpis, "2026-Q4/ops.yaml": OKRS})
    for day, stale in (("2026-11-20", False), ("2026-11-30", False), ("2026-12-01", True)):
        assert _kpis(run, root, "--as-of", day)["mttr"]["stale"] is stale
        krs = _krs(run, root, day)
        assert krs["faster-repairs/mttr-down"]["stale"] is stale, day


def test_filters_match_the_kpis_own_owner_and_area(run: Callable[..., Result], root: Path) -> None:
    assert list(_kpis(run, root, "--owner", "pmo")) == ["on-time"]
    assert list(_kpis(run, root, "--area", "operations")) == ["mttr"]
    assert _kpis(run, root, "--owner", "pmo", "--area", "operations") == {}  # both: may be none
    # an owner or area no KPI has is a typo, as in every view: exit 2, naming those that exist
    typo = run("--root", str(root), "kpis", "--owner", "nobody")
    assert (typo.exit_code, typo.stdout) == (2, "")
    assert (
        "--owner nobody: no KPI has this owner; the owners of KPIs in this root: ops-team, pmo"
        in (typo.stderr)
    )
    assert run("--root", str(root), "kpis", "--area", "nowhere").exit_code == 2


def test_table_shows_value_band_bounds_trend_and_the_tracking_key_results(
    run: Callable[..., Result], root: Path
) -> None:
    result = run("--root", str(root), "kpis", "--as-of", "2026-12-01")
    assert result.exit_code == 0
    mttr = next(line for line in result.stdout.splitlines() if line.startswith("mttr "))
    for shown in ("3.5 h", "green", "≤ 4", "> 8", "▁▅█", "1d", "2"):
        assert shown in mttr, shown
    on_time = next(line for line in result.stdout.splitlines() if line.startswith("on-time "))
    assert "no data" in on_time and "stale" in on_time
    assert "mttr ← faster-repairs/mttr-down, faster-repairs/mttr-bound" in result.stdout
    assert "2 KPIs: 1 green, 1 no data · 1 stale" in result.stdout


def test_markdown_is_a_pipe_table(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "kpis", "-f", "markdown", "--as-of", "2026-12-01")
    lines = result.stdout.splitlines()
    assert lines[0] == "### KPIs as of 2026-12-01"
    assert lines[2].startswith("| KPI | Value | Band |")
    row = next(line for line in lines if "`mttr`" in line)
    assert "| 3.5 h | green | ≤ 4 | > 8 |" in row
    assert "`faster-repairs/mttr-down`, `faster-repairs/mttr-bound`" in row


def test_csv_has_a_header_and_a_row_per_kpi(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "kpis", "-f", "csv", "--as-of", "2026-12-01")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == ["mttr", "on-time"]
    assert rows[0] | {"title": ""} == {
        "id": "mttr",
        "title": "",
        "unit": "h",
        "owner": "ops-team",
        "area": "operations",
        "good": "4",
        "bad": "8",
        "every": "1m",
        "value": "3.5",
        "band": "green",
        "stale": "false",
        "last_checkin": "2026-11-30",
        "next_due": "2026-12-30",
        "key_results": "faster-repairs/mttr-down faster-repairs/mttr-bound",
    }
    assert rows[1]["value"] == "" and rows[1]["stale"] == "true"


def test_a_root_without_kpis_says_so(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {"2026-Q4/ops.yaml": OKRS.replace("        kpi: mttr\n", "        current: 6\n")}
    )
    result = run("--root", str(root), "kpis")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "No KPIs to show.")


def test_problems_in_the_files_exit_1_and_still_show_what_loaded(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {"kpis.yaml": KPIS, "bad.yaml": "kpis:\n  - {id: x, title: X, good: 1, bad: 1}\n"}
    )
    result = run("--root", str(root), "kpis", "-f", "json")
    assert result.exit_code == 1
    assert "1 problem in the OKR files" in result.stderr
    assert [kpi["id"] for kpi in json.loads(result.stdout)["kpis"]] == ["mttr", "on-time"]


def test_the_example_holds_every_seed_kpi(run: Callable[..., Result]) -> None:
    document = _json(run("--root", IT, "kpis", "-f", "json", "--as-of", "2026-11-21"))
    kpis = {kpi["id"]: kpi for kpi in document["kpis"]}
    seed = {  # SPEC §6 and the seed documents
        "projects-on-time",
        "projects-on-budget",
        "projects-on-spec",
        "it-roi",
        "it-spend-vs-plan",
        "support-staff-per-user",
        "mttr",
        "recovery-time",
        "project-success-rate",
        "staff-engagement",
        "technician-productivity",
    }
    assert seed <= set(kpis)
    assert all(kpi["value"] is not None for kpi in kpis.values())
    tracked = [ref for kpi in kpis.values() for ref in kpi["key_results"]]
    assert len(tracked) >= 2
    # as a person reads kpis.yaml: MTTR's newest reading on 2026-11-21 is 5.5 h of
    # 2026-10-31; 4 h is good and 8 h bad, so it is yellow; due again 2026-11-30
    assert (kpis["mttr"]["value"], kpis["mttr"]["band"], kpis["mttr"]["stale"]) == (
        5.5,
        "yellow",
        False,
    )
    # a reading every 2 weeks, the last on 2026-11-02: due 11-16, stale by 11-21
    assert kpis["technician-productivity"]["stale"] is True
    assert kpis["it-spend-vs-plan"]["band"] == "green"


def test_the_installed_command_writes_json_to_stdout_only(root: Path) -> None:
    done = subprocess.run(
        [installed_itokr(), "--root", str(root), "kpis", "-f", "json", "--as-of", "2026-11-15"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["as_of"] == "2026-11-15"
    bad = subprocess.run(
        [installed_itokr(), "--root", str(root), "kpis", "--as-of", "2026-13-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "--as-of" in bad.stderr and bad.stdout == ""


def test_score_explains_a_tracking_key_result(run: Callable[..., Result], root: Path) -> None:
    args = ("--root", str(root), "score", "faster-repairs/mttr-down", "--as-of", "2026-11-29")
    text = run(*args)
    assert text.exit_code == 0, text.stderr
    assert "tracking the KPI mttr" in text.stdout
    assert "it tracks the KPI mttr, next reading due 2026-11-30 (every 1m)" in text.stdout
    document = json.loads(run(*args, "-f", "json").stdout)
    assert (document["key_result"]["current"], document["key_result"]["score"]) == (6, 0.5)
    kpi = run("--root", str(root), "score", "mttr")
    assert kpi.exit_code == 2 and "mttr is a KPI" in kpi.stderr


def test_the_readme_section_shows_what_the_example_gives(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## KPIs: the indicators that outlive a quarter", 1)[1]
    command = "$ itokr --root examples/it-department kpis --as-of 2026-11-21\n"
    shown = section.split(command, 1)[1].split("Key results that track a KPI:", 1)[0]
    monkeypatch.setenv("COLUMNS", "100")
    result = run("--root", IT, "kpis", "--as-of", "2026-11-21")
    printed = result.stdout.split("Key results that track a KPI:", 1)[0]
    assert [line.rstrip() for line in printed.splitlines()] == shown.splitlines()
    # the file example of the section validates as it is written, its `source:` naming
    # a source of the itokr.yaml that the measure section shows
    example = section.split("```yaml\n# okrs/kpis.yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "kpis.yaml").write_text(example, encoding="utf-8")
    config = readme.split("```yaml\n# okrs/itokr.yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "itokr.yaml").write_text(config, encoding="utf-8")
    assert run("--root", str(tmp_path), "validate").exit_code == 0
