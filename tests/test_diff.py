"""`itokr diff` on real git repositories: history, branches, formats, policy, errors."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, installed_itokr
from gitrepo import (
    GitRepo,
    own_repository,  # noqa: F401 (autouse: each test its own repository)
)

AS_OF = "2026-11-21"  # inside 2026-Q4: every period below has started

INFRA = """\
    period: 2026-Q4
    owner: platform-team
    area: infrastructure
    objectives:
      - id: reliable
        title: Make the platform reliable
        key_results:
          - id: uptime
            title: Reach 99.9% uptime
            unit: "%"
            baseline: 99.5
            target: 99.9
            current: 99.7
          - id: latency
            title: Cut p95 latency to 200 ms
            unit: ms
            baseline: 250
            target: 200
            current: 225
          - id: runbook
            title: Publish the runbook
            done: false
"""
PEOPLE = """\
    period: 2026-Q4
    owner: people-team
    objectives:
      - id: hiring
        title: Hire the platform team
        key_results:
          - id: hires
            title: Hire four engineers
            baseline: 0
            target: 4
            current: 1
"""
NEW = """\
    period: 2026-Q4
    owner: security-team
    objectives:
      - id: secure
        title: Harden the perimeter
        key_results:
          - id: mfa
            title: Enforce MFA everywhere
            unit: "%"
            baseline: 60
            target: 100
          - id: audit
            title: Pass the external audit
            done: false
"""

Run = Callable[..., Result]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """main holds two files; the branch `feature` eases a target, raises another,
    drops a key result, renames a file and adds an objective, commit by commit."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/2026-Q4/infra.yaml", INFRA)
    repo.write("okrs/2026-Q4/people.yaml", PEOPLE)
    repo.write("README.md", "project\n")
    repo.commit("OKRs for Q4")
    repo.git("checkout", "-q", "-b", "feature")
    repo.edit("okrs/2026-Q4/infra.yaml", "target: 99.9", "target: 99.8")
    repo.edit("okrs/2026-Q4/infra.yaml", "target: 200", "target: 180")
    repo.edit(
        "okrs/2026-Q4/infra.yaml",
        "      - id: runbook\n        title: Publish the runbook\n        done: false\n",
        "",
    )
    repo.commit("retarget")
    repo.git("mv", "okrs/2026-Q4/people.yaml", "okrs/2026-Q4/team.yaml")
    repo.commit("rename")
    repo.write("okrs/2026-Q4/security.yaml", NEW)
    repo.commit("add security")
    return repo


