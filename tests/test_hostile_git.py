"""Old revisions obey the same limits as the files on disk.

`diff`, `status --at`, `history` and `report` read revisions straight from git.
A blob over `limits.max_file_mib` is E008 and is never read (its size comes
from the tree), so a gigabyte committed by anyone costs nothing; a raised
limit lets a large file in at a revision as it does on disk; and every
problem of a revision is named, since `validate` only reads the disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ONE_OBJECTIVE, Result, installed_itokr
from gitrepo import GitRepo, forget_git_variables, without_git_variables

Run = Callable[..., Result]
AS_OF = ("--as-of", "2026-11-01")
VALID = ONE_OBJECTIVE
MIB = 2**20


def padded(size: int, body: str | None = None) -> str:
    """A valid objective file of `size` bytes (`body`, else objective `big`): the rest
    is comment lines."""
    line = "# " + "x" * 77 + "\n"
    if body is None:
        body = VALID.replace("id: a", "id: big").replace("id: k", "id: kb")
    return body + line * ((size - len(body)) // len(line) + 1)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", VALID)
    return repo


def test_a_blob_over_a_lowered_limit_is_e008_and_named(run: Run, repo: GitRepo) -> None:
    repo.write("okrs/itokr.yaml", "limits: {max_file_mib: 1}\n")
    repo.write("okrs/big.yaml", padded(2 * MIB))
    repo.commit("a large file")
    result = run("status", "--at", "HEAD", *AS_OF, cwd=repo.path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "itokr: 1 problem in the OKR files at HEAD:",
        "okrs/big.yaml:1:1: E008 cannot read: larger than 1 MiB: raise `limits.max_file_mib`"
        " in itokr.yaml",
    ]
    done = run("diff", "HEAD", "-f", "json", *AS_OF, cwd=repo.path)
    found = json.loads(done.stdout)["findings"]
    assert [f["code"] for f in found["base"]] == ["E008"]
    assert [f["code"] for f in found["head"]] == ["E008"]  # the working tree, as on disk
    assert "okrs/big.yaml:1:1: E008" in done.stderr


def test_status_at_in_json_lists_the_revisions_problems(run: Run, repo: GitRepo) -> None:
    repo.write(
        "okrs/bad.yaml",
        VALID.replace("id: a", "id: b").replace("    title: Make", "    bogus: 1\n    title: Make"),
    )
    repo.commit("an unknown key")
    repo.write("okrs/bad.yaml", VALID.replace("id: a", "id: b"))  # fixed on disk, not at HEAD
    result = run("status", "--at", "HEAD", "-f", "json", *AS_OF, cwd=repo.path)
    assert result.exit_code == 1
    found = json.loads(result.stdout)["findings"]
    assert found == [
        {
            "path": "okrs/bad.yaml",
            "line": 6,
            "col": 5,
            "code": "E101",
            "message": found[0]["message"],
        }
    ]
    assert "unknown key 'bogus'" in found[0]["message"]
    assert "okrs/bad.yaml:6:5: E101 unknown key 'bogus'" in result.stderr
    on_disk = run("status", "-f", "json", *AS_OF, cwd=repo.path)
    assert (on_disk.exit_code, json.loads(on_disk.stdout)["findings"]) == (0, [])


def test_installed_status_at_names_problems_in_json_and_on_stderr(repo: GitRepo) -> None:
    repo.write("okrs/bad.yaml", "objectives: {}\n")
    repo.commit("objectives is no list")
    done = subprocess.run(
        [installed_itokr(), "status", "--at", "HEAD", "--format", "json", *AS_OF],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env=without_git_variables(),
    )
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert [(f["path"], f["code"]) for f in document["findings"]] == [("okrs/bad.yaml", "E103")]
    assert [o["id"] for o in document["objectives"]] == ["a"]
    assert "okrs/bad.yaml:1:" in done.stderr and "Traceback" not in done.stderr


def test_a_raised_limit_lets_a_large_file_in_at_a_revision(run: Run, repo: GitRepo) -> None:
    repo.write("okrs/itokr.yaml", "limits: {max_file_mib: 20}\n")
    repo.write("okrs/big.yaml", padded(17 * MIB))  # over the default 16 MiB
    repo.commit("a large file, allowed")
    result = run("status", "--at", "HEAD", "-f", "json", *AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    assert [o["id"] for o in json.loads(result.stdout)["objectives"]] == ["big", "a"]


def _peak_kib(cwd: Path, *args: str) -> int:
    """The peak resident memory of `itokr ARGS` (and of the git it runs), in KiB."""
    measure = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=False, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, installed_itokr(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=without_git_variables(),
    )
    return int(done.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage")
def test_a_blob_over_the_limit_costs_no_memory(repo: GitRepo) -> None:
    repo.commit("small")
    small = _peak_kib(repo.path, "status", "--at", "HEAD", *AS_OF)
    with (repo.path / "okrs" / "huge.yaml").open("w") as stream:  # 64 MiB, limit 16 MiB
        stream.write(padded(64 * MIB))
    repo.commit("a huge file")
    huge = _peak_kib(repo.path, "status", "--at", "HEAD", *AS_OF)
    assert huge - small < 8 * 1024, (small, huge)  # KiB: the blob is never read
    diff = _peak_kib(repo.path, "diff", "HEAD~1", "HEAD", *AS_OF)
    assert diff - small < 8 * 1024, (small, diff)


# ---------------------------------------------------------------- history reads old plans too


def _target(target: int) -> str:
    return VALID.replace("target: 10", f"target: {target}")


def _targets(run: Run, repo: GitRepo) -> dict[str, int]:
    done = run("history", "a/k", "-f", "json", *AS_OF, cwd=repo.path)
    assert done.exit_code == 0, done.stderr
    return {p["date"]: p["target"] for p in json.loads(done.stdout)["points"]}


def test_history_names_an_old_version_over_the_limit_and_reads_a_raised_one(
    run: Run, repo: GitRepo
) -> None:
    repo.write("okrs/itokr.yaml", "limits: {max_file_mib: 1}\n")
    repo.commit_on("2026-10-01", "plan")
    repo.write("okrs/team.yaml", padded(2 * MIB, _target(20)))
    huge = repo.commit_on("2026-10-10", "a large version")  # E008: no plan that day
    repo.write("okrs/team.yaml", _target(12))
    repo.commit_on("2026-10-20", "back to small")
    assert _targets(run, repo) == {"2026-10-01": 10, "2026-10-05": 10, "2026-10-20": 12}
    done = run("history", "a/k", *AS_OF, cwd=repo.path)
    assert done.exit_code == 0  # the working tree is fine: an old revision's problem is news
    assert done.stderr.splitlines() == [
        f"itokr: 1 problem in the OKR files at {huge[:12]}:",
        "okrs/team.yaml:1:1: E008 cannot read: larger than 1 MiB: raise `limits.max_file_mib`"
        " in itokr.yaml",
    ]
    document = json.loads(run("history", "a/k", "-f", "json", *AS_OF, cwd=repo.path).stdout)
    assert [(f["commit"], f["code"]) for f in document["findings"]] == [(huge, "E008")]

    repo.write("okrs/itokr.yaml", "limits: {max_file_mib: 20}\n")
    repo.write("okrs/team.yaml", padded(17 * MIB, _target(30)))  # over the default 16 MiB
    repo.commit_on("2026-10-25", "a larger limit, and a large version within it")
    repo.write("okrs/team.yaml", _target(12))
    repo.commit_on("2026-10-28", "back to small")
    targets = _targets(run, repo)
    assert (targets["2026-10-25"], targets["2026-10-28"]) == (30, 12)


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage")
def test_a_huge_old_version_costs_history_no_memory(repo: GitRepo) -> None:
    repo.commit_on("2026-10-01", "plan")
    repo.write("okrs/team.yaml", _target(12))
    repo.commit_on("2026-10-02", "a new target")
    small = _peak_kib(repo.path, "history", "a/k", *AS_OF)
    with (repo.path / "okrs" / "team.yaml").open("w") as stream:  # 64 MiB, limit 16 MiB
        stream.write(padded(64 * MIB, _target(20)))
    repo.commit_on("2026-10-10", "a huge version")
    repo.write("okrs/team.yaml", _target(12))
    repo.commit_on("2026-10-20", "back to small")
    huge = _peak_kib(repo.path, "history", "a/k", *AS_OF)
    assert huge - small < 8 * 1024, (small, huge)  # KiB: neither its diff nor itself is read


def test_history_does_not_call_an_alignment_to_another_file_a_problem(
    run: Run, repo: GitRepo
) -> None:
    """History reads one file of each revision: alignment is checked across a root."""
    repo.write("okrs/parent.yaml", VALID.replace("id: a", "id: parent"))
    repo.write(
        "okrs/team.yaml",
        VALID.replace("    key_results:", "    aligns_to: [parent]\n    key_results:"),
    )
    repo.commit_on("2026-10-01", "aligned")
    done = run("history", "a/k", *AS_OF, cwd=repo.path)
    assert (done.exit_code, done.stderr) == (0, "")


def test_report_names_the_problems_of_the_commit_it_compares_with(run: Run, repo: GitRepo) -> None:
    repo.write("okrs/itokr.yaml", "limits: {max_file_mib: 1}\n")
    repo.write("okrs/big.yaml", padded(2 * MIB))
    base = repo.commit_on("2026-09-20", "planned, with a large file")
    (repo.path / "okrs" / "big.yaml").unlink()
    result = run("report", "--period", "2026-Q4", *AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"itokr: 1 problem in the OKR files at {base[:12]}:",
        "okrs/big.yaml:1:1: E008 cannot read: larger than 1 MiB: raise `limits.max_file_mib`"
        " in itokr.yaml",
    ]
