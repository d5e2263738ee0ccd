"""itokr as pre-commit hooks and in CI: the manifest, the file arguments pre-commit
passes, the documented snippets, and (slow, when pre-commit is installed) a real
`pre-commit run` with the config `itokr init` writes, installing the hooks from a
local clone of this repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, Result, installed_itokr
from gitrepo import GitRepo, without_git_variables

Run = Callable[..., Result]
GOOD = """\
    period: 2026-Q4
    owner: platform-team
    area: infrastructure
    objectives:
      - id: reliable-platform
        title: Run a reliable platform for everyone
        key_results:
          - id: uptime
            title: Reach 99.9% monthly uptime
            unit: "%"
            baseline: 99.5
            target: 99.9
          - id: latency
            title: Cut p95 API latency to 200 ms
            unit: ms
            baseline: 250
            target: 200
"""
CHILD = """\
    objectives:
      - id: child
        title: Aligned to an objective in another file
        aligns_to: [reliable-platform]
        key_results:
          - {id: k, title: Something to do, done: false}
"""
BAD = """\
    objectives:
      - id: bad
        title: Missing its key results
"""
VAGUE = """\
    objectives:
      - id: vague
        title: Do better
        key_results:
          - {id: k, title: Something, done: false}
"""


def _hooks() -> dict[str, dict[str, Any]]:
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in manifest}


def test_the_manifest_offers_validate_and_smart() -> None:
    hooks = _hooks()
    assert set(hooks) == {"itokr-validate", "itokr-smart"}
    assert hooks["itokr-validate"]["entry"] == "itokr validate"
    assert hooks["itokr-validate"]["pass_filenames"] is True
    assert hooks["itokr-smart"]["entry"] == "itokr smart"
    assert hooks["itokr-smart"]["pass_filenames"] is True
    assert all(hook["language"] == "python" for hook in hooks.values())


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("okrs/2026-Q4/infra.yaml", True),
        ("okrs/itokr.yaml", True),
        ("teams/platform/okrs/q4.yml", True),
        ("okrs.yaml", False),
        ("docs/okrs.md", False),
        ("myokrs/a.yaml", False),
    ],
)
def test_the_hooks_run_on_files_below_an_okrs_directory(path: str, matched: bool) -> None:
    for hook in _hooks().values():
        assert bool(re.search(hook["files"], path)) is matched


def test_validate_checks_the_files_pre_commit_passes_against_the_whole_root(
    run: Run, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/platform.yaml", GOOD)
    repo.write("okrs/child.yaml", CHILD)
    repo.write("okrs/broken.yaml", BAD)
    ok = run("validate", "okrs/child.yaml", cwd=repo.path)  # its parent is in another file
    assert ok.exit_code == 0, ok.stdout
    bad = run("validate", "okrs/child.yaml", "okrs/broken.yaml", cwd=repo.path)
    assert bad.exit_code == 1 and "okrs/broken.yaml:2:5: E102" in bad.stdout


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```ya?ml\n(.*?)```", text, flags=re.S)


def test_the_ci_documentation_snippets_are_valid_yaml() -> None:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = _yaml_blocks(text)
    assert len(blocks) >= 3  # GitHub Actions, GitLab CI, pre-commit
    for block in blocks:
        assert yaml.safe_load(block)
    assert "itokr diff" in text and "$GITHUB_STEP_SUMMARY" in text
    assert "itokr validate --format github" in text


# ---------------------------------------------------------------- slow: a real pre-commit


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`git+file://CLONE@COMMIT`: a local clone of this checkout's HEAD, as a team hosts it."""
    head = subprocess.run(
        ["git", "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"],
        cwd=REPO,
        check=False,
        env=without_git_variables(),
    )
    if head.returncode != 0:
        pytest.skip("this checkout's HEAD has no .pre-commit-hooks.yaml")
    clone = tmp_path_factory.mktemp("hosted") / "itokr"
    subprocess.run(
        ["git", "clone", "-q", "--no-local", str(REPO), str(clone)],
        check=True,
        env=without_git_variables(),
        timeout=120,
    )
    commit = GitRepo(clone).git("rev-parse", "HEAD")
    return f"git+{clone.as_uri()}@{commit}"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory, hook_source: str) -> Path:
    """One hook environment for the module, built once (tens of seconds, needs PyPI).

    A failure to build it (no network, say) skips the tests: they are about the
    hooks' behaviour, not about reaching a package index.
    """
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    home = tmp_path_factory.mktemp("pre-commit-home")
    repo = _initialized(tmp_path_factory.mktemp("install") / "repo", hook_source)
    built = _pre_commit(repo, home, "install-hooks")
    if built.returncode != 0:
        pytest.skip(f"pre-commit could not build the hook environment: {built.stdout[-500:]}")
    return home


