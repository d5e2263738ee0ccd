"""The error boundary: a bug is one line and exit 3, Ctrl-C is 130, a closed pipe is quiet."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, ONE_OBJECTIVE, Result, installed_itokr
from itokr import __main__ as entry
from itokr import loader
from itokr.cli import debugging, run
from itokr.cli.app import app

EXAMPLE = EXAMPLES / "it-department"


def _bug(*_: object) -> None:
    raise RuntimeError("the loader broke\nsecond line of the message")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def test_a_bug_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(loader, "load_root", _bug)
    assert run(["--root", str(EXAMPLE), "validate"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "itokr: internal error, please report: RuntimeError: the loader broke "
        "(run with --debug for the traceback)\n"
    )


@pytest.mark.parametrize("how", ["--debug", "ITOKR_DEBUG"])
def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    monkeypatch.setattr(loader, "load_root", _bug)
    args = ["--root", str(EXAMPLE), "validate"]
    if how == "ITOKR_DEBUG":
        monkeypatch.setenv("ITOKR_DEBUG", "1")
    else:
        args.insert(0, "--debug")
    assert run(args) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "RuntimeError: the loader broke" in err


def test_debug_works_before_and_after_the_command() -> None:
    assert debugging(["--root", "x", "--debug", "validate"])
    assert not debugging(["--root", "--debug", "validate"])  # the value of --root
    assert debugging(["validate", "--debug"])  # a global option, after the command
    assert not debugging(["checkin", "a/b", "--", "--debug"])  # an argument after --
    assert run(["--root", str(EXAMPLE), "validate", "--debug"]) == 0


def test_ctrl_c_is_exit_130_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(loader, "load_root", _interrupt)
    assert run(["--root", str(EXAMPLE), "validate"]) == 130
    assert capsys.readouterr() == ("", "itokr: interrupted\n")


@pytest.fixture
def run_cli(run: Callable[..., Result]) -> Callable[..., Result]:
    """conftest's `run` fixture, under a name that leaves `itokr.cli.run` to the tests above."""
    return run


# Each command with arguments that take it to its root (or, for schema and init, to
# their first piece of core work), where an interrupt is injected.
INTERRUPTED_AT = {
    "validate": [],
    "status": [],
    "score": ["a"],
    "tree": [],
    "kpis": [],
    "smart": [],
    "checkin": ["a/k", "1"],
    "measure": [],
    "diff": [],
    "due": [],
    "history": ["a"],
    "report": [],
    "site": ["site"],
    "carry": ["2026-Q4", "2027-Q1"],
    "import": ["okrs.csv"],
    "export": ["--output", "okrs.csv"],
    "schema": [],
    "init": ["fresh"],
}
INTERRUPTED_IN = {"schema": "itokr.schema.objective_file_schema", "init": "itokr.origin.installed"}


def test_every_command_is_interrupted_at_some_point_below() -> None:
    names = {info.name or info.callback.__name__ for info in app.registered_commands}  # type: ignore[union-attr]
    assert names == set(INTERRUPTED_AT)


@pytest.mark.parametrize("name", INTERRUPTED_AT)
def test_ctrl_c_in_any_command_is_exit_130_and_one_line(
    run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setattr(INTERRUPTED_IN.get(name, "itokr.rootfiles.find_root"), _interrupt)
    result = run_cli("--root", str(EXAMPLE), name, *INTERRUPTED_AT[name], cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "itokr: interrupted\n")


def test_ctrl_c_while_importing_is_exit_130_and_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import itokr.cli

    monkeypatch.setattr(itokr.cli, "run", _interrupt)
    assert entry.main(["validate"]) == 130
    assert capsys.readouterr() == ("", "itokr: interrupted\n")


def test_ctrl_c_while_parsing_is_exit_130_and_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import itokr.cli

    monkeypatch.setattr(itokr.cli, "app_for", _interrupt)
    assert itokr.cli.run(["validate"]) == 130
    assert capsys.readouterr() == ("", "itokr: interrupted\n")


def _load_root_raises(tmp_path: Path, error: str) -> dict[str, str]:
    """An environment in which the installed itokr's `load_root` raises `error`."""
    (tmp_path / "sitecustomize.py").write_text(
        "import itokr.loader\n"
        "def _raise(*_):\n"
        f"    raise {error}\n"
        "itokr.loader.load_root = _raise\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("ITOKR_DEBUG", None)
    return env


def test_the_installed_command_ends_an_interrupt_with_130_and_one_line(tmp_path: Path) -> None:
    env = _load_root_raises(tmp_path, "KeyboardInterrupt")
    argv = [installed_itokr(), "--root", str(EXAMPLE), "status"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "itokr: interrupted\n")


def test_ctrl_c_ends_measure_without_waiting_for_a_running_command(
    make_root: Callable[..., Path], tmp_path: Path
) -> None:
    """The terminal's Ctrl-C reaches itokr's process group, not the command source's
    session: itokr ends it rather than wait out its minute-long timeout."""
    slow = "import pathlib, time; pathlib.Path('started').touch(); time.sleep(60)"
    root = make_root(
        {
            "itokr.yaml": f"""\
                sources:
                  slow:
                    command: [{sys.executable}, -c, "{slow}"]
                    timeout: 60
                """,
            "a.yaml": ONE_OBJECTIVE.replace(
                "        checkins:\n          - {date: 2026-10-05, value: 3}\n",
                "        source: {from: slow}\n",
            ),
        }
    )
    before = (root / "a.yaml").read_bytes()
    argv = [installed_itokr(), "--root", str(root), "measure", "--as-of", "2026-11-01"]
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group of its own, as a terminal's job has
        preexec_fn=_interruptible,
    ) as process:
        deadline = time.monotonic() + 30
        while not (tmp_path / "started").exists():
            assert process.poll() is None and time.monotonic() < deadline, "no command ran"
            time.sleep(0.05)
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert (process.returncode, out, err) == (130, b"", b"itokr: interrupted\n")
    assert (root / "a.yaml").read_bytes() == before


def _interruptible() -> None:
    """Ctrl-C as a terminal delivers it, even when the tests run where SIGINT is
    ignored (a background job), which a child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_installed_command_reports_a_bug_in_one_line(tmp_path: Path) -> None:
    env = _load_root_raises(tmp_path, "RuntimeError('injected by the test')")
    argv = [installed_itokr(), "--root", str(EXAMPLE), "validate"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.splitlines() == [
        "itokr: internal error, please report: RuntimeError: injected by the test "
        "(run with --debug for the traceback)"
    ]
    debug = subprocess.run([argv[0], "--debug", *argv[1:]], capture_output=True, text=True, env=env)
    assert debug.returncode == 3 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    "command",
    [["status", "--as-of", "2026-11-21"], ["validate", "-f", "json"], ["schema"], ["--help"]],
    ids=["status", "validate", "schema", "help"],
)
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    argv = [installed_itokr(), "--root", str(EXAMPLE), *command]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before itokr writes a byte
        error = process.stderr.read()
        code = process.wait(timeout=60)
    assert code in (-signal.SIGPIPE, 141)  # as the shell reports `cat file | true`
    assert error == b""


def test_misuse_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    for argv in (["nonsense"], ["--root", str(tmp_path / "missing"), "status"]):
        done = subprocess.run([installed_itokr(), *argv], capture_output=True, text=True)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
