"""Shared fixtures: a CLI runner that never swallows exceptions, temporary roots."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from itokr.cli.app import app  # itokr.cli, imported first, registers every command

# CI must be repeatable: the same examples every run, no timing limits on a busy
# machine. Exploring is for local runs (and ITOKR_FUZZ_EXAMPLES for deep ones).
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CASES_DIR = REPO / "tests" / "cases"
ONE_OBJECTIVE = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: a
    title: Make the platform reliable
    key_results:
      - id: k
        title: Reach ten deploys a day
        baseline: 0
        target: 10
        checkins:
          - {date: 2026-10-05, value: 3}
"""  # a valid objective file, as small as a test needs
# An objective's title and first two key results: a threshold checked in once, a metric
# that never was; the check-in tests build their platform team's file around them.
PLATFORM_KEY_RESULTS = """\
    title: Run a platform nobody has to think about
    key_results:
      - id: uptime
        title: Keep portal uptime at or above 99.9%
        kind: threshold
        direction: at_least
        unit: "%"
        target: 99.9
        checkins:
          - {date: 2026-10-06, value: 99.62}
      - id: p95
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test depends on the caller's environment, colour or HOME."""
    for name in ("ITOKR_ROOT", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "ITOKR_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("COLUMNS", "120")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `itokr ARGS` in-process through Typer's runner, from `cwd`."""

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        runner = CliRunner()
        outcome = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        return Result(outcome.exit_code, outcome.stdout, outcome.stderr)

    return invoke


@pytest.fixture
def make_root(tmp_path: Path) -> Callable[..., Path]:
    """Write `{relative path: yaml text}` below tmp_path/okrs and return the root."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "okrs"
        root.mkdir(exist_ok=True)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return write


def require_tool(available: object, reason: str) -> None:
    """Skip a test whose external tool is missing: on a laptop it may be; in CI it may not.

    `.ci/run` installs every tool the tests drive (a browser, Prometheus, linters), so
    under `CI` a missing one is a broken CI, reported as a failure rather than a skip.
    """
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must have it: .ci/run installs it", pytrace=False)
    pytest.skip(reason)


def installed_itokr() -> str:
    """The `itokr` console script beside the running interpreter."""
    import sys

    script = Path(sys.executable).parent / "itokr"
    if not script.exists():
        pytest.skip("the itokr entry point is not installed")
    return os.fspath(script)
