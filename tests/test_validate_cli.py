"""`itokr validate` as users and CI call it: paths, formats, root discovery, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO, Result, installed_itokr
from itokr.findings import Finding
from itokr.render.findings import github

Run = Callable[..., Result]
MakeRoot = Callable[[dict[str, str]], Path]

GOOD = """\
objectives:
  - id: {id}
    title: A well formed objective
    key_results:
      - {{id: done, title: Ship it, done: true}}
"""


@pytest.fixture
def mixed(make_root: MakeRoot) -> Path:
    """a.yaml fine; team/b.yaml repeats a's id; c.yaml has an unknown key."""
    return make_root(
        {
            "a.yaml": GOOD.format(id="uptime"),
            "team/b.yaml": GOOD.format(id="uptime"),
            "c.yaml": "ownr: me\nobjectives: []\n",
        }
    )


def errors(result: Result) -> list[tuple[str, int, int, str]]:
    document = json.loads(result.stdout)
    return [(e["path"], e["line"], e["col"], e["code"]) for e in document["errors"]]


# --- PATH arguments --------------------------------------------------------


def test_whole_root_by_default(run: Run, mixed: Path) -> None:
    result = run("validate", "--format", "json", cwd=mixed.parent)
    assert errors(result) == [
        ("okrs/c.yaml", 1, 1, "E101"),
        ("okrs/team/b.yaml", 2, 9, "E301"),
    ]
    assert json.loads(result.stdout)["files"] == 3
    assert result.exit_code == 1


def test_a_path_reports_its_own_findings_with_the_whole_root_as_context(
    run: Run, mixed: Path
) -> None:
    """The duplicate in b.yaml is found only because a.yaml is read too."""
    result = run("validate", "--format", "json", "okrs/team/b.yaml", cwd=mixed.parent)
    assert errors(result) == [("okrs/team/b.yaml", 2, 9, "E301")]
    assert json.loads(result.stdout)["files"] == 1
    assert result.exit_code == 1


def test_a_clean_path_passes_while_other_files_are_broken(
    run: Run, mixed: Path, make_root: MakeRoot
) -> None:
    make_root({"d.yaml": GOOD.format(id="elsewhere")})
    result = run("validate", "okrs/d.yaml", cwd=mixed.parent)
    assert result.stdout.startswith("All good: 1 file")  # the plural may be fixed
    assert result.stdout.count("\n") == 1
    assert result.exit_code == 0


def test_a_path_whose_id_is_repeated_later_fails_at_the_repeat(run: Run, mixed: Path) -> None:
    """a.yaml uses `uptime` first: the duplicate is placed at team/b.yaml (SPEC §1), but it
    involves a.yaml, so validating a.yaml alone must not pass a root it breaks."""
    result = run("validate", "--format", "json", "okrs/a.yaml", cwd=mixed.parent)
    assert errors(result) == [("okrs/team/b.yaml", 2, 9, "E301")]
    assert json.loads(result.stdout)["files"] == 2  # a.yaml, and b.yaml where it is told
    assert result.exit_code == 1


def test_a_new_file_repeating_a_committed_id_fails_the_hook(run: Run, make_root: MakeRoot) -> None:
    """The audit's case: dup.yaml sorts before good.yaml, so the finding is placed in
    good.yaml; pre-commit passes only dup.yaml, and the commit must still be refused."""
    root = make_root({"x/good.yaml": GOOD.format(id="same"), "x/dup.yaml": GOOD.format(id="same")})
    result = run("validate", "okrs/x/dup.yaml", cwd=root.parent)
    assert result.stdout.splitlines() == [
        "okrs/x/good.yaml:2:9: E301 objective id 'same' is already used in okrs/x/dup.yaml: "
        "ids must be unique in the root, rename one",
        "Found 1 problem in 1 of 2 files.",
    ]
    assert result.exit_code == 1


