"""The OKR root at a git revision, read straight from git's objects.

No checkout and no temporary worktree: `git ls-tree -l` names the root's files
at the revision with their sizes, and `git cat-file --batch` streams the bytes of
those within the limits, which `loader.load_documents` turns into a `Tree` exactly
as it does for files on disk (a file over the limit is E008, never read).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from itokr.errors import UsageError
from itokr.gitio import WORKTREE, Repo, git_said, object_sizes, read_blobs, run_git
from itokr.loader import Tree, load_documents, load_root, max_file_bytes
from itokr.rootfiles import (
    CONFIG_NAME,
    MAX_FILE_BYTES,
    Document,
    display_path,
    read_shown,
    too_large,
)

_BLOB, _SYMLINK_MODE = "blob", "120000"


@dataclass(frozen=True)
class Side:
    """One side of a diff: the loaded tree and the bytes it came from."""

    label: str  # what the user asked for: a revision, or WORKTREE
    commit: str | None  # the full commit id; None for the working tree
    tree: Tree
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # of a revision

    def source(self, path: str) -> bytes | None:
        """The bytes of a file as loaded (`path` as the tree's findings name it)."""
        if self.commit is not None:
            return self.sources.get(path)
        return read_shown(path)  # a display path: relative to the cwd, or absolute


@dataclass(frozen=True, slots=True)
class _Blob:
    relative: str  # the path inside the root
    object_id: str
    size: int


def _listing(repo: Repo, commit: str, only: Sequence[str] = ()) -> list[_Blob]:
    """Every yaml blob of the root at `commit` (or those of `only`, paths inside the
    root), with its size, which git reads from the tree and the object headers."""
    prefix = f"{repo.inside}/" if repo.inside else ""
    wanted = [prefix + relative for relative in only] or ([repo.inside] if repo.inside else [])
    spec = ["--", *wanted] if wanted else []
    process = run_git(repo.top, "ls-tree", "-r", "-l", "-z", "--full-tree", commit, *spec)
    if process.returncode != 0:
        raise UsageError(f"cannot list {repo.inside or '.'} at {commit[:12]}: {git_said(process)}")
    found = []
    for record in process.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = meta.decode("ascii").split()
        path = os.fsdecode(raw_path)
        # a symlink's blob is its target's name, not OKRs; hidden directories are skipped
        # as `objective_files` skips them on disk
        if kind != _BLOB or mode == _SYMLINK_MODE or not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        if relative.endswith((".yaml", ".yml")) and not any(
            part.startswith(".") for part in relative.split("/")[:-1]
        ):
            found.append(_Blob(relative, object_id, int(size)))
    return sorted(found, key=lambda blob: blob.relative)


def _documents(
    repo: Repo, listing: Sequence[_Blob], cwd: Path
) -> tuple[Document | None, list[Document]]:
    """The config and the objective files of `listing`, within the limits of SPEC §3 as on
    disk: the config under the default size limit, the others under the config's.

    One `cat-file` reads the config with every file within the default limit; a second
    only the files a raised `limits.max_file_mib` lets in. A file over the limit is
    never read (E008), however large: its size comes from the tree."""
    blobs = read_blobs(repo, [b.object_id for b in listing if b.size <= MAX_FILE_BYTES])
    config = next(
        (
            _document(repo, b, blobs, cwd, MAX_FILE_BYTES)
            for b in listing
            if b.relative == CONFIG_NAME
        ),
        None,
    )
    max_bytes = max_file_bytes(config)
    others = [b for b in listing if b.relative != CONFIG_NAME]
    blobs |= read_blobs(repo, [b.object_id for b in others if MAX_FILE_BYTES < b.size <= max_bytes])
    return config, [_document(repo, b, blobs, cwd, max_bytes) for b in others]


def _document(
    repo: Repo, blob: _Blob, blobs: Mapping[str, bytes | None], cwd: Path, max_bytes: int
) -> Document:
    shown = display_path(repo.root / blob.relative, cwd)
    return _document_of(shown, blob.size, blobs.get(blob.object_id), max_bytes)


def _document_of(shown: str, size: int | None, data: bytes | None, max_bytes: int) -> Document:
    """A blob of `size` bytes as a `Document`: E008 over `max_bytes` (its `data` never read)."""
    if size is not None and size > max_bytes:
        return too_large(shown, max_bytes)
    if data is None:
        return Document(shown, None, "missing from this clone of the repository")
    return Document(shown, data)


def load_revision(repo: Repo, label: str, commit: str, cwd: Path) -> Side:
    """The root as it was at `commit`; a revision without the root is an empty tree."""
    config, documents = _documents(repo, _listing(repo, commit), cwd)
    sources = {d.path: d.data for d in (*documents, *([config] if config else [])) if d.data}
    return Side(label, commit, load_documents(documents, config), sources)


def load_worktree(repo: Repo, cwd: Path) -> Side:
    """The root as it is on disk now, untracked files included (as `validate` sees it)."""
    return Side(WORKTREE, None, load_root(repo.root, cwd))


def load_file_versions(
    repo: Repo,
    versions: Sequence[tuple[str | None, ...]],
    path: str,
    cwd: Path,
    *,
    also: Sequence[str] = (),
) -> dict[tuple[str | None, ...], Tree]:
    """Each `(file, config, *also)` tuple of object ids loaded as a root of that one file
    (shown as `path`, inside the repository), its configuration and the files `also`
    names (the KPI files its key results track, inside the repository), in that order:
    what scoring one file's objectives needs. None for an object: no such file at that
    commit.

    The limits are those of a revision (SPEC §3): each configuration is read under the
    default size limit, the other files under the limit of the configuration they are
    loaded with; sizes come from the object headers, so a version over its limit is E008
    and never read. One `cat-file` reads every version within the default limit, a
    second only those a raised `limits.max_file_mib` lets in."""
    tuples = list(dict.fromkeys(versions))
    sizes = object_sizes(
        repo, [object_id for version in tuples for object_id in version if object_id]
    )
    within = [o for o, size in sizes.items() if size is not None and size <= MAX_FILE_BYTES]
    blobs = read_blobs(repo, within)
    shown = [display_path(repo.top / name, cwd) for name in (path, *also)]
    config_shown = display_path(repo.root / CONFIG_NAME, cwd)

    def document(name: str, object_id: str, max_bytes: int) -> Document:
        return _document_of(name, sizes.get(object_id), blobs.get(object_id), max_bytes)

    configs = {
        version[1]: document(config_shown, version[1], MAX_FILE_BYTES)
        for version in tuples
        if version[1]
    }
    limits = {
        version[1]: max_file_bytes(configs[version[1]] if version[1] else None)
        for version in tuples
    }
    blobs |= read_blobs(
        repo,
        [
            o
            for file, config, *others in tuples
            for o in (file, *others)
            if o and MAX_FILE_BYTES < (sizes.get(o) or 0) <= limits[config]
        ],
    )
    trees = {}
    for version in tuples:
        file, config, *others = version
        objects = (file, *others)
        trees[version] = load_documents(
            [
                document(name, o, limits[config])
                for name, o in zip(shown, objects, strict=True)
                if o
            ],
            configs[config] if config else None,
        )
    return trees
