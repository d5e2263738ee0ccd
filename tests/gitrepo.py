"""Real temporary git repositories for the tests of commands that read or write git."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def without_git_variables() -> dict[str, str]:
    """The environment minus GIT_DIR and friends, which a git hook running the tests sets."""
    return {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}


def forget_git_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `itokr diff` run in-process see the test's repository, not the caller's."""
    for name in os.environ:
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def own_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse in each test module that imports it: `forget_git_variables` for every test."""
    forget_git_variables(monkeypatch)


def commit_all(path: Path, message: str) -> None:
    """Make `path` a repository (branch main) with all it holds committed, and a
    committer named in its own config, so that an installed itokr can commit there."""
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.name", "Test Lead"),
        ("config", "user.email", "lead@example.com"),
        ("add", "."),
        ("commit", "-q", "-m", message),
    ):
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)


class GitRepo:
    """A repository in `path`, with helpers that write, commit and branch."""

    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=True,
            env={**without_git_variables(), **_IDENTITY},
        )
        return done.stdout.strip()

    def write(self, name: str, text: str) -> None:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.path / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def commit_on(self, day: str, message: str) -> str:
        """A commit dated `day` (author and committer alike), at noon UTC."""
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
