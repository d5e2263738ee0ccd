"""A command that prints one number: argv, no shell, with a timeout."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from itokr.sources.failure import SourceFailure, shown
from itokr.sources.numbers import number


def run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> float:
    """Run `argv` in `cwd` with `env`; its standard output must be one number.

    The command runs in a session of its own, so that a timeout ends it and
    anything it started.
    """
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        raise SourceFailure(
            "E601", f"cannot run {shown(argv[0])}: {error.strerror or error}"
        ) from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end(process)
        raise SourceFailure("E602", f"the command ran past {timeout:g} s (its `timeout`)") from None
    if process.returncode:
        last = next(reversed(err.decode(errors="replace").strip().splitlines()), "")
        said = f": {shown(last, 200)}" if last else ""
        how = (
            f"was killed by signal {-process.returncode}"
            if process.returncode < 0
            else f"exited with {process.returncode}"
        )
        raise SourceFailure("E603", f"the command {how}{said}")
    text = out.decode(errors="replace").strip()
    if len(text.split()) > 1:
        raise SourceFailure("E606", f"the command printed {shown(text)}: print one number only")
    return number(text, "what the command printed")


def _end(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.communicate()