def _initialized(path: Path, source: str, *, example: bool = False) -> GitRepo:
    """A new repository set up by `itokr init --itokr-from SOURCE` (its example removed)."""
    repo = GitRepo(path)
    made = subprocess.run(
        [installed_itokr(), "init", "--itokr-from", source, "--as-of", "2026-11-21"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert made.stderr == ""
    if not example:
        shutil.rmtree(repo.path / "okrs" / "2026-Q4")
    return repo


def _pre_commit(
    repo: GitRepo, home: Path, command: str, *hooks: str, all_files: bool = True
) -> subprocess.CompletedProcess[str]:
    """`pre-commit COMMAND [HOOK]` in `repo`, with the config `itokr init` wrote there;
    without `all_files`, on the staged files alone, as before a commit."""
    repo.git("add", "-A")
    which = ["--all-files"] if all_files else []
    options = [*hooks, *which, "--color", "never"] if command == "run" else []
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", command, *options],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**without_git_variables(), "PRE_COMMIT_HOME": str(home)},
        timeout=600,
    )


@pytest.mark.slow
def test_slow_pre_commit_validate_hook_fails_a_bad_okr_and_passes_a_good_one(
    pre_commit_home: Path, hook_source: str, tmp_path: Path
) -> None:
    repo = _initialized(tmp_path / "repo", hook_source)
    repo.write("okrs/platform.yaml", GOOD)
    repo.write("okrs/broken.yaml", BAD)
    failed = _pre_commit(repo, pre_commit_home, "run", "itokr-validate")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "okrs/broken.yaml:2:5: E102" in failed.stdout
    (repo.path / "okrs/broken.yaml").unlink()
    passed = _pre_commit(repo, pre_commit_home, "run", "itokr-validate")
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_slow_pre_commit_validate_hook_blocks_a_staged_duplicate_id(
    pre_commit_home: Path, hook_source: str, tmp_path: Path
) -> None:
    """Only the new file is staged, and it sorts first: the duplicate is placed in the
    committed file (SPEC §1), and the commit is still refused."""
    repo = _initialized(tmp_path / "repo", hook_source)
    repo.write("okrs/platform.yaml", GOOD)
    repo.commit("the plan")
    repo.write("okrs/another.yaml", GOOD)
    blocked = _pre_commit(repo, pre_commit_home, "run", "itokr-validate", all_files=False)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "okrs/platform.yaml:5:9: E301" in blocked.stdout


@pytest.mark.slow
def test_slow_pre_commit_smart_hook_gates_on_the_smart_score(
    pre_commit_home: Path, hook_source: str, tmp_path: Path
) -> None:
    repo = _initialized(tmp_path / "repo", hook_source)
    repo.write("okrs/platform.yaml", GOOD)
    passed = _pre_commit(repo, pre_commit_home, "run", "itokr-smart")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    repo.write("okrs/vague.yaml", VAGUE)
    failed = _pre_commit(repo, pre_commit_home, "run", "itokr-smart")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "vague" in failed.stdout


@pytest.mark.slow
def test_slow_the_config_init_writes_runs_both_hooks(
    pre_commit_home: Path, hook_source: str, tmp_path: Path
) -> None:
    """What a teammate without itokr gets from `pre-commit run`: both hooks, passing."""
    repo = _initialized(tmp_path / "repo", hook_source, example=True)
    passed = _pre_commit(repo, pre_commit_home, "run")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"itokr validate\.+Passed", passed.stdout)
    assert re.search(r"itokr smart\.+Passed", passed.stdout)
