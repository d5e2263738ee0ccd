"""The root a check-in edits, read under its lock, and the checks an edit passes
before anything is written: each edited file reads back as exactly the intended
data, and the whole root, with the edits, stays valid."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from itokr import yamlio
from itokr.errors import ItokrError
from itokr.loader import FileLoads, Tree, load_documents, read_root
from itokr.rootfiles import Document, display_path, objective_files
from itokr.safewrite import root_lock


@dataclass(frozen=True)
class Root:
    """The root's files as read once: edits replace some, and the root loads again."""

    documents: list[Document]
    config: Document | None
    files: dict[str, Path]  # shown path -> real path
    # what each load made of each file: verifying an edit reads the edited file alone,
    # then checks the root across files again (ids, alignment, KPIs) with it
    loads: FileLoads = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, cwd: Path) -> Root:
        config, documents = read_root(root, cwd)
        files = {display_path(path, cwd): path for path in objective_files(root)}
        return cls(documents, config, files)

    def load(self, *replaced: Document) -> Tree:
        """The root, with `replaced` documents in place of those of their paths."""
        new = {doc.path: doc for doc in replaced}
        documents = [new.get(doc.path, doc) for doc in self.documents]
        return load_documents(documents, self.config, loads=self.loads)


_Done = TypeVar("_Done")


def locked(
    root: Path, cwd: Path, dry_run: bool, timeout: float, work: Callable[[Root], _Done]
) -> _Done:
    """`work` on the root as read under the lock (a dry run, which writes nothing, takes
    none), so a check-in made meanwhile is seen and none is lost."""
    if dry_run:
        return work(Root.read(root, cwd))
    with root_lock(root, timeout):
        return work(Root.read(root, cwd))


def to_edit(files: Root, tree: Tree, path: str) -> tuple[bytes, Any]:
    """The file to edit, once the whole root is valid: its bytes, and its data, to
    change as the edit must read back."""
    _refuse_invalid(tree)
    document = next(doc for doc in files.documents if doc.path == path)
    assert document.data is not None
    return document.data, yamlio.read(document.data)


def valid_root(files: Root) -> Tree:
    """The root as loaded, when it is valid: nothing is written to an invalid one."""
    tree = files.load()
    _refuse_invalid(tree)
    return tree


def _refuse_invalid(tree: Tree) -> None:
    if not tree.ok:
        raise ItokrError(
            f"refusing to write while the OKR root has {problem_count(tree)}: run `itokr validate`"
        )


def problem_count(tree: Tree) -> str:
    """`N problems`, as refusals count the root's findings."""
    count = len(tree.findings)
    return f"{count} problem{'s' if count != 1 else ''}"


def verify(files: Root, edits: Sequence[tuple[Document, Any]], what: str) -> Tree:
    """Each edited file must hold exactly its intended data, and the root, with all of
    them, stay valid; the root so loaded."""
    for document, expected in edits:
        assert document.data is not None
        try:
            holds = yamlio.read(document.data) == expected
        except yamlio.YamlProblem:
            holds = False
        if not holds:
            raise _unread(document.path, what)
    tree = files.load(*(document for document, _ in edits))
    if not tree.ok:
        raise _unread(tree.findings[0].path, what, f": {tree.findings[0].message}")
    return tree


def _unread(path: str, what: str, why: str = "") -> ItokrError:
    return ItokrError(
        f"{path}: the edit for {what} did not read back as intended{why}; "
        "nothing written (please report this, with the file)"
    )


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    """What an edit changes in the file shown as `path`, as `git diff` shows it."""
    before = old.decode("utf-8").splitlines(keepends=True)
    after = new.decode("utf-8").splitlines(keepends=True)
    name = path.lstrip("/")
    lines = difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
