"""`itokr history` and `itokr status --at` on real git repositories with dated commits."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from gitrepo import (
    GitRepo,
    own_repository,  # noqa: F401 (autouse: each test its own repository)
)

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
    """Commits on a date of the test's choosing: `commit_on` (in GitRepo)."""


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


def itokr_json(run: Run, repo: GitRepo, *args: str) -> dict[str, Any]:
    """`itokr ARGS --format json` in the repository, which must succeed."""
    result = run(*args, "--format", "json", cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def history_json(run: Run, repo: GitRepo, ref: str) -> dict[str, Any]:
    return itokr_json(run, repo, "history", ref, "--as-of", "2026-12-31")


def test_one_reading_per_date_the_plan_then_measured_by_the_checkins_up_to_it(
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
        (p["date"], p["plan_changed"], p["subject"], p["value"], p["target"], p["score"])
        for p in document["points"]
    ]
    first = "OKRs for Q4"
    assert readings == [
        ("2026-10-01", True, first, None, 100, 0.0),  # no data yet
        # the plan of 10-01 (target 100) was in force: (99.5 - 99) / 1 = 0.5
        ("2026-10-14", False, first, 99.5, 100, 0.5),
        # the 10-15 commit only recorded a check-in: no reading of its own; on 10-31 it
        # was the last commit, the target still 100, and the check-in of 10-31 counts
        # though it was committed on 11-01
        ("2026-10-31", False, "uptime check-in", 99.6, 100, 0.6),
        ("2026-11-01", True, "Ease the uptime target; add faster", 99.6, 99.8, 0.75),
    ]  # the last commit left infra.yaml alone: no reading
    checkin = document["points"][2]
    assert checkin["checkins"] == [
        {"ref": "reliable/uptime", "value": 99.6, "confidence": 0.7, "note": None, "by": None}
    ]
    assert checkin["commit"] == repo.git("rev-parse", "HEAD~2")
    assert document["points"][0]["commit"] == repo.git("rev-list", "--max-parents=0", "HEAD")


def test_each_reading_is_scored_as_of_its_own_date(run: Run, repo: DatedRepo) -> None:
    points = history_json(run, repo, "reliable/uptime")["points"]
    # 2026-Q4 has 92 days: expected progress grows with the date of each reading
    assert [p["expected"] for p in points] == [0.0, 0.14, 0.33, 0.34]
    assert [p["health"] for p in points] == ["on-track"] * 4


def test_an_objective_skips_commits_before_it_existed(run: Run, repo: DatedRepo) -> None:
    document = history_json(run, repo, "faster")
    assert document["kind"] == "objective"
    assert [(p["date"], p["plan_changed"]) for p in document["points"]] == [("2026-11-01", True)]
    assert document["points"][0]["value"] is None  # values belong to key results


def test_an_objective_scores_all_its_key_results_at_each_reading(run: Run, repo: DatedRepo) -> None:
    points = history_json(run, repo, "reliable")["points"]
    # uptime's score and the done runbook's 1.0, weighted alike
    assert [p["score"] for p in points] == [0.5, 0.75, 0.8, 0.87]


def test_as_of_ends_the_timeline(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptime", "-f", "json", "--as-of", "2026-10-31", cwd=repo.path)
    dates = [p["date"] for p in json.loads(result.stdout)["points"]]
    assert dates == ["2026-10-01", "2026-10-14", "2026-10-31"]


def test_a_moved_file_keeps_its_history(run: Run, repo: DatedRepo) -> None:
    repo.git("mv", INFRA, "okrs/2026-Q4/platform.yaml")
    repo.commit_on("2026-11-10", "Rename the file")
    points = history_json(run, repo, "reliable/uptime")["points"]
    # a rename changes no plan: the readings are those before the move
    assert [(p["date"], p["subject"]) for p in points if p["plan_changed"]] == [
        ("2026-10-01", "OKRs for Q4"),
        ("2026-11-01", "Ease the uptime target; add faster"),
    ]
    repo.edit("okrs/2026-Q4/platform.yaml", "target: 99.8", "target: 99.7")
    repo.commit_on("2026-11-12", "Ease it again")
    points = history_json(run, repo, "reliable/uptime")["points"]
    assert [p["target"] for p in points] == [100, 100, 100, 99.8, 99.7]


def test_text_shows_a_chart_and_the_sources(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptime", "--as-of", "2026-12-31", cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "History of reliable/uptime — Reach 100% uptime" in out
    assert "4 readings" in out
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
    assert [
        (p["date"], p["plan_changed"], p["commit"], p["score"]) for p in document["points"]
    ] == [("2026-10-14", False, None, 0.5)]


def test_an_unknown_ref_is_misuse(run: Run, repo: DatedRepo) -> None:
    result = run("history", "reliable/uptyme", cwd=repo.path)
    assert result.exit_code == 2
    assert "did you mean reliable/uptime" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("ref", ["nums/k20", "nums"])
def test_a_ref_kept_out_by_problems_names_them_and_exits_1(
    run: Run, make_root: Callable[..., Path], tmp_path: Path, ref: str
) -> None:
    """The objective exists but does not load (a duplicate key-result id): calling it
    unknown (exit 2) would send the user hunting for a typo."""
    make_root(
        {
            "a.yaml": """\
            period: 2026-Q4
            objectives:
              - id: nums
                title: Count all the things
                key_results:
                  - {id: k20, title: Count twenty things, baseline: 0, target: 20, current: 5}
                  - {id: k20, title: Count twenty more, baseline: 0, target: 20, current: 5}
            """
        }
    )
    result = run("history", ref, cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("itokr: unknown objective")  # "or KPI" for an id alone
    assert lines[0].endswith("'nums' among the objectives that loaded; problems may keep it out")
    assert "E205" in lines[2]


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
    assert len(json.loads(done.stdout)["points"]) == 4
    at = itokr("status", "--at", "HEAD~3", "-f", "json")
    assert at.returncode == 0
    assert json.loads(at.stdout)["as_of"] == "2026-10-01"
    bad = itokr("status", "--at", "nope")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("itokr: unknown revision 'nope'") and "Traceback" not in bad.stderr


def test_with_nothing_back_dated_each_reading_is_status_as_of_that_day_at_that_commit(
    run: Run, tmp_path: Path
) -> None:
    """SPEC §2: where no check-in was back-dated, the reading on D equals
    `status --as-of D --at THAT_COMMIT`, THAT_COMMIT the last commit by the end of D."""
    repo = DatedRepo(tmp_path / "repo")
    weeks = [("2026-10-05", 99.2), ("2026-10-12", 99.4), ("2026-10-19", 99.3)]
    made: list[str] = []
    repo.write(INFRA, infra(100))
    repo.commit_on("2026-10-01", "plan")
    for number, (day, value) in enumerate(weeks):
        made.append(f"{{date: {day}, value: {value}}}")
        repo.write(INFRA, infra(99.8 if number else 100, *made))
        repo.commit_on(day, f"check-in {day}" + (" and ease the target" if number == 1 else ""))
    repo.write("okrs/itokr.yaml", "grading: {green: 0.5}\n")  # the config is plan too
    repo.commit_on("2026-10-20", "grade more kindly")
    repo.write(INFRA, infra(99.6, *made))
    repo.commit_on("2026-10-26", "rebaseline the target")
    for ref in ("reliable/uptime", "reliable"):
        points = history_json(run, repo, ref)["points"]
        assert [p["date"] for p in points] == [
            "2026-10-01", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-20", "2026-10-26"
        ]  # fmt: skip
        for point in points:
            stamp = f"--before={point['date']}T23:59:59+00:00"
            that = repo.git("rev-list", "-1", "--first-parent", stamp, "HEAD")
            assert point["commit"] == that
            status = itokr_json(run, repo, "status", "--at", that, "--as-of", point["date"])
            [objective] = status["objectives"]
            if ref == "reliable":
                expected = {"score": objective["score"], "health": objective["health"]}
            else:
                kr = objective["key_results"][1]
                expected = {"score": kr["score"], "health": kr["health"]}
                assert (point["value"], point["target"]) == (kr["current"], kr["target"])
            assert {"score": point["score"], "health": point["health"]} == expected
            assert point["expected"] == objective["expected"]


def test_the_working_tree_is_todays_plan(run: Run, repo: DatedRepo) -> None:
    today = dt.date.today().isoformat()
    repo.edit(INFRA, "target: 99.8", "target: 99.7")  # not committed
    result = run("history", "reliable/uptime", "-f", "json", "--as-of", today, cwd=repo.path)
    last = json.loads(result.stdout)["points"][-1]
    assert (last["date"], last["plan_changed"], last["commit"], last["target"]) == (
        today,
        True,
        None,
        99.7,
    )
    status = run("status", "-f", "json", "--as-of", today, cwd=repo.path)
    kr = json.loads(status.stdout)["objectives"][0]["key_results"][1]
    assert (last["score"], last["value"]) == (kr["score"], kr["current"])
    # a check-in not yet committed is a measurement, not a plan change: no extra reading
    repo.edit(INFRA, "target: 99.7", "target: 99.8")
    result = run("history", "reliable/uptime", "-f", "json", "--as-of", today, cwd=repo.path)
    assert json.loads(result.stdout)["points"][-1]["date"] == "2026-11-01"


def test_on_the_examples_every_reading_is_status_as_of_its_date(run: Run, tmp_path: Path) -> None:
    """Outside git the plan is today's files: each reading of every objective and key
    result is what `status --as-of` that day says."""
    for example in ("it-department", "okr-practice"):
        root = str(shutil.copytree(EXAMPLES / example, tmp_path / example))  # out of git
        status = json.loads(run("--root", root, "status", "-f", "json", cwd=tmp_path).stdout)
        refs = [o["id"] for o in status["objectives"]]
        refs += [kr["ref"] for o in status["objectives"] for kr in o["key_results"]]
        readings = {}
        for ref in refs:
            done = run("--root", root, "history", ref, "-f", "json", cwd=tmp_path)
            readings[ref] = json.loads(done.stdout)["points"]
        days = sorted({p["date"] for points in readings.values() for p in points})
        assert len(days) > 5, "the examples should hold many check-in dates"
        by_day = {}
        for day in days:
            done = run("--root", root, "status", "-f", "json", "--as-of", day, cwd=tmp_path)
            objectives = json.loads(done.stdout)["objectives"]
            by_day[day] = {o["id"]: o for o in objectives} | {
                kr["ref"]: kr | {"expected": o["expected"]}
                for o in objectives
                for kr in o["key_results"]
            }
        for ref, points in readings.items():
            for point in points:
                then = by_day[point["date"]][ref]
                shown = {k: point[k] for k in ("score", "expected", "health")}
                assert shown == {k: then[k] for k in shown}, (ref, point["date"])
                if "/" in ref and point["value"] is not None:
                    assert (point["value"], point["target"]) == (then["current"], then["target"])
