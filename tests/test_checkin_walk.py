"""`itokr checkin --owner TEAM`: the weekly walk, driven through a real pseudo-terminal
against the installed `itokr` (SPEC §7)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PLATFORM_KEY_RESULTS, installed_itokr
from gitrepo import commit_all

pexpect = pytest.importorskip("pexpect")

AS_OF = "2026-11-21"
PLATFORM = (
    """\
period: 2026-Q4
owner: platform-team
objectives:
  - id: reliable-platform
"""
    + PLATFORM_KEY_RESULTS
    + """\
        current: 240   # measured by hand in October
      - id: fresh
        title: Cut build time from 20 to 10 minutes
        unit: min
        baseline: 20
        target: 10
        checkins: [{date: 2026-11-20, value: 15}]   # yesterday: not due
  - id: second-site
    title: Run the platform from two data centres
    key_results:
      - id: build
        title: Build the second data centre
        milestones:
          - {title: Site contract signed, done: true}
          - {title: Replication live, done: false}
          - {title: Failover tested, done: false, weight: 2}
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
      - id: drill
        title: Hold a failover drill with the business
        milestones:
          - title: Date agreed
            done: false
          - title: Drill held
            done: false
"""
)
KPIS = """\
owner: platform-team
kpis:
  - id: mttr
    title: Mean time to repair an incident
    unit: h
    good: 4
    bad: 8
    every: 1m
    checkins:
      - {date: 2026-09-30, value: 6.5}
