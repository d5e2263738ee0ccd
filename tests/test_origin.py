"""Where itokr came from: the pip record (PEP 610) and `--itokr-from`."""

from __future__ import annotations

import json

import pytest

from itokr import origin
from itokr.errors import UsageError


def test_a_git_install_gives_its_url_and_commit() -> None:
    record = {
        "url": "https://git.example.com/tools/itokr.git",
        "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0", "commit_id": "a1b2c3"},
    }
    assert origin.from_direct_url(json.dumps(record)) == origin.Source(
        "git+https://git.example.com/tools/itokr.git@a1b2c3",
        repo="https://git.example.com/tools/itokr.git",
        rev="a1b2c3",
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"url": "file:///home/me/itokr", "dir_info": {"editable": true}}',
        '{"url": "https://h/itokr.tar.gz", "archive_info": {}}',
        '{"url": "https://h/i", "vcs_info": {"vcs": "hg", "commit_id": "abc"}}',
        '{"url": "https://h/i it", "vcs_info": {"vcs": "git", "commit_id": "abc"}}',
        "not json",
        "[]",
    ],
)
def test_no_git_url_no_source(text: str) -> None:
    assert origin.from_direct_url(text) is None


@pytest.mark.parametrize(
    ("spec", "repo", "rev"),
    [
        ("git+https://github.com/acme/itokr@v1.0", "https://github.com/acme/itokr", "v1.0"),
        ("git+ssh://git@host/acme/itokr.git@abc123", "ssh://git@host/acme/itokr.git", "abc123"),
        ("git+ssh://git@host/acme/itokr.git", None, None),  # no revision: nothing to pin
        ("itokr==0.1.0", None, None),
    ],
)
def test_parse(spec: str, repo: str | None, rev: str | None) -> None:
    assert origin.parse(spec) == origin.Source(spec, repo=repo, rev=rev)


def test_a_requirement_with_syntax_is_refused() -> None:
    with pytest.raises(UsageError):
        origin.parse("git+https://h/i@v1' }}")
