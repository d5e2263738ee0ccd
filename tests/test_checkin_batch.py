"""`itokr checkin --batch FILE|-`: a CSV file of check-ins, all recorded or none (SPEC §7)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PLATFORM_KEY_RESULTS, Result, installed_itokr
from gitrepo import commit_all

TEAM = (
    """\
period: 2026-Q4
owner: platform-team
objectives:
  - id: reliable
"""
    + PLATFORM_KEY_RESULTS
    + """\
      - id: build
        title: Build the second data centre
        milestones:
          - {title: Site contract signed, done: true}
          - {title: Replication live, done: false}
      - id: mttr-down
        title: Cut MTTR from 8 h to 4 h
        baseline: 8
        target: 4
        kpi: mttr
kpis:
  - id: mttr
    title: Mean time to repair an incident
    unit: h
    good: 4
    bad: 8
    checkins: [{date: 2026-10-31, value: 6}]
"""
)
GOOD = """\
ref,value,date,confidence,note
reliable/uptime,99.93,2026-11-20,0.8,failover drill
reliable/p95, 231 ,,,
reliable/build,,,0.6,"replication: tested, on staging"
mttr,4.5,2026-11-19,,
"""
AS_OF = ("--as-of", "2026-11-21")


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"team.yaml": TEAM})


def _batch(run: Callable[..., Result], root: Path, text: str, *args: str) -> Result:
    path = root.parent / "checkins.csv"
    path.write_bytes(text.encode())
    return run("--root", str(root), "checkin", "--batch", str(path), *args, *AS_OF)


def test_every_row_is_recorded_in_one_write(run: Callable[..., Result], root: Path) -> None:
    result = _batch(run, root, GOOD)
    assert result.exit_code == 0, result.stderr
    text = (root / "team.yaml").read_text()
    assert (
        "          - {date: 2026-11-20, value: 99.93, confidence: 0.8, note: failover drill}"
        in text
    )
    assert "        checkins:\n          - {date: 2026-11-21, value: 231}\n" in text
    assert (
        '          - {date: 2026-11-21, confidence: 0.6, note: "replication: tested, on staging"}'
        in text
    )
    assert "    checkins: [{date: 2026-10-31, value: 6}, {date: 2026-11-19, value: 4.5}]" in text
    assert result.stdout.splitlines() == [
        f"recorded 99.93 on 2026-11-20 for reliable/uptime in {root / 'team.yaml'}; "
        "score 1.00 (was 0.00)",
        f"recorded 231 on 2026-11-21 for reliable/p95 in {root / 'team.yaml'}; "
        "score 0.38 (was 0.00)",
        f"recorded a status update on 2026-11-21 for reliable/build in {root / 'team.yaml'}; "
        "score 0.50 (was 0.50)",
        f"recorded 4.5 on 2026-11-19 for the KPI mttr in {root / 'team.yaml'}; band yellow "
        "(was yellow); reliable/mttr-down 0.88 (was 0.50)",
    ]
    assert run("--root", str(root), "validate").exit_code == 0


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (
            "reliable/uptme,99.9,,,",
            "unknown key result 'reliable/uptme'; did you mean reliable/uptime",
        ),
        ("reliable/uptime,ninety,,,", "value 'ninety' is not a number"),
        ("reliable/uptime,99.9,,1.5,", "confidence 1.5: must be between 0 and 1"),
        ("reliable/uptime,99.9,2026-02-30,,", "date '2026-02-30': expected a real date"),
        ("reliable/uptime,99.9,2026-12-01,,", "date 2026-12-01 is after 2026-11-21"),
        ("reliable/uptime,99.9,2026-09-01,,", "date 2026-09-01 is before reliable's period"),
        ("reliable/uptime,,,0.5,", "give the value to record"),
        ("reliable/build,1,,,", "it takes no value"),
        ("reliable/build,,,,", "leave the value empty and give a confidence and/or a note"),
        ("reliable/mttr-down,5,,,", "tracks the KPI mttr"),
        ("mttr,,,,", "mttr is a KPI: give the value read"),
        ("reliable/uptime,99.9,,,,extra", "6 cells where the header has 5"),
        ("reliable/uptime,99.9,,,zero\u200bwidth", "hidden character U+200B ZERO WIDTH SPACE"),
    ],
)
def test_one_bad_row_writes_nothing_and_names_its_line(
    run: Callable[..., Result], root: Path, row: str, says: str
) -> None:
    before = (root / "team.yaml").read_bytes()
    result = _batch(run, root, GOOD + row + "\n")
    assert result.exit_code == 1
    first, last = result.stderr.splitlines()
    assert first.startswith(f"{root.parent / 'checkins.csv'}:6: ")
    assert says in first
    assert last == f"itokr: 1 bad row in {root.parent / 'checkins.csv'}: nothing written"
    assert (root / "team.yaml").read_bytes() == before
    assert result.stdout == ""


def test_every_bad_row_is_named_at_once(run: Callable[..., Result], root: Path) -> None:
    rows = "ref,value\nreliable/uptime,x\nreliable/p95,240\nnope/nothing,3\n\nmttr,\n"
    result = _batch(run, root, rows)
    assert result.exit_code == 1
    lines = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in result.stderr.splitlines()[:-1]]
    assert lines == ["2", "4", "6"]
    assert "3 bad rows" in result.stderr


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"ref;value\nreliable/p95;240\n", "unknown column 'ref;value'"),
        (b"ref,value,owner\n", "unknown column 'owner'"),
        (b"value,date\n", "no 'ref' column"),
        (b"ref,value,value\n", "column 'value' twice"),
        (b"ref,value\nreliable/p95,\xe9\n", "not UTF-8"),
        (b"\x00\x01binary", "not CSV text"),
        (b'ref,value\n"reliable/p95,240\n', "not CSV"),
    ],
)
def test_a_file_that_is_no_such_csv_is_a_usage_error(
    run: Callable[..., Result], root: Path, data: bytes, says: str
) -> None:
    path = root.parent / "checkins.csv"
    path.write_bytes(data)
    result = run("--root", str(root), "checkin", "--batch", str(path), *AS_OF)
    assert result.exit_code == 2, result.stderr
    assert says in result.stderr


def test_columns_in_any_order_and_a_bom(run: Callable[..., Result], root: Path) -> None:
    result = _batch(run, root, "\ufeffNote,Ref,Value\r\nwarm,reliable/p95,240\r\n")
    assert result.exit_code == 0, result.stderr
    assert "- {date: 2026-11-21, value: 240, note: warm}" in (root / "team.yaml").read_text()


def test_dry_run_prints_the_diff_and_writes_nothing(run: Callable[..., Result], root: Path) -> None:
    before = (root / "team.yaml").read_bytes()
    result = _batch(run, root, GOOD, "--dry-run")
    assert result.exit_code == 0
    assert "+          - {date: 2026-11-20, value: 99.93" in result.stdout
    assert result.stderr.startswith("dry run, nothing written:\nwould record 99.93")
    assert (root / "team.yaml").read_bytes() == before


def test_json_reports_each_checkin_and_file(run: Callable[..., Result], root: Path) -> None:
    document = json.loads(_batch(run, root, GOOD, "--format", "json").stdout)
    assert document["written"] is True and document["commit"] is None
    assert [(c["ref"], c["action"], c["value"]) for c in document["checkins"]] == [
        ("reliable/uptime", "checkin", 99.93),
        ("reliable/p95", "checkin", 231),
        ("reliable/build", "status", None),
        ("mttr", "kpi", 4.5),
    ]
    assert document["checkins"][2]["confidence"] == 0.6
    assert document["checkins"][3]["band"] == ["yellow", "yellow"]
    assert [f["path"] for f in document["files"]] == [str(root / "team.yaml")]


def test_installed_entry_point_reads_stdin_and_commits(root: Path) -> None:
    repo = root.parent
    commit_all(repo, "start")
    done = subprocess.run(
        [installed_itokr(), "checkin", "--batch", "-", "--commit", *AS_OF],
        cwd=repo,
        input=GOOD,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 4, done.stdout
    assert done.stderr.startswith("committed "), done.stderr
    log = subprocess.run(
        ["git", "log", "-1", "--format=%s"], cwd=repo, capture_output=True, text=True
    ).stdout
    assert log.startswith("itokr checkin: reliable/uptime, reliable/p95"), log
    bad = subprocess.run(
        [installed_itokr(), "checkin", "--batch", "-", *AS_OF],
        cwd=repo,
        input="ref,value\nreliable/p95,fast\n",
        capture_output=True,
        text=True,
    )
    assert (bad.returncode, bad.stdout) == (1, ""), bad.stderr
    assert bad.stderr.startswith("<stdin>:2: value 'fast' is not a number"), bad.stderr


def test_batch_takes_no_ref_or_flags(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "checkin", "reliable/p95", "--batch", "x.csv")
    assert result.exit_code == 2
    assert "--batch takes no REF" in result.stderr
    result = run("--root", str(root), "checkin", "--batch", "x.csv", "--date", "2026-11-01")
    assert "a `date` column" in result.stderr


def test_what_export_checkins_writes_is_recorded_as_it_is(
    run: Callable[..., Result], root: Path
) -> None:
    """`by` is who measured it; export guards a formula-like note with a `'`, which the
    batch takes off again."""
    rows = "ref,value,date,confidence,note,by\nreliable/uptime,99.9,,,'=1+1 drill,cost-export\n"
    result = _batch(run, root, rows)
    assert result.exit_code == 0, result.stderr
    written = (root / "team.yaml").read_text()
    assert "by: cost-export" in written and "=1+1 drill" in written and "'=1+1" not in written
    assert run("--root", str(root), "validate").exit_code == 0


def test_a_header_alone_records_nothing_and_is_no_error(
    run: Callable[..., Result], root: Path
) -> None:
    """An empty week is nothing wrong (exit 0), said on stderr; JSON says nothing was
    written."""
    before = (root / "team.yaml").read_bytes()
    result = _batch(run, root, "ref,value\n")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "only the header: nothing recorded" in result.stderr
    document = json.loads(_batch(run, root, "ref,value\n", "--format", "json").stdout)
    assert (document["written"], document["checkins"], document["files"]) == (False, [], [])
    assert (root / "team.yaml").read_bytes() == before
