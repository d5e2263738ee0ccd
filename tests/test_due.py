"""`itokr due`: who owes a check-in, and the exit code a scheduled CI job relies on."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from itokr.render.plain import number

IT = str(EXAMPLES / "it-department")

TEAM = """\
period: 2026-Q4
owner: {owner}
objectives:
  - id: {id}
    title: Keep the service fast and reliable
    key_results:
      - id: fresh
        title: Raise the fresh metric from 0 to 10
        baseline: 0
        target: 10
        checkins:
          - {{date: 2026-11-18, value: 4}}
      - id: soon
        title: Raise the soon metric from 0 to 10
        baseline: 0
        target: 10
        checkins:
          - {{date: 2026-11-10, value: 4}}
      - id: old
        title: Raise the old metric from 0 to 10
        baseline: 0
        target: 10
        checkins:
          - {{date: 2026-10-20, value: 4}}
      - id: finished
        title: Raise the finished metric from 0 to 10
        baseline: 0
        target: 10
        checkins:
          - {{date: 2026-10-01, value: 10}}
      - id: runbook
        title: Publish the runbook
        due: 2026-11-25
        done: false
      - id: shipped
        title: Ship the thing
        due: 2026-11-25
        done: true
"""


def _root(make_root: Callable[..., Path]) -> Path:
    return make_root(
        {
            "a.yaml": TEAM.format(owner="alpha", id="alpha-goal"),
            "b.yaml": TEAM.format(owner="beta", id="beta-goal"),
            "later.yaml": TEAM.format(owner="gamma", id="gamma-goal").replace("2026-Q4", "2027-Q1"),
        }
    )


def _json(result: Result) -> dict:  # type: ignore[type-arg]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_example_rto_is_stale_and_fails_the_ci_job(run: Callable[..., Result]) -> None:
    args = ("--root", IT, "due", "--as-of", "2026-11-21")
    assert run(*args).exit_code == 0
    result = run(*args, "--fail-on-stale", "--format", "json")
    assert result.exit_code == 1
    assert "1 stale key result" in result.stderr
    document = _json(result)
    refs = {i["ref"]: i for o in document["owners"] for i in o["key_results"]}
    assert refs["disaster-recovery/rto"]["stale"] is True
    assert refs["disaster-recovery/rto"]["checkin_due"] == "2026-11-12"
    owner = next(
        o for o in document["owners"] if o["key_results"][0]["ref"] == "disaster-recovery/rto"
    )
    assert owner["owner"] == "security-team"


RTO = """\
period: 2026-Q4
owner: security-team
objectives:
  - id: disaster-recovery
    title: Recover from disasters in hours
    key_results:
      - id: rto
        title: Cut the recovery time objective from 8 h to 2 h
        baseline: 8
        target: 2
        checkins:
          - {date: 2026-10-29, value: 6}
          - {date: 2026-11-16, value: 5}
