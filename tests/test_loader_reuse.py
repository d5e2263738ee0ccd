"""A root loaded again with files changed is the root loaded afresh; the unchanged files
are not read twice (a check-in's verification costs one file, not the root: SPEC §4)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result
from itokr import loader
from itokr.loader import FileLoads, load_documents, read_root
from itokr.rootfiles import Document

OTHER = b"""\
period: 2026-Q4
owner: ops
objectives:
  - id: other
    title: Keep the lights on for every team
    key_results:
      - {id: k, title: Answer every page in time, baseline: 0, target: 10}
"""


def documents() -> tuple[Document | None, list[Document]]:
    config, found = read_root(EXAMPLES / "it-department", Path.cwd())
    return config, [*found, Document("extra/other.yaml", OTHER)]


def same(first: loader.Tree, second: loader.Tree) -> None:
    assert first.findings == second.findings
    assert first.entries == second.entries
    assert first.kpis == second.kpis
    assert (first.config, first.files) == (second.config, second.files)


@pytest.mark.parametrize(
    "changed",
    [
        OTHER.replace(b"target: 10", b"target: 12"),  # a value
        OTHER.replace(b"id: other", b"id: laptop-fleet-health"),  # an id used elsewhere
        OTHER.replace(b"    key_results:", b"    aligns_to: [nowhere]\n    key_results:"),
        OTHER.replace(b"baseline: 0", b"baseline: zero"),  # the file turns invalid
        b"objectives: [",  # and unreadable
        b"",  # and empty
    ],
)
def test_a_root_loaded_again_with_a_file_changed_is_the_root_loaded_afresh(
    changed: bytes,
) -> None:
    config, docs = documents()
    loads: FileLoads = {}
    load_documents(docs, config, loads=loads)
    edited = [*docs[:-1], Document("extra/other.yaml", changed)]
    same(load_documents(edited, config, loads=loads), load_documents(edited, config))
    same(load_documents(docs, config, loads=loads), load_documents(docs, config))


def test_marks_and_limits_are_part_of_what_a_file_load_is() -> None:
    config, docs = documents()
    loads: FileLoads = {}
    plain = load_documents(docs, config, loads=loads)
    marked = load_documents(docs, config, marks=True, loads=loads)
    assert not plain.marks and set(marked.marks) == {d.path for d in docs}


def test_a_checkin_reads_the_files_of_the_root_once_and_the_edited_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    for number in range(5):
        (root / f"team-{number}.yaml").write_bytes(OTHER.replace(b"other", b"other-%d" % number))
    read: list[str] = []
    load_file = loader._load_file

    def counted(document: Document, *args: object) -> loader.FileLoad:
        read.append(document.path)
        return load_file(document, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_load_file", counted)
    done = run(
        "checkin", "other-3/k", "4", "--date", "2026-11-02", "--as-of", "2026-11-21", cwd=tmp_path
    )
    assert done.exit_code == 0 and b"value: 4" in (root / "team-3.yaml").read_bytes()
    assert sorted(read) == sorted([f"okrs/team-{n}.yaml" for n in range(5)] + ["okrs/team-3.yaml"])