CYCLE = """\
objectives:
  - id: {id}
    title: A well formed objective
    aligns_to: [{parent}]
    key_results:
      - {{id: done, title: Ship it, done: true}}
"""


def test_a_cycle_through_a_path_fails_it(run: Run, make_root: MakeRoot) -> None:
    """The cycle is told once, at its first objective in path order (a.yaml)."""
    root = make_root(
        {
            "a.yaml": CYCLE.format(id="a", parent="b"),
            "b.yaml": CYCLE.format(id="b", parent="c"),
            "c.yaml": CYCLE.format(id="c", parent="a"),
            "d.yaml": GOOD.format(id="d"),
        }
    )
    for path in ("a.yaml", "b.yaml", "c.yaml"):
        result = run("validate", "-f", "json", path, cwd=root)
        assert errors(result) == [("a.yaml", 4, 17, "E303")], path
    assert run("validate", "d.yaml", cwd=root).exit_code == 0


KPI = """\
kpis:
  - {id: mttr, title: Mean time to repair, unit: h, good: 4, bad: 8, every: 1m}
"""
TRACKING = """\
objectives:
  - id: faster-repairs
    title: Repair incidents faster
    key_results:
      - {id: mttr, title: Cut repair time, unit: min, baseline: 6, target: 4, kpi: mttr}
"""


def test_a_kpi_whose_unit_a_tracking_key_result_contradicts(run: Run, make_root: MakeRoot) -> None:
    """E307 is placed at the key result; the KPI's file is involved too."""
    root = make_root({"kpis.yaml": KPI, "team.yaml": TRACKING})
    result = run("validate", "-f", "json", "kpis.yaml", cwd=root)
    assert [e[3] for e in errors(result)] == ["E307"]
    assert errors(result)[0][0] == "team.yaml"


def test_a_kpi_id_repeating_an_objective_id_fails_either_file(
    run: Run, make_root: MakeRoot
) -> None:
    root = make_root({"a.yaml": GOOD.format(id="mttr"), "b.yaml": KPI})
    for path in ("a.yaml", "b.yaml"):
        result = run("validate", "-f", "json", path, cwd=root)
        assert errors(result) == [("b.yaml", 2, 10, "E301")], path


def test_a_directory_path(run: Run, mixed: Path) -> None:
    result = run("validate", "--format", "json", "team", cwd=mixed)
    assert errors(result) == [("team/b.yaml", 2, 9, "E301")]
    assert result.exit_code == 1


def test_several_paths(run: Run, mixed: Path) -> None:
    result = run("validate", "-f", "json", "c.yaml", "team", cwd=mixed)
    assert [e[0] for e in errors(result)] == ["c.yaml", "team/b.yaml"]


def test_the_config_as_a_path(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"itokr.yaml": "areas: ops\n", "a.yaml": GOOD.format(id="a")})
    result = run("validate", "-f", "json", "itokr.yaml", cwd=root)
    assert errors(result) == [("itokr.yaml", 1, 8, "E103")]
    assert run("validate", "a.yaml", cwd=root).exit_code == 0