"""


def test_nothing_stale_exits_zero_under_fail_on_stale(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    # rto was last checked in on 2026-10-29 as known on 11-12: 14 days later it is due
    # today, not yet stale
    root = str(make_root({"rto.yaml": RTO}))
    result = run("--root", root, "due", "--as-of", "2026-11-12", "--fail-on-stale", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = _json(result)
    assert document["stale"] == 0
    [rto] = [i for o in document["owners"] for i in o["key_results"]]
    assert rto["checkin_due"] == "2026-11-12" and rto["stale"] is False
    # the next day it is stale: the check-in of 11-16 was not known yet
    result = run("--root", root, "due", "--as-of", "2026-11-13", "--fail-on-stale", "-f", "json")
    assert result.exit_code == 1
    [rto] = [i for o in _json(result)["owners"] for i in o["key_results"]]
    assert rto["stale"] is True and rto["last_checkin"] == "2026-10-29"


def test_groups_by_owner_and_lists_what_is_owed(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = _root(make_root)
    result = run("--root", str(root), "due", "--as-of", "2026-11-21", "-f", "json")
    document = _json(result)
    assert [o["owner"] for o in document["owners"]] == ["alpha", "beta"]  # 2027-Q1 not running
    items = {i["ref"]: i for i in document["owners"][0]["key_results"]}
    # old: stale; soon: expected 2026-11-24, within the 7 days;
    # runbook: due in 4 days; fresh: next check-in 2026-12-02, past the 7 days.
    assert sorted(items) == ["alpha-goal/old", "alpha-goal/runbook", "alpha-goal/soon"]
    assert items["alpha-goal/old"]["stale"] is True
    assert items["alpha-goal/soon"]["checkin_due"] == "2026-11-24"
    assert items["alpha-goal/soon"]["stale"] is False
    assert items["alpha-goal/runbook"]["due"] == "2026-11-25"
    assert document["owners"][0]["key_results"][0]["ref"] == "alpha-goal/old"
    assert document["stale"] == 2


def test_within_widens_the_window(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = _root(make_root)
    result = run(
        "--root",
        str(root),
        "due",
        "--as-of",
        "2026-11-21",
        "--within",
        "14",
        "--owner",
        "beta",
        "-f",
        "json",
    )
    document = _json(result)
    assert [o["owner"] for o in document["owners"]] == ["beta"]
    refs = [i["ref"] for i in document["owners"][0]["key_results"]]
    assert "beta-goal/fresh" in refs and "beta-goal/finished" not in refs
    assert "beta-goal/shipped" not in refs


def test_owner_filter_and_fail_on_stale(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = _root(make_root)
    args = ("--root", str(root), "due", "--as-of", "2026-11-21", "--fail-on-stale")
    assert run(*args, "--owner", "alpha").exit_code == 1
    assert run(*args, "--owner", "gamma").exit_code == 0  # its period has not started
    assert run(*args, "--owner", "nobody").exit_code == 2  # a typo, as in every view


def test_github_and_markdown_formats(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = _root(make_root)
    args = ("--root", str(root), "due", "--as-of", "2026-11-21", "--owner", "alpha")
    github = run(*args, "-f", "github").stdout.splitlines()
    assert len(github) == 3
    assert all(line.startswith("::warning file=") for line in github)
    assert any("alpha owes alpha-goal/old" in line and "stale" in line for line in github)
    markdown = run(*args, "-f", "markdown").stdout
    assert "#### alpha" in markdown and "**stale** `alpha-goal/old`" in markdown


def test_text_table_names_owner_and_ref(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = _root(make_root)
    result = run("--root", str(root), "due", "--as-of", "2026-11-21", env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "alpha" in result.stdout and "beta" in result.stdout
    assert "alpha-goal/old" in result.stdout and "\x1b[" not in result.stdout
    assert "6 key results owed, 2 stale" in result.stdout


def test_bad_within_is_a_usage_error(run: Callable[..., Result]) -> None:
    result = run("--root", IT, "due", "--as-of", "2026-11-21", "--within", "-1")
    assert result.exit_code == 2 and "--within" in result.stderr


def test_installed_entry_point_exit_codes() -> None:
    itokr = installed_itokr()
    done = subprocess.run(
        [itokr, "--root", IT, "due", "--as-of", "2026-11-21", "--fail-on-stale", "-f", "github"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("::warning file=")
    assert "security.yaml,line=61," in done.stdout  # the `- id: rto` line
    assert "stale" in done.stderr and "::warning" not in done.stderr


KPI_ROOT = {
    "kpis.yaml": """\
owner: ops-team
kpis:
  - id: mttr
    title: Mean time to repair
    good: 4
    bad: 8
    every: 1m
    checkins:
      - {date: 2026-10-31, value: 6}
  - id: backlog
    title: Open tickets
    owner: desk
    good: 150
    bad: 250
    every: 1w
    checkins:
      - {date: 2026-11-20, value: 180}
  - {id: fresh, title: Read yesterday, good: 1, bad: 2, every: 1q,
     checkins: [{date: 2026-11-20, value: 1}]}
  - {id: never, title: Never read, owner: desk, good: 1, bad: 2}
""",
    "ops.yaml": """\
period: 2026-Q4
owner: ops-team
objectives:
  - id: faster-repairs
    title: Repair incidents faster than ever
    key_results:
      - {id: mttr-down, title: Cut MTTR from 8 h to 4 h, baseline: 8, target: 4, kpi: mttr}
      - {id: mttr-report, title: Publish the MTTR report, done: false, due: 2026-11-25}
