"""`itokr due --format commands`: a shell script of `itokr checkin` lines and comments."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import Result

HOSTILE = """\
period: 2026-Q4
owner: "ops team; rm -rf ~"
objectives:
  - id: ops
    title: Keep operations calm
    key_results:
      - id: pages
        title: |-
          Cut pages
          $(touch {marker}) `touch {marker}`
        baseline: 50
        target: 10
        checkins: [{{date: 2026-10-20, value: 40}}]
      - id: runbook
        title: Publish the runbook; touch {marker}
        done: false
        due: 2026-11-25
kpis:
  - id: mttr
    title: Mean time to repair
    unit: h
    good: 4
    bad: 8
    every: 1m
    checkins: [{{date: 2026-09-01, value: 5}}]
"""


def _script(run: Callable[..., Result], cwd: Path, *args: str) -> str:
    result = run(*args, "due", "--as-of", "2026-11-21", "--format", "commands", cwd=cwd)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_only_checkin_lines_and_comments(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    root = make_root({"ops.yaml": HOSTILE.format(marker=marker)})
    script = _script(run, root, "--root", str(root))
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert [shlex.split(line) for line in commands] == [
        ["itokr", "--root", str(root), "checkin", ref]
        for ref in ("ops/pages", "ops/runbook", "mttr")
    ]
    assert "# ops team; rm -rf ~" in script.splitlines()
    # the title's second line stays inside its comment
    assert any(line.startswith("# Cut pages $(touch") for line in script.splitlines())


def test_the_script_runs_in_a_shell_and_runs_nothing_else(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    """Saved and run by a real shell, with a stand-in `itokr` that records its arguments:
    each line is one call with the words it shows, and no text from the files runs."""
    marker = tmp_path / "pwned"
    root = make_root({"ops.yaml": HOSTILE.format(marker=marker)})
    odd = tmp_path / "my okrs $HOME"
    root.rename(odd)
    script = tmp_path / "checkins.sh"
    script.write_text(_script(run, odd, "--root", str(odd)))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    stub = bin_dir / "itokr"
    stub.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> "{calls}"\necho >> "{calls}"\n')
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["sh", str(script)], check=True, env=env, timeout=30)
    assert calls.read_text().splitlines() == [
        f"--root|{odd}|checkin|{ref}|" for ref in ("ops/pages", "ops/runbook", "mttr")
    ]
    assert not marker.exists()


def test_without_root_the_lines_are_plain(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"ops.yaml": HOSTILE.format(marker="x")})
    script = _script(run, root.parent, "--root", "okrs")
    assert "itokr --root okrs checkin ops/pages" in script.splitlines()
    result = run("due", "--as-of", "2026-11-21", "--format", "commands", cwd=root.parent)
    assert "itokr checkin ops/pages" in result.stdout.splitlines()


def test_nothing_owed_is_a_script_of_comments(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"ops.yaml": HOSTILE.format(marker="x")})
    result = run("--root", str(root), "due", "--as-of", "2027-06-01", "-f", "commands")
    assert result.exit_code == 0
    # the KPI still owes its reading: only it is listed
    assert [line for line in result.stdout.splitlines() if line and line[0] != "#"] == [
        f"itokr --root {root} checkin mttr"
    ]
