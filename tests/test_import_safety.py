"""`itokr import` never overwrites, never half-writes, and refuses what would not validate."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result, installed_itokr
from itokr import safewrite
from itokr.errors import ItokrError
from itokr.loader import load_root

VIVA = REPO / "examples" / "import" / "viva-goals-export.csv"
EXISTING = """\
period: 2025-Q1
owner: Priya Raman
objectives:
  - id: run-a-highly-reliable-and-scalable-it-platform
    title: Keep the old platform running until the move
    key_results:
      - {id: up, title: Keep the old platform up, baseline: 90, target: 99, unit: "%"}
"""


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _import(run: Callable[..., Result], root: Path, *args: str) -> Result:
    """Import the Viva sample from the root's parent, where paths show as `okrs/...`."""
    return run("--root", str(root), "import", str(VIVA), *args, cwd=root.parent)


def test_a_second_import_finds_every_objective_already_there(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({})
    assert _import(run, root).exit_code == 0
    before = _tree(root)
    again = _import(run, root)
    assert again.exit_code == 1
    assert again.stdout.count(" I201 objective ") == 3
    assert "is already in the root as run-a-highly-reliable-and-scalable-it-platform in " in (
        again.stdout
    )
    assert _tree(root) == before


def test_ids_and_file_names_taken_in_the_root_get_a_suffix(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"2025-Q1/priya-raman.yaml": EXISTING})
    before = (root / "2025-Q1/priya-raman.yaml").read_bytes()
    result = _import(run, root)
    assert result.exit_code == 0, result.stdout
    assert (root / "2025-Q1/priya-raman.yaml").read_bytes() == before
    assert "okrs/2025-Q1/priya-raman-2.yaml" in result.stdout
    ids = {entry.id for entry in load_root(root, root).entries}
    assert "run-a-highly-reliable-and-scalable-it-platform-2" in ids
    assert "objective id" not in result.stdout  # Viva's ids are its own; only itokr's are noted


def test_an_own_id_taken_in_the_root_is_renamed_and_alignments_follow(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root(
        {"old.yaml": EXISTING.replace("run-a-highly-reliable-and-scalable-it-platform", "o")}
    )
    source = tmp_path / "export.csv"
    source.write_text(
        "objective_id,objective_title,period,aligns_to,kr_id,kr_title,baseline,target\n"
        "o,Run the new platform,2025-Q2,,k,Keep it up,90,99\n"
        "p,Serve the customers well,2025-Q2,o,k,Answer tickets fast,9,5\n"
        "q,Follow the old platform,2025-Q2,o,k,Keep it up as well,90,99\n",
        encoding="utf-8",
    )
    result = run("--root", str(root), "import", str(source), cwd=root.parent)
    assert result.exit_code == 0, result.stdout
    assert "line 2: objective id 'o' is taken: now o-2" in result.stdout
    entries = {entry.id: entry for entry in load_root(root, root).entries}
    assert entries["o-2"].objective.title == "Run the new platform"
    assert entries["p"].objective.aligns_to == ["o-2"]  # the file's own o, not the root's


def test_dry_run_prints_the_files_and_writes_nothing(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({})
    result = _import(run, root, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("# ==> okrs/2025-Q1/priya-raman.yaml <==\n# Imported by")
    assert result.stderr.startswith("Would write 3 files from ")
    assert "Would define in okrs/itokr.yaml:" in result.stderr
    assert list(root.iterdir()) == []


def test_json_summary(run: Callable[..., Result], make_root: Callable[..., Path]) -> None:
    root = make_root({})
    document = json.loads(_import(run, root, "--dry-run", "--format", "json").stdout)
    assert document["ok"] is True and document["written"] is False
    assert document["from"] == "Viva Goals explorer view"
    assert [f["path"] for f in document["files"]] == [
        "okrs/2025-Q1/priya-raman.yaml",
        "okrs/2025-Q1/maria-lopez.yaml",
        "okrs/FY2025/ana-silva.yaml",
    ]
    assert document["files"][0]["text"].startswith("# Imported by")
    assert document["periods"] == {"FY2025": {"start": "2024-07-01", "end": "2025-06-30"}}
    assert document["errors"] == []
    again = json.loads(_import(run, root, "--format", "json").stdout)
    assert again["written"] is True and again["files"][0]["text"] is None


def test_into_must_be_inside_the_root(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root({})
    result = _import(run, root, "--into", str(tmp_path / "elsewhere"))
    assert result.exit_code == 2
    assert "not inside the OKR root" in result.stderr
    assert not (tmp_path / "elsewhere").exists()
    hidden = _import(run, root, "--into", str(root / ".drafts"))
    assert hidden.exit_code == 2 and "hidden folders" in hidden.stderr


def test_a_root_with_problems_is_refused(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"bad.yaml": "objectives: [{id: Bad}]\n"})
    result = _import(run, root)
    assert result.exit_code == 1
    assert "refusing to import while the OKR root has" in result.stderr
    assert _tree(root) == {"bad.yaml": b"objectives: [{id: Bad}]\n"}


def test_a_failing_write_takes_back_every_file(
    run: Callable[..., Result], make_root: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root({"itokr.yaml": "organization: Acme\n"})
    real_link, calls = os.link, []

    def link_then_fail(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_link(source, target)

    monkeypatch.setattr(os, "link", link_then_fail)  # as safewrite calls it
    result = _import(run, root)
    assert result.exit_code == 1
    assert "No space left on device; nothing written" in result.stderr
    assert _tree(root) == {"itokr.yaml": b"organization: Acme\n"}  # no temporary files either


def test_a_failing_config_write_takes_back_the_new_files(
    run: Callable[..., Result], make_root: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_root({"itokr.yaml": "organization: Acme\n"})

    def changed(path: Path, old: bytes, new: bytes) -> None:
        raise ItokrError(f"{path} changed while checking in; nothing written: run it again")

    monkeypatch.setattr(safewrite, "replace_file", changed)
    result = _import(run, root)
    assert result.exit_code == 1
    assert _tree(root) == {"itokr.yaml": b"organization: Acme\n"}


def test_the_config_gains_the_period_and_keeps_everything_else(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    config = "# Acme\norganization: Acme   # aligned\nperiods:\n"
    config += "  FY27: {start: 2026-07-01, end: 2027-06-30}\n"
    root = make_root({"itokr.yaml": config})
    assert _import(run, root).exit_code == 0
    assert (root / "itokr.yaml").read_text() == config + (
        "  FY2025: {start: 2024-07-01, end: 2025-06-30}\n"
    )


def test_installed_entry_point_exit_codes(make_root: Callable[..., Path], tmp_path: Path) -> None:
    itokr = installed_itokr()
    root = make_root({})
    base = [itokr, "--root", str(root), "import"]
    good = subprocess.run([*base, str(VIVA)], capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout.startswith("Wrote 3 files") and good.stderr == ""
    again = subprocess.run([*base, str(VIVA)], capture_output=True, text=True)
    assert again.returncode == 1 and " I201 " in again.stdout and again.stderr == ""
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\xff\xfe\x00garbage\x00")
    bad = subprocess.run([*base, str(junk)], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("itokr: ")
    assert "Traceback" not in bad.stderr
