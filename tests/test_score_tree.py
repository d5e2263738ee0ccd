"""`itokr score REF` explains every number status shows; `itokr tree` adds them up."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from test_status import CONFIG, PLATFORM

Run = Callable[..., Result]
IT = EXAMPLES / "it-department"


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root({"itokr.yaml": CONFIG, "2026-Q4/platform.yaml": PLATFORM})


def score(run: Run, root: Path, *args: str) -> Result:
    return run("--root", str(root), "score", "--as-of", "2026-11-15", *args, env={"COLUMNS": "120"})


def test_key_result_shows_its_arithmetic(run: Run, root: Path) -> None:
    result = score(run, root, "reliable-platform/p95-latency")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "score 250 → 235 → 200 ms = 0.30" in text  # SPEC: baseline → current → target
    assert "(235 − 250) / (200 − 250) = -15 / -50 = 0.30" in text
    assert "weight 1 of 3 in reliable-platform" in text
    assert "expected 0.49: 45 of the 91 days from the first day of 2026-Q4 to its last" in text
    assert "health at-risk: score 0.30 < 0.39 (expected 0.49 − at_risk 0.10), but ≥ 0.19" in text
    assert "forecast → 0.68: a least-squares line through 3 dated values" in text
    assert "stale no: last check-in 2026-11-10, 5 days ago (stale after 14)" in text
    assert "confidence 0.80" in text
    assert "2026-11-10 235 0.80 cache warmed" in text  # the check-in history


def test_objective_shows_the_weighted_average(run: Run, root: Path) -> None:
    text = " ".join(score(run, root, "reliable-platform").stdout.split())
    assert "(0.30×1 + 0.00×2) / 3 = 0.30 / 3 = 0.10" in text
    assert "off-track: score 0.10 < 0.19" in text


def test_committed_grade_is_explained(run: Run, root: Path) -> None:
    text = " ".join(score(run, root, "patching").stdout.split())
    assert (
        "red: 2026-Q3 ended 2026-09-30, final grade of 0.60 (committed: green only at 1.00" in text
    )


@pytest.mark.parametrize(
    ("ref", "expected", "line"),
    [
        ("patching/coverage", "current 98% ≥ 98%? met → 1", "98% ≥ 98% = 1.00"),
        (
            "patching/retire",
            "weight of milestones done / of all = 1 / 5 = 0.20",
            "0 → 1 → 5 by weight = 0.20",
        ),
        ("reliable-platform/runbook", "not done → 0", "not done = 0.00"),
        (
            "next-quarter/adoption",
            "no current value yet (no data): score 0",
            "10% → no data → 50% = 0.00",
        ),
    ],
)
def test_every_kind_is_explained(run: Run, root: Path, ref: str, expected: str, line: str) -> None:
    text = " ".join(score(run, root, ref).stdout.split())
    assert expected in text
    assert f"score {line} expected" in text  # SPEC's line, in the kind's own terms


@pytest.mark.parametrize(
    ("key_result", "line"),
    [
        # over-achieved: the score is the clamped progress, and says so
        (
            "{id: k, title: Reach ten deploys a day, baseline: 0, target: 10, current: 12,"
            " unit: deploys/day}",
            "0 → 12 → 10 deploys/day = 1.00: progress 1.20 clamped to 1 (over-achieved)",
        ),
        (
            "{id: k, title: Keep the error rate low, kind: threshold, direction: at_most,"
            " baseline: 3, target: 1, current: 1.5, unit: '%'}",
            "3% → 1.5% > 1% = 0.00",
        ),
        (
            "{id: k, title: Keep at least two regions, kind: threshold, direction: at_least,"
            " target: 2, unit: regions}",
            "no data (at least 2 regions) = 0.00",
        ),
        (
            "{id: k, title: Ship all three parts, milestones: [{title: a, done: true},"
            " {title: b, done: true}, {title: c, done: false}]}",
            "0 → 2 → 3 milestones = 0.67",
        ),
        ("{id: k, title: Publish the runbook now, done: true}", "done = 1.00"),
    ],
)
def test_the_score_line_reads_baseline_current_target(
    run: Run, make_root: Callable[..., Path], key_result: str, line: str
) -> None:
    root = make_root(
        {
            "a.yaml": "period: 2026-Q4\nobjectives:\n  - id: a\n    title: Make it so\n"
            f"    key_results:\n      - {key_result}\n"
        }
    )
    result = score(run, root, "a/k", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["explanation"]["score"] == line


def test_score_json_matches_status(run: Run, root: Path) -> None:
    document = json.loads(score(run, root, "reliable-platform/p95-latency", "-f", "json").stdout)
    status = json.loads(
        run("--root", str(root), "status", "--as-of", "2026-11-15", "--format", "json").stdout
    )
    kr = status["objectives"][0]["key_results"][0]
    assert document["key_result"] == kr | {"weight": 1}
    assert document["objective"]["score"] == status["objectives"][0]["score"]
    assert document["ref"] == "reliable-platform/p95-latency"
    assert set(document["explanation"]) >= {
        "progress",
        "score",
        "expected",
        "health",
        "forecast",
        "stale",
        "confidence",
    }


@pytest.mark.parametrize("ref", ["nope", "reliable-platform/nope"])
def test_unknown_ref_is_misuse(run: Run, root: Path, ref: str) -> None:
    result = score(run, root, ref)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("itokr: unknown")


DUPLICATE_KR = """\
period: 2026-Q4
objectives:
  - id: nums
    title: Count all the things
    key_results:
      - {id: k20, title: Count twenty things, baseline: 0, target: 20, current: 5}
      - {id: k20, title: Count twenty more, baseline: 0, target: 20, current: 5}