"""
OTHER = """\
period: 2026-Q4
owner: security-team
objectives:
  - id: patched
    title: Keep every server patched
    key_results:
      - {id: coverage, title: Raise patch coverage to 98, unit: "%", baseline: 80, target: 98}
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the root committed, and an unrelated change not committed."""
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "platform.yaml").write_text(PLATFORM)
    (root / "kpis.yaml").write_text(KPIS)
    (root / "security.yaml").write_text(OTHER)
    (tmp_path / "notes.txt").write_text("draft\n")
    commit_all(tmp_path, "OKRs for 2026-Q4")
    (tmp_path / "notes.txt").write_text("draft, edited\n")
    return tmp_path


def _spawn(cwd: Path, *args: str, as_of: str = AS_OF) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("FORCE_COLOR", None)
    return pexpect.spawn(
        installed_itokr(),
        ["checkin", *args, "--as-of", as_of],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )


def _answer(child: pexpect.spawn, steps: list[tuple[str, str]]) -> None:
    for prompt, reply in steps:
        child.expect_exact(prompt)
        child.sendline(reply)


VALUE, CONFIDENCE, NOTE = (
    "value (Enter skips)",
    "confidence 0-1 (Enter: none)",
    "note (Enter: none)",
)
MILESTONES, DONE = "milestones done now, by number (Enter: no change)", "done now?"
# the lead's pass: six key results of three kinds (threshold and metric, milestone,
# binary) and the team's KPI, in the order of the files; `fresh` was checked in yesterday
PASS = [
    ("[1/6] reliable-platform/uptime", None),
    (VALUE, "99.91"),
    (CONFIDENCE, "0.8"),
    (NOTE, "failover drill passed"),
    ("score 0.00 → 1.00", None),
    ("[2/6] reliable-platform/p95", None),
    (VALUE, "not yet"),  # refused, and asked again
    ("'not yet' is not a number", None),
    (VALUE, "231"),
    (CONFIDENCE, ""),
    (NOTE, ""),
    ("score 0.20 → 0.38", None),
    ("[3/6] second-site/build", None),
    (MILESTONES, "1"),  # done already: refused
    ("give the numbers of milestones not yet done: 2, 3", None),
    (MILESTONES, "replication LIVE"),  # a title does as well as its number
    (CONFIDENCE, "0.6"),
    (NOTE, "replication live since Tuesday"),
    ("score 0.25 → 0.50", None),
    ("[4/6] second-site/runbook", None),
    (DONE, "maybe"),  # refused, and asked again
    ("Please enter y or n", None),
    (DONE, "yes"),
    (CONFIDENCE, ""),
    (NOTE, ""),
    ("score 0.00 → 1.00", None),
    ("[5/6] second-site/drill", None),
    (MILESTONES, ""),
    (CONFIDENCE, ""),
    (NOTE, "date still open: yes"),
    ("score 0.00 → 0.00", None),
    ("[6/6] KPI mttr", None),
    (VALUE, "4.5"),
    (CONFIDENCE, ""),
    (NOTE, ""),
    ("band yellow → yellow", None),
]


def _walk(child: pexpect.spawn, steps: list[tuple[str, str | None]]) -> None:
    for text, reply in steps:
        child.expect_exact(text)
        if reply is not None:
            child.sendline(reply)


def _added_and_removed(repo: Path) -> tuple[list[str], list[str]]:
    diff = _git(repo, "diff", "--unified=0", "HEAD", "--", "okrs").splitlines()
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    return added, removed


EXPECTED_ADDED = [  # kpis.yaml, then platform.yaml
    "      - {date: 2026-11-21, value: 4.5}",
    "          - {date: 2026-11-21, value: 99.91, confidence: 0.8, note: failover drill passed}",
    "        checkins:   # measured by hand in October",
    "          - {date: 2026-11-21, value: 231}",
    "          - {title: Replication live, done: true}",
    "        checkins:",
    "          - {date: 2026-11-21, confidence: 0.6, note: replication live since Tuesday}",
    "        done: true",
    "        checkins:",
    # quoted: a plain `yes` after the colon would not read back as this text everywhere
    '          - {date: 2026-11-21, note: "date still open: yes"}',
]
EXPECTED_REMOVED = [
    "        current: 240   # measured by hand in October",
    "          - {title: Replication live, done: false}",
    "        done: false",
]


def test_a_lead_checks_in_six_key_results_in_one_pass(repo: Path) -> None:
    child = _spawn(repo, "--owner", "platform-team")
    child.expect_exact("platform-team: 6 key results and KPIs due as of 2026-11-21")
    _walk(child, PASS)
    child.expect_exact("Write the check-ins of 6 key results and KPIs?")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    output = child.before
    assert "recorded 99.91 on 2026-11-21 for reliable-platform/uptime in" in output
    assert "recorded 4.5 on 2026-11-21 for the KPI mttr in okrs/kpis.yaml" in output
    assert (
        "recorded a status update on 2026-11-21, milestone 'Replication live' done for "
        "second-site/build in okrs/platform.yaml; score 0.50 (was 0.25)"
    ) in output
    assert _added_and_removed(repo) == (EXPECTED_ADDED, EXPECTED_REMOVED)
    assert _git(repo, "status", "--porcelain", "--", "okrs").split() == [
        "M",
        "okrs/kpis.yaml",
        "M",
        "okrs/platform.yaml",
    ]
    assert (
        subprocess.run([installed_itokr(), "validate"], cwd=repo, capture_output=True).returncode
        == 0
    )


@pytest.mark.parametrize("stop", ["ctrl-c", "ctrl-d"])
def test_stopping_before_the_end_writes_nothing(repo: Path, stop: str) -> None:
    before = {path: path.read_bytes() for path in (repo / "okrs").iterdir()}
    child = _spawn(repo, "--owner", "platform-team")
    _walk(child, PASS[:10])
    if stop == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect_exact("nothing written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert {path: path.read_bytes() for path in (repo / "okrs").iterdir()} == before


def test_saying_no_at_the_end_writes_nothing(repo: Path) -> None:
    before = (repo / "okrs" / "platform.yaml").read_bytes()
    child = _spawn(repo, "--owner", "platform-team")
    _walk(child, PASS)
    child.expect_exact("Write the check-ins of")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (repo / "okrs" / "platform.yaml").read_bytes() == before


def test_commit_commits_the_changed_files_alone(repo: Path) -> None:
    child = _spawn(repo, "--owner", "platform-team", "--commit")
    _walk(child, PASS)
    child.expect_exact("Write the check-ins of")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    subject, _, body = _git(repo, "log", "-1", "--format=%B").partition("\n\n")
    assert subject.startswith("itokr checkin: reliable-platform/uptime, reliable-platform/p95")
    assert "(+" in subject and len(subject) <= 72
    for ref in ("second-site/build", "second-site/runbook", "second-site/drill", "mttr"):
        assert ref in body
    changed = _git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["okrs/kpis.yaml", "okrs/platform.yaml"]
    assert _git(repo, "status", "--porcelain").split() == ["M", "notes.txt"]


def test_nothing_due_says_so(repo: Path) -> None:
    child = _spawn(repo, "--owner", "security-team", as_of="2026-10-05")
    child.expect_exact("nothing due for security-team")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_one_key_result_in_a_terminal_asks_for_its_value(repo: Path) -> None:
    child = _spawn(repo, "reliable-platform/fresh")
    _walk(child, [(VALUE, "12"), (CONFIDENCE, "0.9"), (NOTE, ""), ("score 0.50 → 0.80", None)])
    child.expect_exact("Write the check-ins of 1 key result or KPI?")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    added, _ = _added_and_removed(repo)
    assert added == [  # a flow list grows on its line
        "        checkins: [{date: 2026-11-20, value: 15}, {date: 2026-11-21, value: 12, "
        "confidence: 0.9}]   # yesterday: not due"
    ]


def test_without_a_terminal_it_says_to_use_batch(repo: Path) -> None:
    done = subprocess.run(
        [installed_itokr(), "checkin", "--owner", "platform-team"],
        cwd=repo,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--batch" in done.stderr and "terminal" in done.stderr
    assert done.stdout == ""


def test_an_unknown_owner_is_a_usage_error(repo: Path) -> None:
    child = _spawn(repo, "--owner", "platfrom-team")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "platform-team" in child.before


@pytest.fixture(autouse=True)
def _no_ambient_git(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Git in these tests reads no config but the repository's own."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    yield


def test_an_invalid_root_is_refused_before_any_question(repo: Path) -> None:
    (repo / "okrs" / "broken.yaml").write_text("objectives: [{id: Bad Id}]\n")
    child = _spawn(repo, "--owner", "platform-team")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "run itokr validate" in child.before
    assert "value (Enter skips)" not in child.before
