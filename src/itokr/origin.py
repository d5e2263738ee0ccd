"""Where a team gets itokr from, so the CI and pre-commit files `init` writes install the same.

itokr is not on PyPI: `pip install itokr` would fetch nothing (or a squatter's
package). A team installs it from a git URL, which pip records (PEP 610,
`direct_url.json`) when it installs from one; `itokr init` reads that record, or
the `--itokr-from` requirement the user gives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from itokr.errors import UsageError

# A pip requirement as one word, without the characters that YAML, a GitHub
# expression or a shell would read as syntax in the files `init` writes.
_SAFE_SPEC = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/?@+=%!,&;\[\]()<>*-]*")


@dataclass(frozen=True)
class Source:
    """A pip requirement for itokr and, when it names a git revision, its repository."""

    spec: str
    repo: str | None = None  # for pre-commit's `repo:`
    rev: str | None = None  # for pre-commit's `rev:`


def parse(spec: str) -> Source:
    """`--itokr-from`: a pip requirement as one word, `git+URL@REV` for the hooks too."""
    if not _SAFE_SPEC.fullmatch(spec):
        raise UsageError(
            f"--itokr-from {spec!r}: expected a pip requirement as one word without quotes, "
            "braces, $ or #, such as git+https://github.com/OWNER/itokr@v0.1.0"
        )
    url, at, rev = spec.removeprefix("git+").rpartition("@")
    if not spec.startswith("git+") or not at or "/" in rev or "://" not in url:
        return Source(spec)  # an index name or an archive: pip can use it, pre-commit cannot
    return Source(spec, repo=url, rev=rev)


def from_direct_url(text: str) -> Source | None:
    """The git URL and commit pip recorded for an install from git (PEP 610), else None."""
    try:
        record = json.loads(text)
        vcs = record["vcs_info"]
        url, commit = record["url"], vcs["commit_id"]
    except (ValueError, KeyError, TypeError):
        return None  # installed from a directory, an archive or an index: no git URL
    if vcs.get("vcs") != "git" or not isinstance(url, str) or not isinstance(commit, str):
        return None
    try:
        return parse(f"git+{url}@{commit}")
    except UsageError:
        return None


def installed() -> Source | None:
    """Where this copy of itokr was installed from, when that was a git URL."""
    from importlib import metadata

    try:
        text = metadata.distribution("itokr").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    return from_direct_url(text) if text else None
