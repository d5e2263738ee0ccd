"""A command that prints one number: argv, no shell, with a timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from itokr.sources.failure import SourceFailure, shown
from itokr.sources.numbers import number


class Running:
    """The commands a run has started and not seen end, so that Ctrl-C ends them too.

    Each runs in a session of its own, out of reach of the terminal's Ctrl-C, and
    the process waits for its threads before it exits: without `end`, an interrupted
    `itokr measure` would wait for each command's `timeout`.
    """

    def __init__(self) -> None:
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._ended = False
        self._lock = threading.Lock()

    @contextmanager
    def tracking(self, process: subprocess.Popen[bytes]) -> Iterator[None]:
        with self._lock:
            self._processes.add(process)
            ended = self._ended
        if ended:  # started in the moment after the run was interrupted
            _kill(process)
        try:
            yield
        finally:
            with self._lock:
                self._processes.discard(process)

    def end(self) -> None:
        """Kill every command still running, and any started from now on."""
        with self._lock:
            self._ended = True
            processes = list(self._processes)
        for process in processes:
            _kill(process)


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    running: Running,
) -> float:
    """Run `argv` in `cwd` with `env`; its standard output must be one number.

    The command runs in a session of its own, so that a timeout ends it and
    anything it started; `running` knows it while it runs.
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
    with running.tracking(process):
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.communicate()
            raise SourceFailure(
                "E602", f"the command ran past {timeout:g} s (its `timeout`)"
            ) from None
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


def _kill(process: subprocess.Popen[bytes]) -> None:
    """End the command and whatever it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
