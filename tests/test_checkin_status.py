"""`itokr checkin REF --confidence C --note N` on a milestone or binary key result: a
status update, spliced into the file like any check-in (SPEC §7)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result

PROJECTS = """\
period: 2026-Q4
owner: platform-team
objectives:
  - id: second-site
    title: Run the platform from two data centres
    key_results:
      - id: build      # the big one
        title: Build the second data centre
        milestones:
          - {title: Site contract signed, done: true}
          - {title: Replication live, done: false}
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
        checkins:
          - date: 2026-10-12
            confidence: 0.4
      - {id: drill, title: Run a failover drill, done: false}
"""


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"projects.yaml": PROJECTS})


def _added_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    assert all(line.startswith("+") for line in lines), lines  # nothing else changed
    return [line[1:] for line in lines]


def _checkin(run: Callable[..., Result], root: Path, *args: str) -> Result:
    return run("--root", str(root), "checkin", *args, "--as-of", "2026-11-20")


@pytest.mark.parametrize(
    ("ref", "args", "added"),
    [
        (
            "second-site/build",
            ("--confidence", "0.7", "--note", "vendor chosen"),
            [  # in the style of the file's other check-ins
                "        checkins:",
                "          - date: 2026-11-20",
                "            confidence: 0.7",
                "            note: vendor chosen",
            ],
        ),
        (
            "second-site/runbook",
            ("--note", "yes", "--date", "2026-11-19"),
            ["          - date: 2026-11-19", '            note: "yes"'],
        ),
        (
            "second-site/drill",
            ("--confidence", "0.9"),
            [],  # a flow key result: its one line gains a flow list, checked below
        ),
    ],
)
def test_a_status_update_adds_its_lines_and_nothing_else(
    run: Callable[..., Result], root: Path, ref: str, args: tuple[str, ...], added: list[str]
) -> None:
    path = root / "projects.yaml"
    before = path.read_text()
    result = _checkin(run, root, ref, *args)
    assert result.exit_code == 0, result.stderr
    assert "status update" in result.stdout
    after = path.read_text()
    if added:
        assert _added_lines(before, after) == added
    else:
        assert (
            "      - {id: drill, title: Run a failover drill, done: false, "
            "checkins: [{date: 2026-11-20, confidence: 0.9}]}"
        ) in after.splitlines()
    assert run("--root", str(root), "validate").exit_code == 0


def test_status_shows_the_update(run: Callable[..., Result], root: Path) -> None:
    assert _checkin(run, root, "second-site/build", "--confidence", "0.7").exit_code == 0
    result = run("--root", str(root), "status", "-f", "json", "--as-of", "2026-11-20")
    [build] = [
        kr
        for kr in json.loads(result.stdout)["objectives"][0]["key_results"]
        if kr["ref"] == "second-site/build"
    ]
    assert (build["confidence"], build["last_checkin"]) == (0.7, "2026-11-20")


def test_json_names_the_action(run: Callable[..., Result], root: Path) -> None:
    result = _checkin(run, root, "second-site/drill", "--note", "booked", "-f", "json")
    document = json.loads(result.stdout)
    assert (document["action"], document["value"], document["score"]) == ("status", None, [0, 0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("second-site/build", "3"), "--confidence C and/or --note TEXT"),
        (("second-site/build",), "mark one with --milestone TITLE"),
        (("second-site/drill", "--date", "2026-11-19"), "--done"),
        (("second-site/build", "--milestone", "Replication live", "--note", "x"), "records none"),
        (("second-site/runbook", "--note", "x", "--date", "2026-09-30"), "before second-site's"),
    ],
)
def test_what_does_not_fit_is_a_usage_error(
    run: Callable[..., Result], root: Path, args: tuple[str, ...], message: str
) -> None:
    before = (root / "projects.yaml").read_bytes()
    result = _checkin(run, root, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert (root / "projects.yaml").read_bytes() == before