def _json(run: Run, *args: str, cwd: Path) -> dict[str, Any]:
    result = run("diff", *args, "--format", "json", "--as-of", AS_OF, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {change["ref"]: change for change in document["changes"]}


def test_json_lists_each_changed_objective_and_key_result(run: Run, repo: GitRepo) -> None:
    document = _json(run, "main", "feature", cwd=repo.path)
    assert document["base"] == "main" and document["head"] == "feature"
    assert document["head_commit"] == repo.git("rev-parse", "feature")
    changes = _by_ref(document)
    assert list(changes) == [
        "reliable",
        "reliable/uptime",
        "reliable/latency",
        "reliable/runbook",
        "secure",
        "hiring",
    ]
    uptime = changes["reliable/uptime"]
    assert uptime["change"] == "modified"
    assert uptime["fields"] == {"target": [99.9, 99.8]}
    assert uptime["score"] == [0.5, 0.67]
    assert uptime["flags"] == ["eased"]
    assert [f["flag"] for f in uptime["flag_details"]] == ["eased"]
    assert not uptime["flag_details"][0]["accepted"]
    assert changes["reliable/latency"]["flags"] == ["raised"]
    runbook = changes["reliable/runbook"]
    assert runbook["change"] == "removed" and runbook["score"] == [0.0, None]
    assert runbook["flags"] == ["removed"]
    assert changes["reliable"]["fields"] == {}  # only its key results changed
    assert changes["reliable"]["kind"] == "objective"
    assert changes["reliable/uptime"]["kind"] == "key_result"
    assert set(changes["reliable"]) == {
        "ref",
        "kind",
        "change",
        "title",
        "path",
        "fields",
        "score",
        "flags",
        "flag_details",
    }


def test_an_added_objective_is_one_entry(run: Run, repo: GitRepo) -> None:
    changes = _by_ref(_json(run, "main", "feature", cwd=repo.path))
    secure = changes["secure"]
    assert secure["change"] == "added" and secure["score"] == [None, 0.0]
    assert secure["fields"]["key_results"] == [None, ["mfa", "audit"]]
    assert not any(ref.startswith("secure/") for ref in changes)


def test_a_renamed_file_is_a_move_not_remove_and_add(run: Run, repo: GitRepo) -> None:
    hiring = _by_ref(_json(run, "main", "feature", cwd=repo.path))["hiring"]
    assert hiring["change"] == "modified"
    assert hiring["fields"] == {"path": ["okrs/2026-Q4/people.yaml", "okrs/2026-Q4/team.yaml"]}
    assert hiring["flags"] == [] and hiring["score"] == [0.25, 0.25]


def test_no_change_between_equal_revisions(run: Run, repo: GitRepo) -> None:
    document = _json(run, "feature", "feature", cwd=repo.path)
    assert document["changes"] == []
    text = run("diff", "feature", "feature", "--as-of", AS_OF, cwd=repo.path)
    assert "No objective or key result changed." in text.stdout


def test_head_defaults_to_the_working_tree(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/2026-Q4/team.yaml", "current: 1", "current: 3")  # not committed
    document = _json(run, "HEAD", cwd=repo.path)
    assert document["head"] == "WORKTREE" and document["head_commit"] is None
    assert _by_ref(document)["hiring/hires"]["fields"] == {"current": [1, 3]}
    assert _by_ref(document)["hiring/hires"]["score"] == [0.25, 0.75]


def test_base_defaults_to_the_merge_base_with_main(run: Run, repo: GitRepo) -> None:
    fork = repo.git("merge-base", "main", "feature")
    repo.git("checkout", "-q", "main")
    repo.edit("okrs/2026-Q4/people.yaml", "owner: people-team", "owner: hr")
    repo.commit("main moves on after the branch")
    repo.git("checkout", "-q", "feature")
    document = _json(run, cwd=repo.path)
    assert document["base"] == "main" and document["base_commit"] == fork
    assert "owner" not in _by_ref(document)["hiring"]["fields"]  # main's later commit is not ours


def test_master_is_the_fallback_base(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo", branch="master")
    repo.write("okrs/a.yaml", PEOPLE)
    repo.commit("one")
    document = _json(run, cwd=repo.path)
    assert document["base"] == "master" and document["changes"] == []


def test_works_from_a_subdirectory(run: Run, repo: GitRepo) -> None:
    document = _json(run, "main", "feature", cwd=repo.path / "okrs" / "2026-Q4")
    assert _by_ref(document)["reliable/uptime"]["path"] == "infra.yaml"
    assert _by_ref(document)["hiring"]["fields"]["path"] == ["people.yaml", "team.yaml"]


def test_a_revision_without_the_root_makes_everything_added(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "nothing yet\n")
    first = repo.commit("no OKRs yet")
    repo.write("okrs/2026-Q4/infra.yaml", INFRA)
    repo.commit("OKRs")
    changes = _json(run, first, "HEAD", cwd=repo.path)["changes"]
    assert [(c["ref"], c["change"]) for c in changes] == [("reliable", "added")]
    changes = _json(run, "HEAD", first, cwd=repo.path)["changes"]
    assert [(c["ref"], c["change"], c["score"]) for c in changes] == [
        ("reliable", "removed", [0.33, None])
    ]


def test_root_option_and_config_from_git(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("goals/itokr.yaml", "periods: {FY27: {start: 2026-07-01, end: 2027-06-30}}\n")
    repo.write("goals/a.yaml", PEOPLE.replace("2026-Q4", "FY27"))
    repo.commit("one")
    repo.write("goals/itokr.yaml", "periods: {FY27: {start: 2026-10-01, end: 2027-09-30}}\n")
    result = run("--root", "goals", "diff", "HEAD", "-f", "json", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    hiring = _by_ref(json.loads(result.stdout))["hiring"]
    assert hiring["fields"]["period"] == [
        "FY27 (2026-07-01..2027-06-30)",
        "FY27 (2026-10-01..2027-09-30)",
    ]
    assert hiring["flags"] == ["period"]


# ---------------------------------------------------------------- --fail-on and reasons


def test_fail_on_eased_without_a_reason_exits_1(run: Run, repo: GitRepo) -> None:
    result = run("diff", "main", "--fail-on", "eased", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 1
    assert "reliable/uptime: target eased: 99.9 → 99.8" in result.stderr
    assert "~ uptime" in result.stdout  # the report is still written


def test_a_reason_added_by_the_change_accepts_the_flag(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/2026-Q4/infra.yaml", "target: 99.8", "target: 99.8\n        reason: new SLA")
    result = run("diff", "main", "--fail-on", "eased,raised", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 1  # latency's raise has no reason
    assert "uptime" not in result.stderr and "reliable/latency" in result.stderr
    uptime = _by_ref(_json(run, "main", cwd=repo.path))["reliable/uptime"]
    assert uptime["flags"] == ["eased"]
    assert uptime["flag_details"] == [
        {
            "flag": "eased",
            "message": "target eased: 99.9 → 99.8, towards the baseline 99.5",
            "accepted": True,
        }
    ]
    assert run("diff", "main", "--fail-on", "eased", "--as-of", AS_OF, cwd=repo.path).exit_code == 0


def test_a_reason_already_there_does_not_accept_a_new_change(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        "okrs/a.yaml", INFRA.replace("current: 99.7", "current: 99.7\n            reason: old")
    )
    repo.commit("one")
    repo.edit("okrs/a.yaml", "target: 99.9", "target: 99.6")
    result = run("diff", "HEAD", "--fail-on", "eased", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 1


def test_a_removed_key_result_is_explained_by_its_objective(run: Run, repo: GitRepo) -> None:
    assert (
        run("diff", "main", "--fail-on", "removed", "--as-of", AS_OF, cwd=repo.path).exit_code == 1
    )
    repo.edit(
        "okrs/2026-Q4/infra.yaml",
        "    title: Make the platform reliable",
        "    title: Make the platform reliable\n    reason: runbook moved to Q1",
    )
    assert (
        run("diff", "main", "--fail-on", "removed", "--as-of", AS_OF, cwd=repo.path).exit_code == 0
    )


def test_flags_wait_for_the_period_to_start(run: Run, repo: GitRepo) -> None:
    result = run(
        "diff", "main", "--fail-on", "removed,added", "--as-of", "2026-09-30", cwd=repo.path
    )
    assert result.exit_code == 0, result.stderr


def test_fail_on_all_and_unknown_flags(run: Run, repo: GitRepo) -> None:
    assert run("diff", "main", "--fail-on", "all", "--as-of", AS_OF, cwd=repo.path).exit_code == 1
    bad = run("diff", "main", "--fail-on", "eased,lowered", "--as-of", AS_OF, cwd=repo.path)
    assert bad.exit_code == 2 and "lowered" in bad.stderr and bad.stdout == ""


# ---------------------------------------------------------------- formats


def test_markdown_is_a_pull_request_comment(run: Run, repo: GitRepo) -> None:
    result = run("diff", "main", "feature", "-f", "markdown", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("### OKR changes: main")
    assert lines[2].startswith("**3 objectives and 3 key results changed")
    assert "| | Objective / key result | What changed | Score | Flags |" in lines
    row = next(line for line in lines if "`reliable/uptime`" in line and line.startswith("|"))
    assert "target: 99.9 → 99.8" in row and "0.50 → 0.67" in row and "eased" in row
    assert "<details><summary>Details of 6 changes</summary>" in lines
    assert lines[-1] == "</details>"
    assert "**needs a `reason:`**" in result.stdout


def test_markdown_escapes_table_breaking_titles(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/a.yaml", PEOPLE)
    repo.commit("one")
    repo.edit("okrs/a.yaml", "Hire four engineers", "Hire four | five <b>engineers</b>")
    result = run("diff", "HEAD", "-f", "markdown", "--as-of", AS_OF, cwd=repo.path)
    assert "four \\| five &lt;b&gt;engineers&lt;/b&gt;" in result.stdout
    assert "<b>" not in result.stdout


def test_text_is_grouped_by_objective(run: Run, repo: GitRepo) -> None:
    result = run("diff", "main", "feature", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    main, feature = (repo.git("rev-parse", "main")[:7], repo.git("rev-parse", "feature")[:7])
    assert lines[0] == f"itokr diff main ({main}) → feature ({feature}) · scores as of {AS_OF}"
    reliable = lines.index(next(line for line in lines if line.startswith("  ~ reliable ")))
    assert lines[reliable + 1].startswith("    ~ uptime  Reach 99.9% uptime   score 0.50 → 0.67")
    assert lines[reliable + 2] == "        target  99.9 → 99.8"
    assert "⚑ eased: target eased" in lines[reliable + 3]
    assert any(line.startswith("  + secure ") for line in lines)
    assert "\x1b[" not in result.stdout  # no colour into a pipe


def test_text_colour_follows_the_environment(run: Run, repo: GitRepo) -> None:
    forced = run(
        "diff", "main", "feature", "--as-of", AS_OF, cwd=repo.path, env={"FORCE_COLOR": "1"}
    )
    assert "\x1b[" in forced.stdout
    both = run(
        "diff",
        "main",
        "feature",
        "--as-of",
        AS_OF,
        cwd=repo.path,
        env={"FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert "\x1b[" not in both.stdout


def test_github_annotates_the_changed_lines(run: Run, repo: GitRepo) -> None:
    result = run("diff", "main", "feature", "-f", "github", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    infra = (repo.path / "okrs/2026-Q4/infra.yaml").read_text().splitlines()
    eased = next(line for line in lines if "reliable/uptime" in line)
    assert eased.startswith("::warning file=okrs/2026-Q4/infra.yaml,line=")
    line = int(eased.split("line=")[1].split(",")[0])
    assert infra[line - 1].strip() == "target: 99.8"
    removed = next(line for line in lines if "reliable/runbook" in line)
    line = int(removed.split("line=")[1].split(",")[0])
    assert infra[line - 1].strip() == "key_results:"
    moved = next(line for line in lines if "title=itokr diff%3A hiring" in line)
    assert moved.startswith("::notice file=okrs/2026-Q4/team.yaml,line=4,")


# ---------------------------------------------------------------- errors


def test_not_a_git_repository_exits_2(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root({"a.yaml": PEOPLE})
    result = run("diff", "--as-of", AS_OF, cwd=root.parent)
    assert result.exit_code == 2
    assert "not a git repository" in result.stderr and result.stdout == ""


def test_unknown_revision_exits_2(run: Run, repo: GitRepo) -> None:
    result = run("diff", "no-such-branch", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr
    option_like = run("diff", "main", "--", "--output=x", "--as-of", AS_OF, cwd=repo.path)
    assert option_like.exit_code == 2 and not (repo.path / "x").exists()


def test_no_main_or_master_exits_2(run: Run, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo", branch="trunk")
    repo.write("okrs/a.yaml", PEOPLE)
    repo.commit("one")
    result = run("diff", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 2 and "name the BASE revision" in result.stderr


def test_installed_itokr_separates_report_and_verdict(repo: GitRepo) -> None:
    done = subprocess.run(
        [installed_itokr(), "diff", "main", "-f", "json", "--fail-on", "eased", "--as-of", AS_OF],
        cwd=repo.path / "okrs",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["changes"]  # stdout stays one JSON document
    assert done.stderr.startswith("itokr: 1 unexplained change (--fail-on eased):")
    bad = subprocess.run(
        [installed_itokr(), "diff", "nope"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_github_names_files_from_the_repository_top_wherever_it_runs(
    run: Run, repo: GitRepo
) -> None:
    repo.edit("okrs/2026-Q4/team.yaml", "target: 4", "target: 3")  # in the working tree
    result = run("diff", "HEAD", "-f", "github", "--as-of", AS_OF, cwd=repo.path / "okrs")
    assert result.stdout.splitlines() == [
        "::notice file=okrs/2026-Q4/team.yaml,line=4,title=itokr diff%3A hiring modified::"
        "key results changed; score 0.25 → 0.33",
        "::warning file=okrs/2026-Q4/team.yaml,line=10,title=itokr diff%3A hiring/hires (eased)::"
        "target eased: 4 → 3, towards the baseline 0 — add a reason: to explain it "
        "(target: 4 → 3; score 0.25 → 0.33)",
    ]


def test_a_shallow_clone_says_how_to_fetch_the_base(
    run: Run, repo: GitRepo, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    result = run("diff", "origin/main", "--as-of", AS_OF, cwd=clone)
    assert result.exit_code == 2
    assert "unknown revision 'origin/main'" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_a_rewritten_baseline_fails_until_explained(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/2026-Q4/team.yaml", "baseline: 0", "baseline: 1")
    result = run("diff", "HEAD", "--fail-on", "rebaselined", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 1
    assert "hiring/hires: baseline rewritten: 0 → 1" in result.stderr
    assert "0.25 → 0.00" in result.stdout  # the score a reviewer would otherwise not see move
    repo.edit("okrs/2026-Q4/team.yaml", "baseline: 1", "baseline: 1\n        reason: recount")
    result = run("diff", "HEAD", "--fail-on", "rebaselined", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0
    assert "explained: recount" in result.stdout


def test_an_invalid_head_is_noted_not_fatal(run: Run, repo: GitRepo) -> None:
    repo.write("okrs/2026-Q4/broken.yaml", "objectives:\n  - id: x\n")
    result = run("diff", "HEAD", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0  # validate is the gate for that
    assert "2 validation problems in the head (run `itokr validate`)" in result.stdout
    assert _json(run, "HEAD", cwd=repo.path)["problems"] == {"base": 0, "head": 2}


def test_text_wraps_by_words_at_80_columns_and_names_the_reason_key(
    run: Run, repo: GitRepo
) -> None:
    long_title = "Reach 99.8% monthly uptime of the customer portal and every internal service"
    repo.edit("okrs/2026-Q4/infra.yaml", "title: Reach 99.9% uptime", f"title: {long_title}")
    result = run("diff", "main", "--as-of", AS_OF, cwd=repo.path, env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = " ".join(result.stdout.split())
    assert long_title in words  # wrapped between words, nothing lost or cut
    assert "needs a reason: write `reason:` on this key result" in words
    assert "needs a reason: write `reason:` on its objective" in words  # the removed runbook
    start = next(i for i, line in enumerate(lines) if line.startswith("    ~ uptime  "))
    assert lines[start + 1].startswith("      ")  # continued under a hanging indent
