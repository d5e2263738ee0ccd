"""`--as-of D` reads the files as they were known on D (SPEC §2): for every command, a
check-in dated after D does not exist. The proof: each command at D gives the same
answer on the example root as on a copy whose later check-ins were never written."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from conftest import EXAMPLES, Result
from gitrepo import GitRepo, forget_git_variables

Run = Callable[..., Result]
DATES = ["2026-07-20", "2026-10-06", "2026-11-10", "2026-12-01"]


def _end(node: Node) -> int:
    """Where a node's text ends: a block collection ends with its last value."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    return int(node.end_mark.index)


def _future_checkins(node: Node, day: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every check-in dated after `day` below `node`."""
    spans = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                if key.value == "checkins" and isinstance(value, SequenceNode):
                    assert not value.flow_style, "a flow list of check-ins: extend this helper"
                    for item in value.value:
                        date = {k.value: v for k, v in item.value}["date"]
                        assert isinstance(date, ScalarNode)
                        if date.value > day:
                            spans.append((int(item.start_mark.index), _end(item)))
                stack.append(value)
    return spans


def written_until(source: Path, target: Path, day: str) -> None:
    """Copy the root `source` to `target`, leaving out every check-in dated after `day`
    (the whole lines it takes: the example writes one or more lines per check-in)."""
    shutil.copytree(source, target)
    for path in target.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        gone: set[int] = set()
        for start, end in _future_checkins(yaml.compose(text, Loader=yaml.SafeLoader), day):
            gone.update(range(text.count("\n", 0, start), text.count("\n", 0, end) + 1))
        if gone:
            kept = [line for n, line in enumerate(text.splitlines(True)) if n not in gone]
            path.write_text("".join(kept), encoding="utf-8")


def _without_positions(value: Any) -> Any:
    """JSON without line and column numbers: the copy has fewer lines."""
    if isinstance(value, dict):
        return {k: _without_positions(v) for k, v in value.items() if k not in ("line", "col")}
    if isinstance(value, list):
        return [_without_positions(v) for v in value]
    return value


COMMANDS = {
    "status": ["status", "-f", "json"],
    "status-table": ["status"],
    "score": ["score", "reliable-platform", "-f", "json"],
    "score-kr": ["score", "reliable-platform/uptime", "-f", "json"],
    "tree": ["tree", "-f", "json"],
    "smart": ["smart", "-f", "json"],
    "due": ["due", "-f", "json", "--within", "30"],
    "report": ["report", "--period", "2026-Q4"],
    "history": ["history", "laptop-fleet-health", "-f", "json"],
    "history-kr": ["history", "reliable-platform/uptime", "-f", "json"],
    "carry": ["carry", "2026-Q4", "2027-Q2", "--dry-run", "-f", "json"],
    "export": ["export", "--output", "-"],
    # KPI readings are check-ins too (SPEC §6): value, band, stale, trend, last reading,
    # and the key results that track them
    "kpis": ["kpis", "-f", "json"],
    "kpis-table": ["kpis"],
    "score-tracking": ["score", "annual-recovery-kpis/mttr-all-incidents", "-f", "json"],
    "history-kpi": ["history", "mttr", "-f", "json"],
    "history-tracking": ["history", "annual-recovery-kpis/mttr-all-incidents", "-f", "json"],
}
# what only the whole root can say: export counts the check-ins it left out
_LEFT_OUT = re.compile(r"(?m)^\d+ check-ins? dated after \S+ (?:is|are) left out\.\n")


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """For each date, the example as it is and as it was written up to that date
    (each under its own `okrs/`, so every shown path reads the same)."""
    made = {}
    for day in DATES:
        base = tmp_path_factory.mktemp(f"until-{day}")
        written_until(EXAMPLES / "it-department", base / "okrs", day)
        made[day] = base
    whole = tmp_path_factory.mktemp("whole")
    shutil.copytree(EXAMPLES / "it-department", whole / "okrs")
    made["whole"] = whole
    return made


def test_the_copies_really_lack_later_checkins(roots: dict[str, Path]) -> None:
    text = (roots["2026-10-06"] / "okrs/2026-Q4/infrastructure.yaml").read_text()
    assert "2026-10-05" in text and "2026-11-16" not in text
    assert "2026-11-16" in (roots["whole"] / "okrs/2026-Q4/infrastructure.yaml").read_text()
    readings = (roots["2026-10-06"] / "okrs/kpis.yaml").read_text()  # KPI readings alike
    assert "2026-09-30" in readings and "2026-10-31" not in readings
    assert "2026-10-31" in (roots["whole"] / "okrs/kpis.yaml").read_text()


@pytest.mark.parametrize("day", DATES)
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_at_d_ignores_checkins_dated_after_d(
    run: Run, roots: dict[str, Path], name: str, day: str
) -> None:
    args = [*COMMANDS[name], "--as-of", day]
    known = run(*args, cwd=roots["whole"])
    then = run(*args, cwd=roots[day])
    assert known.exit_code == then.exit_code, known.stderr + then.stderr
    said = _LEFT_OUT.sub("", known.stderr.replace(str(roots["whole"]), ""))
    assert said == then.stderr.replace(str(roots[day]), "")
    if name == "history":  # outside git: one reading per check-in date, up to D
        assert json.loads(known.stdout)["points"], "no readings: the test shows nothing"
    if known.stdout.startswith("{"):
        assert _without_positions(json.loads(known.stdout)) == _without_positions(
            json.loads(then.stdout)
        )
    else:
        assert known.stdout == then.stdout


@pytest.mark.parametrize("day", DATES)
def test_the_site_at_d_is_the_site_of_the_files_as_written_by_d(
    run: Run, roots: dict[str, Path], day: str
) -> None:
    """Every page, byte for byte: numbers, check-in tables, burn-ups, SMART letters."""
    built = []
    for root in (roots["whole"], roots[day]):
        out = f"site-{day}"  # relative: both say the same "wrote ... to"
        done = run("site", out, "--as-of", day, cwd=root, env={"SOURCE_DATE_EPOCH": "1795000000"})
        assert done.exit_code == 0, done.stderr
        site = root / out
        built.append(
            (
                done.stdout,
                {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()},
            )
        )
    assert built[0] == built[1]


def test_score_at_d_uses_the_value_checked_in_by_d(run: Run) -> None:
    root = str(EXAMPLES / "it-department")
    args = ["--root", root, "score", "reliable-platform/uptime", "-f", "json"]
    result = json.loads(run(*args, "--as-of", "2026-10-06").stdout)["key_result"]
    # the check-ins are 2026-10-05 99.58, 10-19 99.66, 11-02 99.71, 11-16 99.76
    assert (result["current"], result["last_checkin"]) == (99.58, "2026-10-05")
    assert result["progress"] == pytest.approx((99.58 - 99.5) / 0.4, abs=0.01)
    later = json.loads(run(*args, "--as-of", "2026-11-16").stdout)["key_result"]
    assert (later["current"], later["last_checkin"]) == (99.76, "2026-11-16")


def test_a_key_result_checked_in_only_after_d_has_no_data_on_d(run: Run) -> None:
    root = str(EXAMPLES / "it-department")
    args = ["--root", root, "score", "reliable-platform/uptime", "-f", "json"]
    result = json.loads(run(*args, "--as-of", "2026-10-04").stdout)["key_result"]
    assert result["current"] is None and result["progress"] is None
    assert result["score"] == 0 and result["last_checkin"] is None
    assert result["confidence"] is None and result["forecast"] is None


@pytest.mark.parametrize("day", DATES)
def test_status_never_shows_a_checkin_in_the_future(run: Run, day: str) -> None:
    root = str(EXAMPLES / "it-department")
    result = run("--root", root, "status", "--as-of", day, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert not re.search(r"\bin \d+d\b", result.stdout), result.stdout
    document = json.loads(run("--root", root, "status", "-f", "json", "--as-of", day).stdout)
    last = [
        kr["last_checkin"]
        for objective in document["objectives"]
        for kr in objective["key_results"]
        if kr["last_checkin"]
    ]
    assert last and max(dt.date.fromisoformat(d) for d in last) <= dt.date.fromisoformat(day)


def test_diff_at_d_sees_no_checkin_dated_after_d(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    plan = (EXAMPLES / "it-department/2026-Q4/infrastructure.yaml").read_text()
    repo.write("okrs/infra.yaml", plan)
    repo.commit("plan")
    later = "          - {date: 2026-11-30, value: 99.85, confidence: 0.9}\n"
    repo.edit(
        "okrs/infra.yaml",
        "note: failover drill passed}\n",
        "note: failover drill passed}\n" + later,
    )
    repo.commit("a check-in of 2026-11-30")
    args = ["diff", "HEAD~1", "HEAD", "-f", "json", "--as-of"]
    before = json.loads(run(*args, "2026-11-20", cwd=repo.path).stdout)
    assert before["changes"] == []  # on 11-20 that check-in did not exist
    after = json.loads(run(*args, "2026-11-30", cwd=repo.path).stdout)
    [objective, uptime] = after["changes"]
    assert objective["ref"] == "reliable-platform"
    assert uptime["ref"] == "reliable-platform/uptime"
    assert uptime["fields"]["current"] == [99.76, 99.85]
