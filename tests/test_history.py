"""`itokr history` and `itokr status --at` on real git repositories with dated commits."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, installed_itokr
from gitrepo import _IDENTITY, GitRepo, forget_git_variables, without_git_variables

Run = Callable[..., Result]
INFRA = "okrs/2026-Q4/infra.yaml"
HEAD = """\
    period: 2026-Q4
    owner: platform-team
    area: infrastructure
    objectives:
      - id: reliable
        title: Make the platform reliable
        key_results:
          - id: runbook
            title: Publish the runbook
            done: true
          - id: uptime
            title: Reach 100% uptime
            unit: "%"
            baseline: 99
"""
LATER = """\
      - id: faster
        title: Make the platform faster
        key_results:
          - id: latency
            title: Cut p95 latency to 200 ms
            unit: ms
            baseline: 250
            target: 200
            current: 225
"""


def infra(target: float, *checkins: str, later: bool = False) -> str:
    """The file with uptime's target and check-ins (flow mappings), in `write`'s indent."""
    text = HEAD + f"            target: {target}\n"
    if checkins:
        text += "            checkins:\n" + "".join(f"              - {c}\n" for c in checkins)
    return text + (LATER if later else "")


FIRST = infra(100)
WEEK_ONE = "{date: 2026-10-14, value: 99.5, note: first week}"


class DatedRepo(GitRepo):
    """Commits on a date of the test's choosing (author and committer alike)."""

    def commit_on(self, day: str, message: str) -> str:
        self.git("add", "-A")
        stamp = f"{day}T12:00:00+00:00"
        subprocess.run(
            ["git", "commit", "-q", "-m", message],
            cwd=self.path,
            check=True,
            capture_output=True,
            env={
                **without_git_variables(),
                **_IDENTITY,
                "GIT_AUTHOR_DATE": stamp,
                "GIT_COMMITTER_DATE": stamp,
            },
        )
        return self.git("rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def _own_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    forget_git_variables(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> DatedRepo:
    """Four commits: the objective, a check-in, a lower target with a check-in and a new
    objective, then a commit that leaves the file alone."""
    repo = DatedRepo(tmp_path / "repo")
    repo.write(INFRA, FIRST)
    repo.commit_on("2026-10-01", "OKRs for Q4")
    repo.write(INFRA, infra(100, WEEK_ONE))
    repo.commit_on("2026-10-15", "uptime check-in")
    week_three = "{date: 2026-10-31, value: 99.6, confidence: 0.7}"
    repo.write(INFRA, infra(99.8, WEEK_ONE, week_three, later=True))
    repo.commit_on("2026-11-01", "Ease the uptime target; add faster")
    repo.write("okrs/2026-Q4/people.yaml", "objectives: []\n")
    repo.write("README.md", "unrelated\n")
    repo.commit_on("2026-11-05", "people file")
    return repo


def history_json(run: Run, repo: GitRepo, *args: str) -> dict[str, Any]:
    result = run("history", *args, "--format", "json", "--as-of", "2026-12-31", cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_key_result_over_time_merges_commits_and_checkins_in_date_order(
    run: Run, repo: DatedRepo
) -> None:
    document = history_json(run, repo, "reliable/uptime")
    assert {k: document[k] for k in ("ref", "title", "kind", "unit", "git")} == {
        "ref": "reliable/uptime",
        "title": "Reach 100% uptime",
        "kind": "metric",
        "unit": "%",
        "git": True,
    }
    readings = [
        (p["date"], p["source"], p["subject"], p["value"], p["target"], p["score"])
        for p in document["points"]
    ]
    assert readings == [
        ("2026-10-01", "commit", "OKRs for Q4", None, 100, 0.0),  # no data yet
        # a check-in is scored against today's target: (99.5 - 99) / 0.8 = 0.625
        ("2026-10-14", "checkin", None, 99.5, 99.8, 0.63),
        ("2026-10-15", "commit", "uptime check-in", 99.5, 100, 0.5),
        ("2026-10-31", "checkin", None, 99.6, 99.8, 0.75),
        ("2026-11-01", "commit", "Ease the uptime target; add faster", 99.6, 99.8, 0.75),
    ]  # the last commit left infra.yaml alone: no reading
    checkin = document["points"][3]
    assert checkin["checkins"] == [
        {"ref": "reliable/uptime", "value": 99.6, "confidence": 0.7, "note": None, "by": None}
    ]
    assert checkin["commit"] is None
    assert document["points"][0]["commit"] == repo.git("rev-list", "--max-parents=0", "HEAD")


def test_each_reading_is_scored_as_of_its_own_date(run: Run, repo: DatedRepo) -> None:
    points = history_json(run, repo, "reliable/uptime")["points"]
    # 2026-Q4 has 92 days: expected progress grows with the date of each reading
    assert [p["expected"] for p in points] == [0.0, 0.14, 0.15, 0.33, 0.34]
    assert [p["health"] for p in points] == [
        "on-track",
        "on-track",
        "on-track",
        "on-track",
        "on-track",
    ]


def test_an_objective_skips_commits_before_it_existed(run: Run, repo: DatedRepo) -> None:
    document = history_json(run, repo, "faster")
    assert document["kind"] == "objective"
    assert [(p["date"], p["source"]) for p in document["points"]] == [("2026-11-01", "commit")]
    assert document["points"][0]["value"] is None  # values belong to key results


def test_an_objective_scores_all_its_key_results_at_each_checkin(run: Run, repo: DatedRepo) -> None:
    points = history_json(run, repo, "reliable")["points"]
    # uptime 0.62 and the done runbook 1.0, weighted alike
    assert [(p["source"], p["score"]) for p in points] == [
        ("commit", 0.5),
        ("checkin", 0.81),
        ("commit", 0.75),
        ("checkin", 0.87),  # (0.7499… + 1) / 2
        ("commit", 0.87),
    ]


def test_as_of_ends_the_timeline(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptime", "-f", "json", "--as-of", "2026-10-31", cwd=repo.path)
    dates = [p["date"] for p in json.loads(result.stdout)["points"]]
    assert dates == ["2026-10-01", "2026-10-14", "2026-10-15", "2026-10-31"]


def test_a_moved_file_keeps_its_history(run: Run, repo: DatedRepo) -> None:
    repo.git("mv", INFRA, "okrs/2026-Q4/platform.yaml")
    repo.commit_on("2026-11-10", "Rename the file")
    points = history_json(run, repo, "reliable/uptime")["points"]
    commits = [p["subject"] for p in points if p["source"] == "commit"]
    assert commits == [
        "OKRs for Q4",
        "uptime check-in",
        "Ease the uptime target; add faster",
        "Rename the file",
    ]


def test_text_shows_a_chart_and_the_sources(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptime", "--as-of", "2026-12-31", cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "History of reliable/uptime — Reach 100% uptime" in out
    assert "5 readings" in out
    assert "Ease the uptime target" in out and "check-in: first week" in out
    assert "99.6/99.8%" in out and "█" in out
    assert "\x1b[" not in out  # no colour into a pipe


def test_outside_git_the_checkins_still_tell_the_story(
    run: Run, make_root: Callable[..., Path], tmp_path: Path
) -> None:
    make_root({"infra.yaml": infra(100, "{date: 2026-10-14, value: 99.5}")})
    result = run(
        "history", "reliable/uptime", "--format", "json", "--as-of", "2026-12-31", cwd=tmp_path
    )
    assert result.exit_code == 0
    assert "commit history unavailable" in result.stderr
    assert "not a git repository" in result.stderr
    document = json.loads(result.stdout)
    assert document["git"] is False
    assert [(p["date"], p["source"], p["score"]) for p in document["points"]] == [
        ("2026-10-14", "checkin", 0.5)
    ]


def test_an_unknown_ref_is_misuse(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptyme", cwd=repo.path)
    assert result.exit_code == 2
    assert "did you mean reliable/uptime" in result.stderr
    assert result.stdout == ""


def test_status_at_a_revision_equals_status_on_a_checkout_of_it(
    run: Run, repo: DatedRepo, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.path), str(clone))
    repo.git("-C", str(clone), "checkout", "-q", "HEAD~2")
    then = run("status", "--format", "json", "--as-of", "2026-10-15", cwd=clone)
    at = run("status", "--at", "HEAD~2", "--format", "json", cwd=repo.path)
    assert at.exit_code == then.exit_code == 0
    assert json.loads(at.stdout) == json.loads(then.stdout)
    # the commit's own date is the default --as-of; an explicit one wins
    assert json.loads(at.stdout)["as_of"] == "2026-10-15"
    later = run("status", "--at", "HEAD~2", "--as-of", "2026-12-01", "-f", "json", cwd=repo.path)
    assert json.loads(later.stdout)["as_of"] == "2026-12-01"


def test_status_at_reads_git_not_the_working_tree(run: Run, repo: DatedRepo) -> None:
    (repo.path / INFRA).write_text("objectives: []\n")  # an uncommitted wipe
    result = run("status", "--at", "HEAD", "--format", "json", cwd=repo.path / "okrs")
    ids = [o["id"] for o in json.loads(result.stdout)["objectives"]]
    assert ids == ["reliable", "faster"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--at", "no-such-branch"), "unknown revision 'no-such-branch'"),
        (("--at", "HEAD~9"), "unknown revision 'HEAD~9'"),
        (("--at", "HEAD", "--as-of", "2026-13-01"), "--as-of '2026-13-01'"),
    ],
)
def test_status_at_misuse_exits_2(
    run: Run, repo: DatedRepo, args: tuple[str, ...], message: str
) -> None:
    result = run("status", *args, cwd=repo.path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_status_at_outside_git_exits_2(
    run: Run, make_root: Callable[..., Path], tmp_path: Path
) -> None:
    make_root({"infra.yaml": FIRST})
    result = run("status", "--at", "HEAD", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not a git repository" in result.stderr
    assert "itokr diff" not in result.stderr


def test_installed_itokr_history_and_status_at(repo: DatedRepo) -> None:
    def itokr(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [installed_itokr(), *args],
            cwd=repo.path / "okrs",
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )

    done = itokr("history", "reliable/uptime", "--format", "json", "--as-of", "2026-12-31")
    assert done.returncode == 0 and done.stderr == ""
    assert len(json.loads(done.stdout)["points"]) == 5
    at = itokr("status", "--at", "HEAD~3", "-f", "json")
    assert at.returncode == 0
    assert json.loads(at.stdout)["as_of"] == "2026-10-01"
    bad = itokr("status", "--at", "nope")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("itokr: unknown revision 'nope'") and "Traceback" not in bad.stderr
