"""--owner, --area and --period are checked the same way by every view: a value no
objective has is a typo, exit 2, naming what the root has."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ONE_OBJECTIVE, Result, installed_itokr

Run = Callable[..., Result]
IT = EXAMPLES / "it-department"
VIEWS = [["status"], ["smart"], ["report"], ["tree"], ["export", "--output", "-"]]


def _it(run: Run, *args: str) -> Result:
    return run("--root", str(IT), *args, "--as-of", "2026-11-21")


@pytest.mark.parametrize("view", [*VIEWS, ["site", "{out}"]])
@pytest.mark.parametrize("period", ["2031-Q9", "FY99", "2026-q4"])
def test_a_period_that_is_no_period_is_misuse_everywhere(
    run: Run, view: list[str], period: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = _it(run, *(arg.format(out=out) for arg in view), "--period", period)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert not out.exists()  # site writes nothing
    message = result.stderr.strip()
    assert message.startswith(f"itokr: --period {period}: no such period (write YYYY-Qn, ")
    assert message.endswith(
        "the periods in this root: 2026, 2026-H2, 2026-Q3, 2026-Q4, 2027-Q1, FY27"
    )


EMPTY_NOTE = (
    "itokr: --period {period}: no objective has this period; "
    "the periods in this root: 2026, 2026-H2, 2026-Q3, 2026-Q4, 2027-Q1, FY27\n"
)


@pytest.mark.parametrize("view", [*VIEWS, ["site", "{out}"]])
def test_a_real_period_no_objective_has_is_an_empty_answer_everywhere(
    run: Run, view: list[str], tmp_path: Path
) -> None:
    """2031-Q1 is a period, just not one of this root's: nothing to show is the answer."""
    out = tmp_path / "site"
    result = _it(run, *(arg.format(out=out) for arg in view), "--period", "2031-Q1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(EMPTY_NOTE.format(period="2031-Q1"))
    assert "security-team" not in result.stdout  # no objective of another period


@pytest.mark.parametrize(
    ("view", "key"),
    [(["status"], "objectives"), (["tree"], "objectives"), (["smart"], "objectives")],
)
def test_an_empty_period_in_json_is_an_empty_list_and_a_quiet_stderr(
    run: Run, view: list[str], key: str
) -> None:
    result = _it(run, *view, "--period", "2031-Q1", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)[key] == []


def test_a_period_itokr_yaml_defines_is_real_though_no_objective_has_it(
    run: Run, make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "itokr.yaml": "periods:\n  FY30: {start: 2029-07-01, end: 2030-06-30}\n",
            "team.yaml": ONE_OBJECTIVE,
        }
    )
    result = run("--root", str(root), "status", "--period", "FY30", "-f", "json")
    assert (result.exit_code, json.loads(result.stdout)["objectives"]) == (0, [])
    undefined = run("--root", str(root), "status", "--period", "FY31")
    assert undefined.exit_code == 2
    assert "--period FY31: no such period" in undefined.stderr
    assert "the periods in this root: 2026-Q4" in undefined.stderr


def test_installed_itokr_empty_period_exits_0_and_a_typo_2() -> None:
    def itokr(period: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [installed_itokr(), "--root", str(IT), "status", "--period", period],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
        )

    empty, typo = itokr("2031-Q1"), itokr("2031-Q9")
    assert empty.returncode == 0
    assert empty.stderr == EMPTY_NOTE.format(period="2031-Q1")
    assert "No objectives to show." in empty.stdout
    assert (typo.returncode, typo.stdout) == (2, "")
    assert typo.stderr.startswith("itokr: --period 2031-Q9: no such period")
    assert "Traceback" not in empty.stderr + typo.stderr


@pytest.mark.parametrize(
    ("view", "noun"),
    [*((view, "objective") for view in VIEWS), (["due"], "objective or KPI"), (["kpis"], "KPI")],
)
def test_an_owner_no_objective_has_says_so(run: Run, view: list[str], noun: str) -> None:
    """`due` lists KPIs beside key results: their owners count there; `kpis` lists KPIs."""
    result = _it(run, *view, "--owner", "securty-team")
    assert result.exit_code == 2
    assert f"--owner securty-team: no {noun} has this owner" in result.stderr
    assert ("it-operations" if view == ["kpis"] else "security-team") in result.stderr


@pytest.mark.parametrize(
    ("view", "noun"), [*((view, "objective") for view in VIEWS), (["kpis"], "KPI")]
)
def test_an_area_no_objective_has_says_so(run: Run, view: list[str], noun: str) -> None:
    result = _it(run, *view, "--area", "nowhere")
    assert result.exit_code == 2
    of = "of KPIs " if view == ["kpis"] else ""
    assert f"--area nowhere: no {noun} has this area; the areas {of}in this root: " in result.stderr


def test_filters_that_exist_but_do_not_meet_are_fine(run: Run) -> None:
    """Each value exists; together they select nothing: an empty view, not a typo."""
    result = _it(run, "status", "--owner", "security-team", "--area", "finance", "-f", "json")
    assert (result.exit_code, json.loads(result.stdout)["objectives"]) == (0, [])


def _tree(run: Run, *args: str, as_of: str = "2026-11-21") -> list[dict[str, Any]]:
    result = run("--root", str(IT), "tree", "-f", "json", "--as-of", as_of, *args)
    assert result.exit_code == 0, result.stderr
    roots: list[dict[str, Any]] = json.loads(result.stdout)["objectives"]
    return roots


def _ids(nodes: list[dict[str, Any]]) -> set[str]:
    return {n["id"] for n in nodes} | {i for n in nodes for i in _ids(n["children"])}


def test_tree_filters_by_period_owner_and_area(run: Run) -> None:
    everything = _ids(_tree(run))
    quarter = _ids(_tree(run, "--period", "2026-Q3"))
    assert quarter and quarter < everything
    assert all(i.startswith("q3-") for i in quarter)
    security = _tree(run, "--owner", "security-team", "--area", "security")
    assert _ids(security) == {
        "annual-identity-security",
        "passwordless-sign-in",
        "q3-cyber-posture",
        "q3-patch-compliance",
        "fortify-platforms",
        "disaster-recovery",
    }
    assert _ids(_tree(run, "--owner", "finops-team")).isdisjoint(_ids(security))


def test_a_parents_mean_leaves_out_children_not_started(run: Run) -> None:
    """On 2026-09-01 the Q4 children have not started: their 0 is no news about the parent."""
    (platform,) = [
        n
        for root in _tree(run, as_of="2026-09-01")
        for n in root["children"]
        if n["id"] == "it-resilient-platform"
    ]
    started = [c["score"] for c in platform["children"] if c["health"] != "not-started"]
    assert len(started) < len(platform["children"])
    # the JSON rounds each score and the mean of the unrounded ones: they agree to 0.01
    assert platform["children_mean"] == pytest.approx(sum(started) / len(started), abs=0.01)


def test_a_parent_whose_children_have_not_started_has_no_mean(run: Run) -> None:
    nodes = _tree(run, as_of="2026-09-01")
    (delivery,) = [n for r in nodes for n in r["children"] if n["id"] == "it-faster-delivery"]
    assert {c["health"] for c in delivery["children"]} == {"not-started"}
    assert delivery["children_mean"] is None
    text = run("--root", str(IT), "tree", "--as-of", "2026-09-01", env={"COLUMNS": "200"})
    line = next(line for line in text.stdout.splitlines() if "it-faster-delivery" in line)
    assert "children not started" in line