def test_a_path_outside_the_root_is_misuse(run: Run, mixed: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(GOOD.format(id="x"))
    result = run("--root", str(mixed), "validate", str(outside), cwd=tmp_path)
    assert result.exit_code == 2
    assert "not below the OKR root" in result.stderr
    assert result.stdout == ""


def test_a_missing_path_is_misuse(run: Run, mixed: Path) -> None:
    result = run("validate", "nope.yaml", cwd=mixed)
    assert result.exit_code == 2
    assert result.stderr == "itokr: nope.yaml: no such file or directory\n"
    assert result.stdout == ""


# --- formats ---------------------------------------------------------------


def test_json_shape_is_exact(run: Run, mixed: Path) -> None:
    result = run("validate", "--format", "json", cwd=mixed)
    document = json.loads(result.stdout)
    assert list(document) == ["ok", "errors", "files"]
    assert document["ok"] is False
    for error in document["errors"]:
        assert list(error) == ["path", "line", "col", "code", "message"]
        assert [type(error[key]) for key in error] == [str, int, int, str, str]
    assert isinstance(document["files"], int)
    assert result.stdout.count("\n") > 1  # one document, readable; nothing else on stdout


def test_json_when_all_is_good(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a"), "itokr.yaml": "organization: ACME\n"})
    result = run("validate", "--format", "json", cwd=root)
    assert json.loads(result.stdout) == {"ok": True, "errors": [], "files": 2}
    assert result.exit_code == 0


def test_text_format(run: Run, mixed: Path) -> None:
    result = run("validate", cwd=mixed.parent)
    assert result.stdout.splitlines() == [
        "okrs/c.yaml:1:1: E101 unknown key 'ownr' in the file: did you mean 'owner'?",
        "okrs/team/b.yaml:2:9: E301 objective id 'uptime' is already used in okrs/a.yaml: "
        "ids must be unique in the root, rename one",
        "Found 2 problems in 2 of 3 files.",
    ]
    assert result.stderr == ""


def test_github_format(run: Run, mixed: Path) -> None:
    result = run("validate", "--format", "github", cwd=mixed)
    assert result.stdout.splitlines() == [
        "::error file=c.yaml,line=1,col=1::E101 unknown key 'ownr' in the file: "
        "did you mean 'owner'?",
        "::error file=team/b.yaml,line=2,col=9::E301 objective id 'uptime' is "
        "already used in a.yaml: ids must be unique in the root, rename one",
    ]
    assert result.exit_code == 1


def test_github_escapes_properties_and_data() -> None:
    finding = Finding("dir,with:odd%name.yaml", 3, 4, "E101", "first line\nsecond: 100%")
    assert github([finding], 1) == (
        "::error file=dir%2Cwith%3Aodd%25name.yaml,line=3,col=4::E101 first line%0Asecond: 100%25\n"
    )


def test_github_escapes_a_real_file_name(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a,b:c%.yaml": "ownr: me\nobjectives: []\n"})
    result = run("validate", "-f", "github", cwd=root)
    assert result.stdout.startswith("::error file=a%2Cb%3Ac%25.yaml,line=1,col=1::E101 ")


def test_github_when_clean_prints_nothing(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a")})
    result = run("validate", "-f", "github", cwd=root)
    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize(
    ("actions", "starts"),
    [("true", "::error file="), ("false", "c.yaml:1:1:"), (None, "c.yaml:1:1:")],
)
def test_auto_picks_github_inside_actions(
    run: Run, mixed: Path, monkeypatch: pytest.MonkeyPatch, actions: str | None, starts: str
) -> None:
    if actions is not None:
        monkeypatch.setenv("GITHUB_ACTIONS", actions)
    result = run("validate", "--format", "auto", cwd=mixed)
    assert result.stdout.startswith(starts)


def test_unknown_format_is_misuse(run: Run, mixed: Path) -> None:
    result = run("validate", "--format", "xml", cwd=mixed)
    assert result.exit_code == 2
    assert "xml" in result.stderr
    assert result.stdout == ""


# --- --as-of ---------------------------------------------------------------


def test_as_of_is_accepted_and_changes_nothing(run: Run, mixed: Path) -> None:
    """Every command that reads OKRs takes --as-of; no check of validate reads the date."""
    today = run("validate", "-f", "json", cwd=mixed)
    for day in ("1900-01-01", "2026-11-15", "2999-12-31"):
        then = run("validate", "-f", "json", "--as-of", day, cwd=mixed)
        assert (then.exit_code, then.stdout, then.stderr) == (1, today.stdout, "")


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "tomorrow"])
def test_an_impossible_as_of_is_misuse(run: Run, mixed: Path, day: str) -> None:
    result = run("validate", "--as-of", day, cwd=mixed)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"itokr: --as-of {day!r}: expected a real date written YYYY-MM-DD\n"


# --- the root --------------------------------------------------------------


def test_root_option_is_relative_to_the_cwd(run: Run, mixed: Path) -> None:
    result = run("--root", "okrs", "validate", "-f", "json", cwd=mixed.parent)
    assert ("okrs/c.yaml", 1, 1, "E101") in errors(result)


def test_root_from_the_environment(run: Run, mixed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("validate", "-f", "json", cwd=elsewhere, env={"ITOKR_ROOT": str(mixed)})
    assert len(errors(result)) == 2
    assert result.exit_code == 1


def test_root_option_wins_over_the_environment(
    run: Run, mixed: Path, make_root: MakeRoot, tmp_path: Path
) -> None:
    clean = tmp_path / "clean"
    (clean / "okrs").mkdir(parents=True)
    (clean / "okrs" / "a.yaml").write_text(GOOD.format(id="a"))
    result = run("--root", str(clean / "okrs"), "validate", env={"ITOKR_ROOT": str(mixed)})
    assert result.exit_code == 0


def test_nearest_okrs_directory_upwards(run: Run, mixed: Path) -> None:
    deep = mixed.parent / "src" / "deep" / "down"
    deep.mkdir(parents=True)
    result = run("validate", "-f", "json", cwd=deep)
    assert len(errors(result)) == 2


def test_inside_the_root_paths_are_relative_to_the_cwd(run: Run, mixed: Path) -> None:
    result = run("validate", "-f", "json", "b.yaml", cwd=mixed / "team")
    assert errors(result) == [("b.yaml", 2, 9, "E301")]


def test_no_root_is_misuse_with_one_line(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    result = run("validate", cwd=empty)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("itokr: no OKR root")
    assert "--root" in result.stderr


def test_root_option_naming_nothing_is_misuse(run: Run, tmp_path: Path) -> None:
    result = run("--root", "missing", "validate", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "itokr: --root missing: no such directory\n"


def test_root_works_after_the_command_too(run: Run, mixed: Path, tmp_path: Path) -> None:
    """`itokr validate --root X`, as gh and ruff take global options anywhere."""
    before = run("--root", str(mixed), "validate", "-f", "json", cwd=tmp_path)
    assert before.exit_code == 1
    for args in (["--root", str(mixed)], [f"--root={mixed}"]):
        after = run("validate", *args, "-f", "json", cwd=tmp_path)
        assert (after.exit_code, after.stdout) == (1, before.stdout)


def test_an_unreadable_file_is_a_finding_not_a_crash(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a")})
    (root / "gone.yaml").symlink_to(root / "deleted-target.yaml")
    result = run("validate", "-f", "json", cwd=root)
    assert errors(result) == [("gone.yaml", 1, 1, "E001")]
    assert result.exit_code == 1


def test_large_files_are_refused_not_read(run: Run, make_root: MakeRoot) -> None:
    root = make_root(
        {
            "itokr.yaml": "limits: {max_file_mib: 1}\n",
            "big.yaml": "objectives: []\n" + "# padding\n" * 120_000,
            "a.yaml": GOOD.format(id="a"),
        }
    )
    result = run("validate", "-f", "json", cwd=root)
    assert errors(result) == [("big.yaml", 1, 1, "E008")]
    assert "max_file_mib" in json.loads(result.stdout)["errors"][0]["message"]


@pytest.mark.parametrize(
    "root",
    [REPO / "okrs", *sorted(path for path in EXAMPLES.iterdir() if path.is_dir())],
    ids=lambda path: path.relative_to(REPO).as_posix(),
)
def test_shipped_roots_are_valid(run: Run, root: Path) -> None:
    result = run("--root", str(root), "validate")
    assert result.stdout.startswith("All good"), result.stdout
    assert result.exit_code == 0


# --- the installed command -------------------------------------------------


def _itokr(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {key: value for key, value in os.environ.items() if key != "ITOKR_ROOT"}
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [installed_itokr(), *args],
        cwd=cwd,
        env=full_env | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_installed_findings_go_to_stdout(mixed: Path) -> None:
    done = _itokr("validate", cwd=mixed)
    assert done.returncode == 1
    assert done.stdout.startswith("c.yaml:1:1: E101 ")
    assert done.stderr == ""


def test_installed_clean_root_exits_zero(make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a")})
    done = _itokr("validate", "--format", "json", cwd=root)
    assert (done.returncode, json.loads(done.stdout)["ok"], done.stderr) == (0, True, "")


def test_installed_no_root_is_one_line_on_stderr(tmp_path: Path) -> None:
    done = _itokr("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("itokr: no OKR root")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_installed_usage_errors_go_to_stderr(mixed: Path) -> None:
    done = _itokr("validate", "--format", "yaml", cwd=mixed)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_installed_as_of(make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a")})
    good = _itokr("validate", "--as-of", "2026-11-15", cwd=root)
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.startswith("All good")
    bad = _itokr("validate", "--as-of", "2026-02-30", cwd=root)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("itokr: --as-of '2026-02-30': ")


def test_installed_a_path_fails_on_a_duplicate_told_in_another_file(
    make_root: MakeRoot,
) -> None:
    root = make_root({"good.yaml": GOOD.format(id="same"), "dup.yaml": GOOD.format(id="same")})
    done = _itokr("validate", "dup.yaml", cwd=root)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("good.yaml:2:9: E301 ")


def test_installed_github_auto_in_actions(mixed: Path) -> None:
    done = _itokr("validate", "--format", "auto", cwd=mixed, env={"GITHUB_ACTIONS": "true"})
    assert done.stdout.startswith("::error file=c.yaml,line=1,col=1::E101 ")


def test_installed_version(tmp_path: Path) -> None:
    from itokr import __version__

    done = _itokr("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"itokr {__version__}\n", "")


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "itokr", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("itokr ")


def test_paths_below_a_linked_root(run: Run, tmp_path: Path) -> None:
    """okrs/ may be a symbolic link (a monorepo sharing one OKR folder)."""
    real = tmp_path / "shared-okrs"
    real.mkdir()
    (real / "a.yaml").write_text("ownr: me\nobjectives: []\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "okrs").symlink_to(real)
    result = run("validate", "-f", "json", "okrs/a.yaml", cwd=project)
    assert errors(result) == [("okrs/a.yaml", 1, 1, "E101")]


def test_a_fifo_is_refused_without_hanging(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.format(id="a")})
    os.mkfifo(root / "pipe.yaml")
    result = run("validate", "-f", "json", cwd=root)
    assert errors(result) == [("pipe.yaml", 1, 1, "E001")]


def test_a_link_out_of_the_root_is_not_followed(
    run: Run, make_root: MakeRoot, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    root = make_root({"a.yaml": GOOD.format(id="a")})
    (root / "link.yaml").symlink_to(secret)
    result = run("validate", "-f", "json", cwd=root)
    assert errors(result) == [("link.yaml", 1, 1, "E001")]
    assert "hunter2" not in result.stdout


def test_a_flood_of_problems_is_capped_per_file(run: Run, make_root: MakeRoot) -> None:
    keys = "".join(f"unknown{number}: x\n" for number in range(150))
    root = make_root({"a.yaml": keys + "objectives: []\n", "b.yaml": "ownr: x\nobjectives: []\n"})
    result = run("validate", "-f", "json", cwd=root)
    found = errors(result)
    assert len([e for e in found if e[0] == "a.yaml"]) == 101
    assert found[-2] == ("a.yaml", 101, 1, "E008")
    assert "50 more problems" in json.loads(result.stdout)["errors"][-2]["message"]
    assert found[-1] == ("b.yaml", 1, 1, "E101")
