"""`itokr status`: the numbers of SPEC §2 in the table, JSON and markdown alike."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, REPO, Result

Run = Callable[..., Result]

CONFIG = "organization: Test Org\n"
PLATFORM = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: reliable-platform
    title: Make the platform reliable
    key_results:
      - id: p95-latency
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins:
          - {date: 2026-10-15, value: 240, confidence: 0.6}
          - {date: 2026-11-10, value: 235, confidence: 0.8, note: cache warmed}
      - id: runbook
        title: Publish the runbook
        done: false
        weight: 2
  - id: patching
    title: Keep systems patched
    type: committed
    period: 2026-Q3
    owner: security-team
    area: security
    aligns_to: [reliable-platform]
    key_results:
      - id: coverage
        title: Keep patch coverage at or above 98%
        kind: threshold
        direction: at_least
        unit: "%"
        target: 98
        current: 98
      - id: retire
        title: Retire the old servers
        milestones:
          - {title: Inventory done, done: true}
          - {title: Servers switched off, done: false, weight: 4}
  - id: next-quarter
    title: Plan the next quarter
    period: 2027-Q1
    key_results:
      - id: adoption
        title: Raise adoption from 10% to 50%
        unit: "%"
        baseline: 10
        target: 50
"""
NONE_YET = {"forecast": None, "confidence": None, "last_checkin": None, "measured_by": None}


def _kr(**fields: Any) -> dict[str, Any]:
    base = {"baseline": None, "target": None, "current": None, "unit": None, "stale": False}
    return base | NONE_YET | fields


# Every number by hand, on 15 November: 45 of 91 days of 2026-Q4 elapsed, expected 0.49.
EXPECTED = {
    "as_of": "2026-11-15",
    "objectives": [
        {
            "id": "reliable-platform",
            "title": "Make the platform reliable",
            "owner": "platform-team",
            "area": "infrastructure",
            "period": "2026-Q4",
            # (0.3 x 1 + 0 x 2) / 3; below 0.49 - 0.3
            "score": 0.1,
            "expected": 0.49,
            "health": "off-track",
            "type": "aspirational",
            "stale": False,
            "confidence": 0.8,
            "last_checkin": "2026-11-10",
            "key_results": [
                _kr(
                    ref="reliable-platform/p95-latency",
                    title="Cut p95 latency from 250 ms to 200 ms",
                    kind="metric",
                    baseline=250,
                    target=200,
                    current=235,
                    unit="ms",
                    # (235 - 250) / (200 - 250); 0.3 < 0.49 - 0.1 but >= 0.49 - 0.3
                    progress=0.3,
                    score=0.3,
                    health="at-risk",
                    # line through (0, 250), (14, 240), (40, 235): 215.97 on day 91
                    forecast=0.68,
                    confidence=0.8,
                    last_checkin="2026-11-10",
                ),
                _kr(
                    ref="reliable-platform/runbook",
                    title="Publish the runbook",
                    kind="binary",
                    progress=0.0,
                    score=0.0,
                    health="off-track",
                ),
            ],
        },
        {
            "id": "patching",
            "title": "Keep systems patched",
            "owner": "security-team",
            "area": "security",
            "period": "2026-Q3",
            # (1 + 0.2) / 2; committed and ended below 0.7
            "score": 0.6,
            "expected": 1.0,
            "health": "red",
            "type": "committed",
            "stale": False,
            "confidence": None,
            "last_checkin": None,
            "key_results": [
                _kr(
                    ref="patching/coverage",
                    title="Keep patch coverage at or above 98%",
                    kind="threshold",
                    target=98,
                    current=98,
                    unit="%",
                    progress=1.0,
                    score=1.0,
                    health="green",
                ),
                _kr(
                    ref="patching/retire",
                    title="Retire the old servers",
                    kind="milestone",
                    progress=0.2,
                    score=0.2,
                    health="red",
                ),
            ],
        },
        {
            "id": "next-quarter",
            "title": "Plan the next quarter",
            "owner": "platform-team",
            "area": "infrastructure",
            "period": "2027-Q1",
            "score": 0.0,
            "expected": 0.0,
            "health": "not-started",
            "type": "aspirational",
            "stale": False,
            "confidence": None,
            "last_checkin": None,
            "key_results": [
                _kr(
                    ref="next-quarter/adoption",
                    title="Raise adoption from 10% to 50%",
                    kind="metric",
                    baseline=10,
                    target=50,
                    unit="%",
                    progress=None,
                    score=0.0,
                    health="not-started",
                ),
            ],
        },
    ],
    "findings": [],  # the problems of the files read: always there, for a stable shape
}


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"itokr.yaml": CONFIG, "2026-Q4/platform.yaml": PLATFORM})


def status(run: Run, root: Path, *args: str, width: int = 120) -> Result:
    return run(
        "--root", str(root), "status", "--as-of", "2026-11-15", *args, env={"COLUMNS": str(width)}
    )


