"""Nothing from a commit, a title or an argument can drive the terminal or a CI log.

Each case is an attack an audit ran: a commit subject that clears the screen,
sets the window title or hides a link behind other text; an argument echoed
in an error; a branch name or a title with a right-to-left override. Every
text view must print them escaped (`\\x1b[2J`, `\\u202e`), whatever the colour
settings: the only escape sequences left in the output are itokr's own styles.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, installed_itokr
from gitrepo import GitRepo, forget_git_variables, without_git_variables

Run = Callable[..., Result]
AS_OF = ("--as-of", "2026-11-01")
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;owned\x07"
LINK = "\x1b]8;;https://evil.example\x1b\\release notes\x1b]8;;\x1b\\"
CSI_C1 = "\x9b2J"  # the one-byte CSI some terminals obey
RLO = "\u202e"
FILE = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: a
    title: Make the platform {title}
    key_results:
      - id: k
        title: Reach ten {title}
        baseline: 0
        target: 10
        checkins:
          - {{date: 2026-10-05, value: 3, note: note {title}}}
"""
_STYLES = re.compile(r"\x1b\[[0-9;]*m")  # SGR: the colours and bold itokr itself writes
_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b]")


def raw(output: str) -> list[str]:
    """Every control, bidirectional or zero-width character left once itokr's own
    styles are taken out; a safe output has none."""
    return _RAW.findall(_STYLES.sub("", output))


