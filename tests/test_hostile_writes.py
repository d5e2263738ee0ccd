"""Writes stay inside the tree, never replace what is not a file, and never lose
another program's write.

Attacks from an audit: `report -o` over a device node, a FIFO, or through a
symbolic link (mode 600 became 644); `carry` and `init` following a symbolic
link to a directory out of the root; a check-in overwriting what an editor
saved between its last look and its rename; temporary files of a killed
check-in showing up in `git status`; a lock that only worked on POSIX.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ONE_OBJECTIVE, Result, installed_itokr
from itokr import safewrite
from itokr.errors import ItokrError

Run = Callable[..., Result]
AS_OF = ("--as-of", "2026-11-01")
TEAM = ONE_OBJECTIVE
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types and modes")
as_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="only root makes device nodes and gives files"
)


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"team.yaml": TEAM})


def report(root: Path, output: Path) -> subprocess.CompletedProcess[str]:
    """The installed `itokr report -o OUTPUT`: a FIFO must not make it hang."""
    return subprocess.run(
        [installed_itokr(), "--root", str(root), "report", "-o", str(output), *AS_OF],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ---------------------------------------------------------------- output files


@posix_only
def test_report_writes_through_a_link_keeping_the_targets_mode(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "private" / "review.md"
    target.parent.mkdir()
    target.write_text("old review\n")
    target.chmod(0o600)
    link = tmp_path / "review.md"
    link.symlink_to(target)
    done = report(root, link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("# Review of 2026-Q4")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@posix_only
def test_report_refuses_a_fifo(root: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "review.md"
    os.mkfifo(fifo)
    done = report(root, fifo)
    assert done.returncode == 1
    assert done.stderr.endswith("review.md is a FIFO; nothing written: name a file\n")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@as_root
def test_report_refuses_a_device_node(root: Path, tmp_path: Path) -> None:
    """As root, a replaced /dev/null breaks the machine: test with a node of our own."""
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    link = tmp_path / "review.md"
    link.symlink_to(node)
    for output in (node, link):
        done = report(root, output)
        assert done.returncode == 1
        assert done.stderr.endswith("is a device; nothing written: name a file\n")
        assert stat.S_ISCHR(node.stat().st_mode)


def test_report_refuses_a_directory(root: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    done = report(root, tmp_path / "out")
    assert done.returncode == 1 and "is a directory; nothing written" in done.stderr
    assert (tmp_path / "out").is_dir()


@as_root
def test_an_output_file_keeps_its_owner(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "review.md"
    target.write_text("old\n")
    os.chown(target, 1234, 1234)
    assert report(root, target).returncode == 0
    assert (target.stat().st_uid, target.stat().st_gid) == (1234, 1234)


# ---------------------------------------------------------------- staying inside


@posix_only
def test_carry_refuses_a_linked_folder_leading_out_of_the_root(
    run: Run, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "2027-Q1").symlink_to(outside)
    result = run("--root", str(root), "carry", "2026-Q4", "2027-Q1", *AS_OF, cwd=tmp_path)
    assert result.exit_code == 1
    assert "leads out of" in result.stderr and "nothing written" in result.stderr
    assert list(outside.iterdir()) == []


@posix_only
def test_carry_still_writes_where_it_is_told_outside_the_root(
    run: Run, root: Path, tmp_path: Path
) -> None:
    """An explicit --output outside the root is the user's choice, not a link's."""
    result = run(
        "--root", str(root), "carry", "2026-Q4", "2027-Q1", "-o", str(tmp_path / "next.yaml"),
        *AS_OF,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "next.yaml").exists()


@posix_only
@pytest.mark.parametrize("linked", ["okrs", ".github", "okrs/2026-Q4"])
def test_init_refuses_a_linked_folder_leading_out(run: Run, tmp_path: Path, linked: str) -> None:
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    outside.mkdir()
    (project / linked).parent.mkdir(parents=True, exist_ok=True)
    (project / linked).symlink_to(outside)
    result = run("init", str(project), "--as-of", "2026-11-01")
    assert result.exit_code == 2
    assert "leads out of" in result.stderr
    assert list(outside.iterdir()) == []
    assert not (project / ".pre-commit-config.yaml").exists()  # nothing at all was written


@posix_only
def test_import_refuses_a_linked_folder_leading_out_and_writes_nothing(
    run: Run, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "2027-Q1").symlink_to(outside)
    sheet = tmp_path / "okrs.csv"
    sheet.write_text(
        "Objective,Key result,Owner,Period,Baseline,Target,Unit\n"
        "Cut the cost of IT,Cut cloud spend from 120 to 108,finops,2027-Q2,120,108,k$\n"
        "Ship it faster,Cut lead time from 10 to 5 days,delivery,2027-Q1,10,5,d\n"
    )
    maps = ["--map", "Objective=objective_title", "--map", "Key result=kr_title"]
    result = run("--root", str(root), "import", str(sheet), *maps, *AS_OF, cwd=tmp_path)
    assert result.exit_code == 1
    assert "leads out of" in result.stderr and "nothing written" in result.stderr
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in root.rglob("*.yaml")) == ["team.yaml"]  # all or none


# ---------------------------------------------------------------- a non-cooperating writer


def _meddle_during_staging(monkeypatch: pytest.MonkeyPatch, write: Callable[[], object]) -> None:
    """Another program writes the file while the check-in's temporary is being synced:
    after the first look, before the rename."""
    fsync = os.fsync
    done: list[bool] = []

    def slow_fsync(handle: int) -> None:
        fsync(handle)
        if not done:
            done.append(True)
            write()

    monkeypatch.setattr(os, "fsync", slow_fsync)  # the module safewrite calls it through


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text + "# appended by an editor\n",  # another size
        lambda text: text.replace("target: 10", "target: 12"),  # same size, other bytes
    ],
    ids=["appended", "same-size"],
)
def test_a_write_between_the_last_look_and_the_rename_is_kept(
    run: Run, root: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[str], str]
) -> None:
    path = root / "team.yaml"
    theirs = edit(TEAM)
    _meddle_during_staging(monkeypatch, lambda: path.write_text(theirs))
    result = run("--root", str(root), "checkin", "a/k", "4", *AS_OF)
    assert result.exit_code == 1
    assert "changed while checking in; nothing written" in result.stderr
    assert path.read_text() == theirs
    assert not [n for n in os.listdir(root) if n.endswith(safewrite.TEMP_SUFFIX)]


def test_a_file_replaced_by_an_editor_with_the_same_bytes_is_not_written_over(
    run: Run, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that saves by rename makes a new file: the check-in looks again."""
    path = root / "team.yaml"

    def save_by_rename() -> None:
        (root / "saved.tmp").write_text(TEAM)
        os.replace(root / "saved.tmp", path)

    _meddle_during_staging(monkeypatch, save_by_rename)
    result = run("--root", str(root), "checkin", "a/k", "4", *AS_OF)
    assert result.exit_code == 1 and "changed while checking in" in result.stderr


