"""`itokr due --format commands`: a shell script of `itokr checkin` lines and comments."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import Result, installed_itokr

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


def _script(run: Callable[..., Result], cwd: Path, *args: str, **env: str) -> str:
    result = run(
        *args, "due", "--as-of", "2026-11-21", "--format", "commands", cwd=cwd, env=env or None
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _commands(script: str) -> list[list[str]]:
    return [shlex.split(line) for line in script.splitlines() if not line.startswith("#")]


def test_only_checkin_lines_and_comments(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    root = make_root({"ops.yaml": HOSTILE.format(marker=marker)})
    script = _script(run, root, "--root", str(root))
    lines = script.splitlines()
    # no blank line either: every line is a comment or starts `itokr checkin REF`
    assert all(line.startswith(("#", "itokr checkin ")) for line in lines)
    assert _commands(script) == [
        ["itokr", "checkin", ref, "--root", str(root.resolve())]
        for ref in ("ops/pages", "ops/runbook", "mttr")
    ]
    assert "# owner: ops team; rm -rf ~" in lines
    # the title's second line stays inside its comment
    assert any(line.startswith("# Cut pages $(touch") for line in lines)


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
        f"checkin|{ref}|--root|{odd.resolve()}|" for ref in ("ops/pages", "ops/runbook", "mttr")
    ]
    assert not marker.exists()


def test_a_root_named_relatively_is_written_absolute(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    """`--root okrs` and ITOKR_ROOT=okrs hold only where they were typed: the script,
    saved and run elsewhere, names the root's absolute path."""
    root = make_root({"ops.yaml": HOSTILE.format(marker="x")})
    expected = ["itokr", "checkin", "ops/pages", "--root", str(root.resolve())]
    assert _commands(_script(run, root.parent, "--root", "okrs"))[0] == expected
    assert _commands(_script(run, root.parent, ITOKR_ROOT="okrs"))[0] == expected


def test_a_root_found_by_discovery_is_left_to_discovery(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"ops.yaml": HOSTILE.format(marker="x")})
    assert _commands(_script(run, root.parent))[0] == [
        "itokr",
        "checkin",
        "ops/pages",
    ]


def test_the_saved_script_checks_in_to_its_root_from_anywhere(
    make_root: Callable[..., Path], tmp_path: Path
) -> None:
    """The real thing: `itokr due --root okrs -f commands` saved, a value added at the
    end of each command, and run by `sh` from a directory with no okrs/ above it —
    every check-in lands in the root the script was made from."""
    itokr = installed_itokr()
    root = make_root({"ops.yaml": HOSTILE.format(marker=tmp_path / "pwned")})
    made = subprocess.run(
        [itokr, "--root", "okrs", "due", "--as-of", "2026-11-21", "-f", "commands"],
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    answers = {"ops/pages": "30 --date 2026-11-21", "ops/runbook": "--done", "mttr": "3.5"}
    script = [
        line if line.startswith("#") else f"{line} {answers[shlex.split(line)[2]]}"
        for line in made.stdout.splitlines()
    ]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "checkins.sh").write_text("\n".join(script) + "\n")
    env = {**os.environ, "PATH": f"{Path(itokr).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(
        ["sh", "-e", "checkins.sh"], cwd=elsewhere, env=env, capture_output=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    status = subprocess.run(
        [itokr, "--root", str(root), "status", "--as-of", "2026-11-21", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    results = {
        kr["ref"]: kr for o in json.loads(status.stdout)["objectives"] for kr in o["key_results"]
    }
    assert results["ops/pages"]["current"] == 30
    assert results["ops/runbook"]["score"] == 1
    kpis = subprocess.run(
        [itokr, "--root", str(root), "kpis", "-f", "json"], capture_output=True, text=True
    )
    assert json.loads(kpis.stdout)["kpis"][0]["value"] == 3.5


def test_a_root_path_that_cannot_stand_on_one_line_is_refused(tmp_path: Path) -> None:
    """A newline in the root's path would split a command or escape a comment: exit 2,
    said on stderr, and no half script on stdout."""
    odd = tmp_path / "okrs\nrm -rf ~"
    odd.mkdir()
    (odd / "ops.yaml").write_text(HOSTILE.format(marker="x"))
    done = subprocess.run(
        [installed_itokr(), "--root", str(odd), "due", "-f", "commands"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("itokr: --format commands: the root ")
    assert "\\n" in done.stderr and "Traceback" not in done.stderr


def test_nothing_owed_is_a_script_of_comments(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"ops.yaml": HOSTILE.format(marker="x")})
    result = run("--root", str(root), "due", "--as-of", "2027-06-01", "-f", "commands")
    assert result.exit_code == 0
    # the KPI still owes its reading: only it is listed
    assert _commands(result.stdout) == [["itokr", "checkin", "mttr", "--root", str(root)]]
