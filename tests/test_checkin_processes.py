"""The installed `itokr checkin` under concurrency and sudden death."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import installed_itokr
from itokr import checkin as core
from itokr import yamlio
from itokr.checkin_args import make_request
from itokr.loader import load_root

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and signals")

TEAM = """\
# Team objectives
period: 2026-Q4
objectives:
  - id: reliable
    title: Create a highly reliable platform
    key_results:
      - id: uptime
        title: Achieve 99.9% system uptime
        baseline: 99.5
        target: 99.9
        checkins:
          - {date: 2026-10-05, value: 99.6}  # first
      # the last key result
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "team.yaml").write_text(TEAM)
    return okrs


def checkins(root: Path) -> list[dict[str, object]]:
    data = yamlio.read((root / "team.yaml").read_bytes())
    result: list[dict[str, object]] = data["objectives"][0]["key_results"][0]["checkins"]
    return result


def test_exit_codes_and_streams_of_the_real_command(root: Path) -> None:
    itokr = installed_itokr()
    base = [itokr, "--root", str(root), "checkin", "--as-of", "2026-11-21"]
    good = subprocess.run([*base, "reliable/uptime", "99.7"], capture_output=True, text=True)
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.startswith("recorded 99.7 on 2026-11-21 for reliable/uptime")
    bad = subprocess.run([*base, "reliable/uptime", "lots"], capture_output=True, text=True)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("itokr: VALUE 'lots' is not a number")
    negative = subprocess.run(
        [*base, "reliable/uptime", "--", "-1"], capture_output=True, text=True
    )
    assert negative.returncode == 0, negative.stderr
    assert [c["value"] for c in checkins(root)] == [99.6, 99.7, -1]


def test_concurrent_checkins_from_six_processes_are_all_kept(root: Path) -> None:
    """Six people, three check-ins each, at the same moment: eighteen check-ins."""
    script = (
        "import subprocess, sys\n"
        "for n in range(3):\n"
        "    subprocess.run([sys.argv[1], '--root', sys.argv[2], 'checkin', 'reliable/uptime',\n"
        "                    f'{sys.argv[3]}.{n}', '--note', f'p{sys.argv[3]} n{n}',\n"
        "                    '--as-of', '2026-11-21'], check=True, capture_output=True)\n"
    )
    itokr = installed_itokr()
    workers = [
        subprocess.Popen([sys.executable, "-c", script, itokr, str(root), str(person)])
        for person in range(6)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0] * 6
    kept = checkins(root)[1:]
    assert sorted(c["note"] for c in kept) == sorted(
        f"p{p} n{n}" for p in range(6) for n in range(3)
    )
    for person in range(6):  # each person's check-ins in the order they made them
        assert [c["note"] for c in kept if str(c["note"]).startswith(f"p{person} ")] == [
            f"p{person} n{n}" for n in range(3)
        ]
    text = (root / "team.yaml").read_text()
    assert all(line in text.splitlines() for line in TEAM.splitlines())
    assert len(text.splitlines()) == len(TEAM.splitlines()) + 18
    assert load_root(root, root).ok


def test_a_checkin_killed_at_any_moment_leaves_the_old_or_the_new_file(root: Path) -> None:
    itokr = installed_itokr()
    path = root / "team.yaml"
    chance = random.Random(20261121)
    for attempt in range(12):
        old = path.read_bytes()
        request = make_request(
            "reliable/uptime",
            f"99.{attempt}",
            date=None,
            confidence=None,
            note=None,
            milestone=None,
            done=False,
            undo=False,
            as_of=dt.date(2026, 11, 21),
        )
        core.record(request, root, root, dry_run=True)  # the check-in is possible
        worker = subprocess.Popen(
            [
                itokr,
                "--root",
                str(root),
                "checkin",
                "reliable/uptime",
                f"99.{attempt}",
                "--as-of",
                "2026-11-21",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.0, 0.6))
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        new = path.read_bytes()
        if new != old:  # the check-in finished before the kill: exactly its line added
            line = f"          - {{date: 2026-11-21, value: 99.{attempt}}}\n".encode()
            at = old.index(b"      # the last key result")
            assert new == old[:at] + line + old[at:]
        assert load_root(root, root).ok
    leftovers = [name for name in os.listdir(root) if name != "team.yaml"]
    core.record(request, root, root)  # the next check-in sweeps any half-written temporary
    assert set(os.listdir(root)) == {"team.yaml"}, leftovers


def test_a_week_of_parallel_checkins_is_exactly_what_git_diff_shows(tmp_path: Path) -> None:
    """The issue's bar: several people, a week of check-ins, a clean `git diff`."""
    import json
    import shutil

    from conftest import EXAMPLES

    root = tmp_path / "okrs"
    shutil.copytree(EXAMPLES / "it-department", root)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    tree = load_root(root, root)
    refs = [
        f"{entry.id}/{kr.id}"
        for entry in tree.entries
        if entry.period is not None and entry.period.name == "2026-Q4"
        for kr in entry.objective.key_results
        if kr.kind == "metric"
    ][:6]
    week = ["2026-11-16", "2026-11-18", "2026-11-20"]  # Monday, Wednesday, Friday reviews
    script = (
        "import subprocess, sys\n"
        "itokr, root, *refs = sys.argv[1:]\n"
        f"for day in {week!r}:\n"
        "    for ref in refs:\n"
        "        value = str(len(ref) + int(day[-2:]))\n"
        "        done = subprocess.run([itokr, '--root', root, 'checkin', ref, value, '--date',\n"
        "                               day, '--as-of', '2026-11-21'], capture_output=True)\n"
        "        sys.exit(done.stderr.decode() or None) if done.returncode else None\n"
    )
    itokr = installed_itokr()
    people = [
        subprocess.Popen(
            [sys.executable, "-c", script, itokr, str(root), *refs[i : i + 2]],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(0, len(refs), 2)
    ]
    failures = [person.communicate(timeout=300)[1] for person in people]
    assert failures == [""] * len(people)
    numstat = subprocess.run([*git, "diff", "--numstat"], capture_output=True, text=True).stdout
    counts = [line.split("\t")[:2] for line in numstat.splitlines()]
    assert sum(int(added) for added, _ in counts) == len(refs) * len(week)
    assert all(deleted == "0" for _, deleted in counts)
    status = subprocess.run(
        [itokr, "--root", str(root), "status", "--format", "json", "--as-of", "2026-11-21"],
        capture_output=True,
        text=True,
    )
    rows = {
        kr["ref"]: kr
        for objective in json.loads(status.stdout)["objectives"]
        for kr in objective["key_results"]
    }
    for ref in refs:
        assert rows[ref]["last_checkin"] == "2026-11-20"
        assert rows[ref]["current"] == len(ref) + 20