# ---------------------------------------------------------------- temporaries


def test_init_makes_git_ignore_temporaries(run: Run, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    run("init", "--as-of", "2026-11-01", cwd=tmp_path)
    left = tmp_path / "okrs" / "2026-Q4" / f".platform.yaml.k3x9{safewrite.TEMP_SUFFIX}"
    left.write_text("half a fi")
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "itokr-tmp" not in status and "okrs/.gitignore" in status


def test_old_temporaries_of_other_files_are_swept_young_ones_kept(run: Run, root: Path) -> None:
    old = root / f".other.yaml.a1b2{safewrite.TEMP_SUFFIX}"
    young = root / f".other.yaml.c3d4{safewrite.TEMP_SUFFIX}"
    for left in (old, young):
        left.write_text("half")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert run("--root", str(root), "checkin", "a/k", "4", *AS_OF).exit_code == 0
    assert not old.exists() and young.exists()  # young: perhaps a report being written


# ---------------------------------------------------------------- the lock


@pytest.fixture(params=["directory", "file"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both locks: flock on the root (POSIX) and filelock's (what Windows uses)."""
    if request.param == "file":
        pytest.importorskip("filelock")
        monkeypatch.setattr(safewrite, "_locks_directories", lambda: False)
    elif os.name != "posix":
        pytest.skip("directory locks are POSIX")
    return str(request.param)


def test_the_lock_waits_then_gives_up_and_leaves_no_file(lock_kind: str, root: Path) -> None:
    before = sorted(os.listdir(root))
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with safewrite.root_lock(root):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        held.wait(10)
        started = time.monotonic()
        with (
            pytest.raises(ItokrError, match="held the lock") as caught,
            safewrite.root_lock(root, timeout=0.3),
        ):
            pass
        assert caught.value.exit_code == 1 and time.monotonic() - started >= 0.3
    finally:
        release.set()
        thread.join()
    with safewrite.root_lock(root, timeout=1):  # free again once released
        assert sorted(os.listdir(root)) == before  # no lock file in the tree


@pytest.mark.skipif(sys.platform == "win32", reason="a second process holding the lock")
def test_a_checkin_waits_for_a_lock_held_by_another_process(root: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from itokr import safewrite\n"
            "with safewrite.root_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(1.5)\n",
            str(root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    started = time.monotonic()
    done = subprocess.run(
        [installed_itokr(), "--root", str(root), "checkin", "a/k", "4", *AS_OF],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    holder.communicate()
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.0  # it waited its turn