def test_json_is_exactly_the_spec_shape(run: Run, root: Path) -> None:
    result = status(run, root, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == EXPECTED


def test_json_with_objectives_folded_keeps_the_shape(run: Run, root: Path) -> None:
    document = json.loads(status(run, root, "--format", "json", "--objectives").stdout)
    assert [o["key_results"] for o in document["objectives"]] == [[], [], []]
    assert [o["score"] for o in document["objectives"]] == [0.1, 0.6, 0.0]


def test_table_at_80_columns_shows_every_row_and_never_overflows(run: Run, root: Path) -> None:
    result = status(run, root, width=80)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert lines[0] == "Test Org · status as of 2026-11-15"
    rows = {line.split()[0]: line.split() for line in lines[3:] if line.strip()}
    assert rows["reliable-platform"][-6:] == [
        "0.10",
        "0.49",
        "off-track",
        "0.80",
        "5d",
        "platform-team",
    ]
    assert rows["p95-latency"][-4:] == ["0.30", "at-risk", "0.80", "5d"]
    assert rows["patching"][-5:] == ["0.60", "1.00", "red", "—", "security-team"]
    assert rows["adoption"][-3:] == ["0.00", "not-started", "—"]
    assert "3 objectives: 1 off-track, 1 not-started, 1 red" in result.stdout
    assert "committed 0.60 (1) · aspirational 0.05 (2)" in result.stdout


def test_wider_terminal_adds_current_values_and_forecasts(run: Run, root: Path) -> None:
    narrow, wide = status(run, root, width=80), status(run, root, width=160)
    assert "235/200 ms" not in narrow.stdout and "→ 0.68" not in narrow.stdout
    assert "235/200 ms" in wide.stdout and "→ 0.68" in wide.stdout
    assert "security-team" in wide.stdout  # uncut where there is room
    assert max(len(line) for line in wide.stdout.splitlines()) > 120


SPEC_HEADERS = ["Progress", "Score", "Exp", "Health", "Conf", "Last", "Owner"]


@pytest.mark.parametrize("as_of", ["2026-08-15", "2026-11-21", "2027-02-01"])
@pytest.mark.parametrize(
    "root",
    [EXAMPLES / "it-department", EXAMPLES / "okr-practice", REPO / "okrs"],
    ids=lambda path: path.name,
)
def test_at_80_columns_every_column_spec_names_is_there(run: Run, root: Path, as_of: str) -> None:
    """SPEC §3's columns (bar, score, expected, health, confidence, last check-in, owner)
    survive a piped, 80-column table: the titles and the extra columns give way first."""
    result = run(
        "--root", str(root), "status", "--as-of", as_of, env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert [h for h in lines[1].split() if h in SPEC_HEADERS] == SPEC_HEADERS
    table = lines[3 : lines.index(next(line for line in lines if line.startswith("Bar:")))]
    objectives = [line for line in table if line[:1].strip() and "┃" in line]
    assert objectives and all(
        re.fullmatch(r"[a-z][a-z-]{4,}…?", line.split()[-1]) for line in objectives
    ), lines


def test_objectives_folds_key_results(run: Run, root: Path) -> None:
    result = status(run, root, "--objectives")
    assert "reliable-platform" in result.stdout and "p95-latency" not in result.stdout


def test_markdown_is_a_pipe_table_with_the_same_numbers(run: Run, root: Path) -> None:
    result = status(run, root, "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "### Test Org — status as of 2026-11-15"
    assert lines[2].startswith("| Objective / key result |")
    row = next(line for line in lines if "`reliable-platform/p95-latency`" in line)
    assert [cell.strip() for cell in row.split("|")[2:9]] == [
        "235/200 ms",
        "0.30",
        "",
        "at-risk",
        "→ 0.68",
        "0.80",
        "2026-11-10",
    ]
    assert "| **`patching`** Keep systems patched (2026-Q3) |" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("option", "ids"),
    [
        (("--owner", "security-team"), ["patching"]),
        (("--area", "infrastructure"), ["reliable-platform", "next-quarter"]),
        (("--period", "2027-Q1"), ["next-quarter"]),
        (("--health", "red"), ["patching"]),
        (("--health", "off-track", "--owner", "platform-team"), ["reliable-platform"]),
    ],
)
def test_filters_match_the_objectives_own_value(
    run: Run, root: Path, option: tuple[str, ...], ids: list[str]
) -> None:
    document = json.loads(status(run, root, "--format", "json", *option).stdout)
    assert [o["id"] for o in document["objectives"]] == ids


def test_a_period_matches_by_its_name_exactly(run: Run, root: Path) -> None:
    """A year does not hold its quarters: `--period 2027` names no objective here, an
    empty answer, with a note naming the periods that do."""
    result = status(run, root, "--period", "2027")
    assert result.exit_code == 0
    assert "No objectives to show." in result.stdout
    assert result.stderr == (
        "itokr: --period 2027: no objective has this period; "
        "the periods in this root: 2026-Q3, 2026-Q4, 2027-Q1\n"
    )


def test_unknown_health_or_bad_date_is_misuse(run: Run, root: Path) -> None:
    assert status(run, root, "--health", "purple").exit_code == 2
    bad = run("--root", str(root), "status", "--as-of", "2026-02-30")
    assert bad.exit_code == 2 and "--as-of" in bad.stderr


def test_invalid_files_still_show_what_loaded_and_exit_1(
    run: Run, make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "good.yaml": PLATFORM,
            "bad.yaml": "objectives:\n  - id: Bad Id\n    title: x\n    key_results: []\n",
        }
    )
    result = status(run, root, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.startswith("itokr: ") and "run itokr validate" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    document = json.loads(result.stdout)
    assert [o["id"] for o in document["objectives"]] == [
        "reliable-platform",
        "patching",
        "next-quarter",
    ]
    assert [(Path(f["path"]).name, f["line"], f["code"]) for f in document["findings"]] == [
        ("bad.yaml", 2, "E104"),
        ("bad.yaml", 4, "E107"),
    ]


def test_colour_follows_the_environment(run: Run, root: Path) -> None:
    assert "\x1b[" not in status(run, root).stdout  # not a terminal
    forced = run("--root", str(root), "status", "--as-of", "2026-11-15", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    both = run(
        "--root",
        str(root),
        "status",
        "--as-of",
        "2026-11-15",
        env={"FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert "\x1b[" not in both.stdout


def _example(run: Run, *args: str) -> dict[str, Any]:
    result = run(
        "--root",
        str(EXAMPLES / "it-department"),
        "status",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
        *args,
    )
    assert result.exit_code == 0, result.stderr
    return {o["id"]: o for o in json.loads(result.stdout)["objectives"]}


def test_it_department_example_has_the_health_its_authors_meant(run: Run) -> None:
    objectives = _example(run)
    assert objectives["user-satisfaction"]["health"] == "at-risk"
    assert objectives["accelerate-delivery"]["health"] == "off-track"
    rto = next(
        k
        for k in objectives["disaster-recovery"]["key_results"]
        if k["ref"] == "disaster-recovery/rto"
    )
    assert rto["stale"] is True and rto["last_checkin"] == "2026-10-29"
    assert [
        ref
        for o in objectives.values()
        for k in o["key_results"]
        if k["stale"]
        for ref in [k["ref"]]
    ] == ["disaster-recovery/rto"]
    q3 = {key: o["health"] for key, o in objectives.items() if o["period"] == "2026-Q3"}
    assert q3 == {
        "q3-uptime-reliability": "green",
        "q3-operational-efficiency": "yellow",
        "q3-cloud-costs": "red",
        "q3-cyber-posture": "yellow",  # committed, 0.98
        "q3-patch-compliance": "green",
    }
    q1 = {key: o["health"] for key, o in objectives.items() if o["period"] == "2027-Q1"}
    assert set(q1.values()) == {"not-started"} and len(q1) == 2


def test_it_department_numbers_by_hand(run: Run) -> None:
    platform = _example(run)["reliable-platform"]
    # 51 of 91 days; uptime (99.76 - 99.5) / 0.4 = 0.65 weighted 2, latency 0.58, load 0.6
    assert (platform["expected"], platform["score"]) == (0.56, 0.62)
    assert [k["score"] for k in platform["key_results"]] == [0.65, 0.58, 0.6]


def test_json_and_markdown_never_import_rich(root: Path) -> None:
    """The budget of SPEC §4: machine output costs little beyond loading."""
    code = (
        "import sys; from itokr.cli import run\n"
        f"for fmt in ('json', 'markdown'): run(['--root', {str(root)!r}, 'status', "
        "'--as-of', '2026-11-15', '--format', fmt])\n"
        "assert not [m for m in sys.modules if m.startswith('rich')], 'rich imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=os.environ | {"NO_COLOR": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("color", "escapes"), [(False, False), (True, True), (None, False)])
def test_console_factory_follows_use_color(color: bool | None, escapes: bool) -> None:
    """False: no styles at all; True: colour even into a pipe; None: the terminal decides.
    Text is data: `[link=…]` markup and `:rocket:` print as written."""
    import io

    from rich.text import Text

    from itokr.render.console import make_console

    stream = io.StringIO()  # not a terminal
    console = make_console(color, file=stream, width=80)
    console.print(Text("late", style="bold red"), "[link=https://x.example]y[/link] :rocket: 0.5")
    assert ("\x1b[" in stream.getvalue()) is escapes
    plain = stream.getvalue().replace("\x1b[0m", "").replace("\x1b[1;31m", "")
    assert "late [link=https://x.example]y[/link] :rocket: 0.5" in plain