"""


@pytest.mark.parametrize("ref", ["nums/k20", "nums"])
def test_a_ref_kept_out_by_problems_names_them_and_exits_1(
    run: Run, make_root: Callable[..., Path], ref: str
) -> None:
    """The objective exists but does not load (a duplicate key-result id): "unknown
    objective" alone (exit 2) would send the user hunting for a typo."""
    root = make_root({"a.yaml": DUPLICATE_KR, "b.yaml": PLATFORM})
    result = score(run, root, ref)
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "itokr: unknown objective 'nums' among the objectives that loaded; problems may keep it out"
    )
    assert lines[1] == "itokr: 1 problem in the OKR files:"
    assert lines[2].endswith(
        "a.yaml:7:14: E205 key result id 'k20' is already used in this objective: rename one"
    )
    shown = score(run, root, "reliable-platform/p95-latency")  # what loaded is still shown
    assert shown.exit_code == 1 and "250 → 235 → 200 ms" in shown.stdout


def test_installed_score_of_a_ref_problems_keep_out_exits_1(
    make_root: Callable[..., Path],
) -> None:
    root = make_root({"a.yaml": DUPLICATE_KR})
    done = subprocess.run(
        [installed_itokr(), "--root", str(root), "score", "nums/k20"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert "E205" in done.stderr and "Traceback" not in done.stderr


def test_titles_are_shown_as_written_not_as_markup(
    run: Run, make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "x.yaml": """\
        period: 2026-Q4
        objectives:
          - id: odd
            title: "[bold]Not markup[/bold] :rocket:"
            key_results:
              - id: steps
                title: "[x] done [ ] left"
                milestones:
                  - {title: "[red]first[/red]", done: true}
        """
        }
    )
    text = score(run, root, "odd/steps").stdout + score(run, root, "odd").stdout
    assert "[x] done [ ] left" in text and "[red]first[/red]" in text
    assert "[bold]Not markup[/bold] :rocket:" in text


def tree(run: Run, root: Path, *args: str) -> Result:
    return run("--root", str(root), "tree", "--as-of", "2026-11-21", *args, env={"COLUMNS": "120"})


def _find(nodes: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    found = []
    for node in nodes:
        if node["id"] == key:
            found.append(node)
        found += _find(node["children"], key)
    return found


def test_tree_json_nests_children_with_their_mean(run: Run) -> None:
    result = tree(run, IT, "--format", "json")
    assert result.exit_code == 0
    roots = json.loads(result.stdout)["objectives"]
    assert [r["id"] for r in roots[:3]] == [
        "company-digital-first",
        "company-trusted-operations",
        "company-profitable-growth",
    ]
    cost = _find(roots, "it-cost-discipline")[0]
    # unweighted mean of the own scores of q3-cloud-costs (0.36) and optimize-it-costs (0.55)
    assert [c["id"] for c in cost["children"]] == ["q3-cloud-costs", "optimize-it-costs"]
    assert cost["children_mean"] == 0.45
    assert set(cost) == {"id", "title", "score", "health", "children_mean", "children"}
    assert _find(roots, "q3-cloud-costs")[0]["children_mean"] is None
    # aligned to two parents: shown under each
    assert len(_find(roots, "passwordless-sign-in")) == 2


def test_tree_text_shows_scores_health_and_means(run: Run) -> None:
    result = tree(run, IT)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Acme Corp IT · alignment as of 2026-11-21"
    line = next(line for line in lines if "it-cost-discipline" in line)
    assert "0.43 on-track  children 0.45" in line
    assert any("└── optimize-it-costs  0.55 on-track" in line for line in lines)


def test_tree_survives_a_cycle_and_reports_it(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root(
        {
            "x.yaml": """\
        period: 2026-Q4
        objectives:
          - {id: a, title: A, aligns_to: [b], key_results: [{id: k, title: t, done: true}]}
          - {id: b, title: B, aligns_to: [a], key_results: [{id: k, title: t, done: false}]}
        """
        }
    )
    result = tree(run, root, "--format", "json")
    assert result.exit_code == 1 and "run itokr validate" in result.stderr
    roots = json.loads(result.stdout)["objectives"]
    assert [(r["id"], [c["id"] for c in r["children"]]) for r in roots] == [("a", ["b"])]


def test_installed_entry_point_exit_codes_and_streams(root: Path, tmp_path: Path) -> None:
    itokr = installed_itokr()

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [itokr, "--root", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )

    done = call("status", "--as-of", "2026-11-15", "--format", "json")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["objectives"][0]["score"] == 0.1
    table = call("status", "--as-of", "2026-11-15")
    assert table.returncode == 0 and "\x1b" not in table.stdout and "p95-latency" in table.stdout
    assert call("score", "patching/retire", "--as-of", "2026-11-15").returncode == 0
    missing = call("score", "patching/nothing", "--as-of", "2026-11-15")
    assert missing.returncode == 2 and missing.stdout == "" and "did you mean" in missing.stderr
    assert call("tree", "--as-of", "2026-11-15", "--format", "json").returncode == 0
    (root / "broken.yaml").write_text("objectives: [\n", encoding="utf-8")
    broken = call("status", "--as-of", "2026-11-15")
    assert broken.returncode == 1 and "reliable-platform" in broken.stdout
    assert broken.stderr == "itokr: 1 problem in the OKR files; run itokr validate\n"


def test_tree_of_a_very_deep_chain(run: Run, make_root: Callable[..., Path]) -> None:
    """Deeper than Python's recursion limit: neither view may recurse per level."""
    depth = 1500
    lines = ["period: 2026-Q4", "objectives:"]
    for i in range(depth):
        parent = f", aligns_to: [o{i - 1}]" if i else ""
        lines.append(
            f"  - {{id: o{i}, title: T{parent}, key_results: [{{id: k, title: t, done: true}}]}}"
        )
    root = make_root({"chain.yaml": "\n".join(lines) + "\n"})
    result = tree(run, root, "--format", "json")
    assert result.exit_code == 0, result.stderr
    nodes = [line for line in result.stdout.splitlines() if line.lstrip().startswith('{"id"')]
    assert len(nodes) == depth
    assert nodes[-1].startswith(" " * 2 * depth + '{"id": "o1499"')
    assert tree(run, root).exit_code == 0