def itokr(cwd: Path, *args: str, colour: bool = True) -> subprocess.CompletedProcess[str]:
    """The installed entry point, with colour forced as into a terminal."""
    env = without_git_variables() | {"COLUMNS": "160"}
    env.pop("NO_COLOR", None)
    if colour:
        env["FORCE_COLOR"] = "1"
    return subprocess.run(
        [installed_itokr(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A repository whose commit subjects are attacks on the terminal."""
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", FILE.format(title="safe"))
    repo.commit_on("2026-10-02", f"plan {CLEAR}{TITLE}")
    repo.edit("okrs/team.yaml", "target: 10", "target: 12")
    repo.commit_on("2026-10-09", f"raise the target, see {LINK} {CSI_C1}")
    return repo


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "plain"])
def test_history_shows_commit_subjects_escaped(repo: GitRepo, colour: bool) -> None:
    done = itokr(repo.path, "history", "a/k", *AS_OF, colour=colour)
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout) == []
    assert "plan \\x1b[2J\\x1b]0;owned" in done.stdout  # rich drops the BEL itself
    assert "\\x1b]8;;https://evil.example" in done.stdout and "\\u009b2J" in done.stdout


def test_a_branch_name_is_shown_escaped(repo: GitRepo) -> None:
    branch = f"feature-{RLO}lave"
    repo.git("branch", branch)
    done = itokr(repo.path, "diff", "HEAD~1", branch, *AS_OF)
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout) == [] and "feature-\\u202elave" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("smart", "--explain", CLEAR),
        ("report", "--period", TITLE, *AS_OF),
        ("status", "--at", f"main{RLO}", *AS_OF),
        ("diff", CSI_C1, *AS_OF),
        ("score", f"a/{CLEAR}", *AS_OF),
        ("history", f"{TITLE}/k", *AS_OF),
        ("checkin", f"a/{CLEAR}", "5", *AS_OF),
        ("measure", f"a/{CLEAR}", *AS_OF),
        ("measure", "--since", f"2026-10-01{RLO}", *AS_OF),
        ("status", "--as-of", CLEAR),
        ("due", "--as-of", f"2026-11-01{RLO}"),
        ("status", "--owner", CLEAR, *AS_OF),  # a filter naming nothing lists what exists
        ("tree", "--period", TITLE, *AS_OF),
        ("due", "--owner", f"team{RLO}", *AS_OF),
        ("init", "--itokr-from", f"git+https://x.example/itokr@{CLEAR}"),
    ],
    ids=lambda args: args[0] if isinstance(args, tuple) else str(args),
)
def test_an_argument_echoed_in_an_error_is_escaped(repo: GitRepo, args: tuple[str, ...]) -> None:
    done = itokr(repo.path, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("itokr: ") and done.stderr.count("\n") == 1
    assert raw(done.stderr) == [], done.stderr
    shown = ("\\x1b", "\\x9b", "\\u009b", "\\u202e")  # repr's escapes, or inert's
    assert any(escape in done.stderr for escape in shown), done.stderr


def test_an_unknown_option_is_escaped_by_the_command_line_parser(repo: GitRepo) -> None:
    done = itokr(repo.path, "status", f"--bogus{TITLE}", f"--format={CLEAR}")
    assert done.returncode == 2 and raw(done.stderr) == []


VIEWS = [
    ("status", *AS_OF),
    ("status", "--objectives", *AS_OF),
    ("score", "a/k", *AS_OF),
    ("score", "a", *AS_OF),
    ("tree", *AS_OF),
    ("due", "--within", "60", *AS_OF),
    ("history", "a/k", *AS_OF),
    ("diff", "HEAD", *AS_OF),
    ("validate",),
    ("validate", "--format", "github"),
    ("due", "--within", "60", "--format", "github", *AS_OF),
]


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_a_title_with_a_bidirectional_override_is_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", FILE.format(title="safe"))
    repo.commit("plan")
    repo.write("okrs/team.yaml", FILE.format(title=f"{RLO}gnorw{RLO} \u200bzero"))
    done = itokr(repo.path, *args)
    assert done.returncode == (0 if args[0] == "diff" else 1), done.stderr  # E108 in the file
    assert raw(done.stdout + done.stderr) == []
    if args[0] != "validate":
        assert "\\u202egnorw\\u202e \\u200bzero" in done.stdout


def test_rich_markup_in_a_title_prints_as_written(tmp_path: Path) -> None:
    """`[link=…]` in a title is text: rich must not turn it into a hidden hyperlink."""
    root = tmp_path / "okrs"
    root.mkdir()
    markup = '"[link=https://evil.example]x[/link]"'
    text = FILE.format(title="ok").replace("Make the platform ok", markup)
    text = text.replace("Reach ten ok", markup)
    (root / "team.yaml").write_text(text)
    for args in (("status", *AS_OF), ("score", "a/k", *AS_OF), ("tree", *AS_OF)):
        done = itokr(tmp_path, *args)
        assert "[link=https://evil.example]x[/link]" in done.stdout, args
        assert "\x1b]8" not in done.stdout


def test_the_net_escapes_what_a_renderer_forgot() -> None:
    """The console itself escapes every text segment, so a future view is safe too."""
    import io

    from rich.table import Table
    from rich.text import Text

    from itokr.render.console import make_console

    stream = io.StringIO()
    table = Table()
    table.add_column("x")
    table.add_row(Text(f"a{CLEAR}b"))
    console = make_console(True, file=stream, width=60)
    console.print(table, f"c{TITLE}d", Text(f"e{RLO}f", style="bold"))
    assert raw(stream.getvalue()) == []
    assert "a\\x1b[2Jb" in stream.getvalue() and "e\\u202ef" in stream.getvalue()


def test_json_output_keeps_the_data(repo: GitRepo) -> None:
    """JSON is for programs: the subject is exact, and json's own escapes keep it inert."""
    import json

    done = itokr(repo.path, "history", "a/k", "--format", "json", *AS_OF)
    subjects = [p["subject"] for p in json.loads(done.stdout)["points"] if p["subject"]]
    assert subjects[0] == f"plan {CLEAR}{TITLE}"
    assert "\x1b" not in done.stdout


@pytest.mark.skipif(os.name != "posix", reason="a terminal's bytes")
def test_a_note_given_as_bytes_that_are_not_utf8_exits_2(tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "team.yaml").write_text(FILE.format(title="ok"))
    before = (root / "team.yaml").read_bytes()
    done = subprocess.run(
        [
            os.fsencode(installed_itokr()),
            b"checkin",
            b"a/k",
            b"5",
            b"--note",
            b"caf\xe9",
            *map(str.encode, AS_OF),
        ],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(b"itokr: --note is not UTF-8 text")
    assert (root / "team.yaml").read_bytes() == before


@pytest.mark.skipif(os.name != "posix", reason="file names with backslashes and controls")
def test_sarif_uris_percent_encode_a_files_real_name(run: Run, tmp_path: Path) -> None:
    import json

    root = tmp_path / "okrs"
    root.mkdir()
    names = {"a\\b.yaml": "okrs/a%5Cb.yaml", "bad\x1b[31m.yaml": "okrs/bad%1B%5B31m.yaml"}
    for number, name in enumerate(names):
        (root / name).write_text(FILE.format(title="ok").replace("id: a", f"id: a{number}"))
    result = run("smart", "-f", "sarif", *AS_OF, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    [sarif_run] = json.loads(result.stdout)["runs"]
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for found in sarif_run["results"]
        for location in found["locations"]
    }
    assert uris == set(names.values())
    lines = {
        location["physicalLocation"]["region"]["startLine"]
        for found in sarif_run["results"]
        for location in found["locations"]
    }
    assert lines != {1}  # the files were read again by their real names, and placed


@pytest.mark.parametrize("owner", ["  =cmd|' /C calc'!A0", "\t@SUM(A1)", " +1", "\u00a0-1+2"])
def test_csv_neutralises_formulas_behind_spaces(run: Run, tmp_path: Path, owner: str) -> None:
    import csv
    import io
    import json

    root = tmp_path / "okrs"
    root.mkdir()
    text = FILE.format(title="ok").replace("owner: platform-team", f"owner: {json.dumps(owner)}")
    (root / "team.yaml").write_text(text)
    result = run("status", "-f", "csv", *AS_OF, cwd=tmp_path)
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["owner"] == "'" + owner


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
@pytest.mark.parametrize(
    "name",
    [b"plain.yaml", b"a\\b.yaml", b"a\\x1b.yaml", b"bad\x1b[31m\nname.yaml", b"\xff\xfe.yaml",
     "c1\u009b-bidi\u202e-zw\u200b.yaml".encode(), b"tab\there\r.yaml", b"a\\\\\x1b.yaml"],
)  # fmt: skip
def test_a_shown_file_name_leads_back_to_the_file(name: bytes) -> None:
    """Display paths escape what a terminal obeys; `real_path` undoes it exactly."""
    from itokr.rootfiles import display_path, real_path

    path = Path(os.fsdecode(b"/tmp/okrs/" + name))
    shown = display_path(path, Path("/tmp"))
    assert raw(shown) == [] and "\n" not in shown
    assert real_path(shown) == path.relative_to("/tmp")  # relative to the cwd, as shown


def test_init_names_a_directory_escaped(tmp_path: Path) -> None:
    project = tmp_path / f"project{CLEAR}"
    (project / "okrs").mkdir(parents=True)
    (project / "okrs" / "team.yaml").write_text(FILE.format(title="safe"))
    done = itokr(tmp_path, "init", project.name, "--itokr-from", "itokr")
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout) == [] and "kept    project\\x1b[2J/okrs as it is" in done.stdout


def test_export_names_its_files_escaped(tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "team.yaml").write_text(FILE.format(title="safe"))
    done = itokr(tmp_path, "export", "-o", f"out{CLEAR}.csv", "--checkins", f"in{TITLE}.csv")
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout) == [] and "(check-ins in in\\x1b]0;owned\\x07.csv)" in done.stdout


def test_site_names_its_directory_escaped(tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "team.yaml").write_text(FILE.format(title="safe"))
    done = itokr(tmp_path, "site", f"public{CLEAR}", *AS_OF)
    assert done.returncode == 0, done.stderr
    assert raw(done.stdout) == [] and "pages to public\\x1b[2J; open" in done.stdout