""",
}


def test_kpis_owe_readings_and_their_key_results_owe_none(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(KPI_ROOT)
    # on 12-01, mttr is stale (due 11-30); backlog is due 11-27, inside the window;
    # `fresh` is due next quarter; `never` has no reading at all
    result = run("--root", str(root), "due", "-f", "json", "--as-of", "2026-11-24")
    document = _json(result)
    kpis = {k["id"]: (o["owner"], k) for o in document["owners"] for k in o["kpis"]}
    assert set(kpis) == {"mttr", "backlog", "never"}
    assert kpis["backlog"][0] == "desk"
    assert kpis["backlog"][1] == {
        "id": "backlog",
        "title": "Open tickets",
        "path": str(root / "kpis.yaml"),
        "value": 180,
        "unit": None,
        "good": 150,
        "bad": 250,
        "band": "yellow",
        "stale": False,
        "last_checkin": "2026-11-20",
        "checkin_due": "2026-11-27",
    }
    assert (kpis["never"][1]["stale"], kpis["never"][1]["checkin_due"]) == (True, None)
    assert (kpis["mttr"][1]["stale"], kpis["mttr"][1]["checkin_due"]) == (False, "2026-11-30")
    refs = [i["ref"] for o in document["owners"] for i in o["key_results"]]
    assert refs == ["faster-repairs/mttr-report"]  # its `due:`; its sibling's KPI is owed
    assert (document["stale"], document["stale_kpis"]) == (0, 1)


def test_a_stale_kpi_fails_the_scheduled_job(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(KPI_ROOT)
    args = ("--root", str(root), "due", "--fail-on-stale", "--owner", "ops-team")
    fresh = run(*args, "--as-of", "2026-11-30")
    assert fresh.exit_code == 0, fresh.stderr
    stale = run(*args, "--as-of", "2026-12-01", "-f", "github")
    assert stale.exit_code == 1
    assert stale.stderr == "itokr: 1 stale KPI\n"
    report, line = stale.stdout.splitlines()  # the report's `due:` is not a stale matter
    assert "faster-repairs/mttr-report" in report
    assert line.startswith(f"::warning file={root / 'kpis.yaml'},line=3,")
    assert "owes a reading of the KPI mttr" in line


def test_text_and_markdown_name_the_kpi(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(KPI_ROOT)
    text = run("--root", str(root), "due", "--as-of", "2026-12-01").stdout
    assert "KPI mttr" in text and "reading stale 1 day late (last 2026-10-31)" in text
    assert "1 key result owed, 0 stale; 3 KPIs owed, 3 stale" in text
    markdown = run("--root", str(root), "due", "-f", "markdown", "--as-of", "2026-12-01").stdout
    assert "- **stale** KPI `never` Never read: reading owed: none yet" in markdown


def test_an_owner_of_kpis_alone_is_no_typo(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(KPI_ROOT)
    result = run(
        "--root", str(root), "due", "--owner", "desk", "-f", "json", "--as-of", "2026-11-24"
    )
    assert result.exit_code == 0, result.stderr
    [desk] = _json(result)["owners"]
    assert (desk["owner"], [k["id"] for k in desk["kpis"]]) == ("desk", ["never", "backlog"])
    typo = run("--root", str(root), "due", "--owner", "dsk", "--as-of", "2026-11-24")
    assert typo.exit_code == 2
    assert "no objective or KPI has this owner; the owners in this root: desk, ops-team" in (
        typo.stderr
    )


@pytest.mark.parametrize("columns", [80, 100, 132])
def test_text_keeps_every_ref_whole_and_shows_value_and_target(
    run: Callable[..., Result], columns: int
) -> None:
    """People copy refs from `due` into `itokr checkin`: a ref that fits is never cut."""
    root = EXAMPLES / "it-department"
    args = ("--root", str(root), "due", "--as-of", "2026-11-10", "--within", "20")
    text = run(*args, env={"COLUMNS": str(columns)}).stdout
    document = json.loads(run(*args, "-f", "json").stdout)
    items = [item for owner in document["owners"] for item in owner["key_results"]]
    assert items
    lines = text.splitlines()
    for item in items:
        row = next(line for line in lines if line.startswith(f" {item['ref']}  "))
        assert len(row) <= columns
        if item["value"] is not None:  # the last value and the target, as status shows them
            assert f"{number(item['value'])}/{number(item['target'])}" in row
    kpis = [kpi for owner in document["owners"] for kpi in owner["kpis"]]
    assert kpis
    for kpi in kpis:  # a KPI's id whole too, its newest reading against good, its band
        row = next(line for line in lines if line.startswith(f" KPI {kpi['id']}  "))
        assert len(row) <= columns
        if kpi["value"] is not None:
            assert f"{number(kpi['value'])}/{number(kpi['good'])}" in row
            assert row.rstrip().endswith(kpi["band"])
    assert "─" * columns in lines  # the rule under the header, as in status
    assert not any(ch in text for ch in "┏┃│└")  # no boxes: one table style
