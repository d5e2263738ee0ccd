"""`itokr carry FROM TO`: next period's file from this one's unfinished objectives."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from itokr import yamlio
from itokr.loader import load_root

CARRIED = "2027-Q1/carried-from-2026-Q4.yaml"


@pytest.fixture
def it_root(tmp_path: Path) -> Path:
    root = tmp_path / "okrs"
    shutil.copytree(EXAMPLES / "it-department", root)
    return root


def _carry(run: Callable[..., Result], root: Path, *args: str) -> Result:
    return run("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31", *args)


def test_carry_examples_validates_with_latest_baselines_and_no_checkins(
    run: Callable[..., Result], it_root: Path
) -> None:
    result = _carry(run, it_root)
    assert result.exit_code == 0, result.stderr
    assert "git add" in result.stdout and "itokr diff" in result.stdout
    new = it_root / CARRIED
    text = new.read_text(encoding="utf-8")
    assert text.startswith("# Carried from 2026-Q4 to 2027-Q1") and "2026-12-31" in text
    assert "checkins" not in text and "current:" not in text
    assert run("--root", str(it_root), "validate").exit_code == 0

    tree = load_root(it_root, it_root)
    assert tree.ok
    ids = [entry.id for entry in tree.entries]
    assert len(ids) == len(set(ids))
    old = {e.id: e for e in tree.entries if e.period and e.period.name == "2026-Q4"}
    carried = {e.id: e for e in tree.entries if e.path.endswith("carried-from-2026-Q4.yaml")}
    assert "reliable-platform-2027-q1" in carried
    for entry in carried.values():
        assert entry.period is not None and entry.period.name == "2027-Q1"
        source = old[entry.id.removesuffix("-2027-q1")]
        assert entry.owner == source.owner and entry.area == source.area
        before = {kr.id: kr for kr in source.objective.key_results}
        for kr in entry.objective.key_results:
            was = before[kr.id]
            if kr.kind in ("metric", "threshold"):
                assert kr.checkins is None and kr.current is None
                latest = was.value if was.value is not None else was.baseline  # type: ignore[union-attr]
                assert kr.baseline == latest
                assert kr.target == was.target  # type: ignore[union-attr]
            if kr.kind == "milestone":
                assert not any(m.done for m in kr.milestones)
            if kr.kind == "binary":
                assert kr.done is False
    uptime = next(k for k in carried["reliable-platform-2027-q1"].objective.key_results)
    assert (uptime.baseline, uptime.target, uptime.weight) == (99.76, 99.9, 2)  # type: ignore[union-attr]
    # a done key result stays behind: patch-coverage met its threshold
    kept = {kr.id for kr in carried["streamline-infra-ops-2027-q1"].objective.key_results}
    assert "patch-coverage" not in kept and "mttr" in kept


def test_second_run_refuses_to_overwrite(run: Callable[..., Result], it_root: Path) -> None:
    assert _carry(run, it_root).exit_code == 0
    new = it_root / CARRIED
    new.write_text(new.read_text() + "# my review notes\n")
    again = _carry(run, it_root)
    assert again.exit_code == 1
    assert "exists" in again.stderr and "nothing written" in again.stderr
    assert new.read_text().endswith("# my review notes\n")


def test_dry_run_and_output_dash_write_nothing(run: Callable[..., Result], it_root: Path) -> None:
    before = sorted(p.relative_to(it_root) for p in it_root.rglob("*"))
    for flag in (("--dry-run",), ("--output", "-")):
        result = _carry(run, it_root, *flag)
        assert result.exit_code == 0
        assert result.stdout.startswith("# Carried from 2026-Q4")
        assert "Would write" in result.stderr
        assert yamlio.read(result.stdout.encode())["period"] == "2027-Q1"
    assert sorted(p.relative_to(it_root) for p in it_root.rglob("*")) == before


def test_json_summary(run: Callable[..., Result], it_root: Path) -> None:
    result = _carry(run, it_root, "--dry-run", "--format", "json")
    document = json.loads(result.stdout)
    assert document["written"] is False and document["text"].startswith("# Carried")
    by_old = {o["from"]: o for o in document["objectives"]}
    assert by_old["streamline-infra-ops"]["left_behind"] == ["patch-coverage"]
    assert by_old["reliable-platform"]["id"] == "reliable-platform-2027-q1"


def test_bad_periods_are_usage_errors(run: Callable[..., Result], it_root: Path) -> None:
    bad_to = run("--root", str(it_root), "carry", "2026-Q4", "2027-Q5")
    assert bad_to.exit_code == 2 and "not a period" in bad_to.stderr
    empty = run("--root", str(it_root), "carry", "2025-Q4", "2026-Q1")
    assert empty.exit_code == 2 and "no objectives in period" in empty.stderr
    named = run("--root", str(it_root), "carry", "2026-Q4", "FY27", "--dry-run")
    assert named.exit_code == 0 and "app-performance-fy27" in named.stdout


ROOT = """\
period: 2026-Q4
owner: ops
objectives:
  - id: parent
    title: "Parent: the goal"
    key_results:
      - id: open
        title: Open one
        baseline: 0
        target: 10
        current: 4
        due: 2026-11-30
        reason: moved in review
  - id: child
    title: "no"
    type: committed
    aligns_to: [parent]
    key_results:
      - id: gate
        title: Gate
        kind: threshold
        direction: at_most
        target: 5
        checkins:
          - {date: 2026-10-05, value: 9}
      - id: flag
        title: Flag
        done: false
  - id: finished
    title: Finished
    key_results:
      - id: all
        title: All
        done: true
"""


def test_hand_made_root_alignment_ids_and_quoting(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": ROOT})
    result = run(
        "--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31", "--dry-run"
    )
    assert result.exit_code == 0, result.stderr
    data = yamlio.read(result.stdout.encode())
    objectives = {o["id"]: o for o in data["objectives"]}
    assert sorted(objectives) == ["child-2027-q1", "parent-2027-q1"]  # finished stays
    assert objectives["child-2027-q1"]["aligns_to"] == ["parent-2027-q1"]
    assert objectives["child-2027-q1"]["title"] == "no"  # a string, not a YAML 1.1 false
    assert objectives["child-2027-q1"]["type"] == "committed"
    assert objectives["parent-2027-q1"]["title"] == "Parent: the goal"
    opened = objectives["parent-2027-q1"]["key_results"][0]
    assert opened == {"id": "open", "title": "Open one", "baseline": 4, "target": 10}
    gate = objectives["child-2027-q1"]["key_results"][0]
    assert gate["baseline"] == 9 and gate["direction"] == "at_most" and gate["target"] == 5
    assert objectives["child-2027-q1"]["key_results"][1] == {
        "id": "flag",
        "title": "Flag",
        "done": False,
    }
    assert "finished" in result.stderr  # "Done, not carried: finished"


def test_carrying_again_replaces_the_old_suffix(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": ROOT})
    args = ("--root", str(root), "carry", "--as-of", "2027-03-31")
    assert run(*args[:3], "2026-Q4", "2027-Q1", "--as-of", "2026-12-31").exit_code == 0
    result = run(*args, "2027-Q1", "2027-Q2", "--dry-run")
    assert result.exit_code == 0, result.stderr
    ids = [o["id"] for o in yamlio.read(result.stdout.encode())["objectives"]]
    assert ids == ["parent-2027-q2", "child-2027-q2"]


def test_everything_done_writes_nothing(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "q4.yaml": """\
            period: 2026-Q4
            objectives:
              - id: done
                title: Done
                key_results:
                  - {id: a, title: A, done: true}
            """
        }
    )
    result = run("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31")
    assert result.exit_code == 0 and "nothing to carry" in result.stderr
    assert result.stdout == ""
    assert not (root / "2027-Q1").exists()
    summary = run(
        "--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31", "-f", "json"
    )
    document = json.loads(summary.stdout)
    assert document["objectives"] == [] and document["finished"] == ["done"]
    assert document["written"] is False and not (root / "2027-Q1").exists()


def test_refuses_while_the_root_is_invalid(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": ROOT, "x.yaml": "objectives: 3\n"})
    result = run("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31")
    assert result.exit_code == 1 and "itokr validate" in result.stderr
    assert not (root / "2027-Q1").exists()


IDS = """\
period: 2026-Q4
owner: ops
area: operations
objectives:
  - id: "2026"
    title: The company goal for the year
    key_results:
      - {id: "1", title: The one big goal we have, done: true}
  - id: "99"
    title: Keep the service up and running
    aligns_to: ["2026"]
    key_results:
      - id: "99"
        title: Hold 99.9% availability every month
        unit: "%"
        baseline: 99
        target: 99.9
        checkins:
          - {date: 2026-10-05, value: 99.5}
      - id: "2027"
        title: Reach the next milestone on time
        milestones:
          - {title: "yes", done: false}
          - {title: "2026-11-30", done: false}
"""


def test_ids_and_alignments_that_look_like_numbers_stay_strings(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": IDS})
    args = ("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31")
    result = run(*args)
    assert result.exit_code == 0, result.stderr  # it refused with E103 "please report this"
    data = yamlio.read((root / CARRIED).read_bytes())
    [carried] = data["objectives"]
    assert carried["id"] == "99-2027-q1" and carried["aligns_to"] == ["2026"]
    assert [kr["id"] for kr in carried["key_results"]] == ["99", "2027"]
    assert [m["title"] for m in carried["key_results"][1]["milestones"]] == ["yes", "2026-11-30"]
    assert run("--root", str(root), "validate").exit_code == 0


def test_what_a_carried_objective_misses_in_smart_is_named_with_the_fix(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": ROOT})
    args = ("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31")
    document = json.loads(run(*args, "--dry-run", "-f", "json").stdout)
    to_fix = {o["id"]: [(f["ref"], f["code"]) for f in o["to_fix"]] for o in document["objectives"]}
    assert to_fix == {
        # one key result left, no area and no parent to be relevant to, no unit, a short title
        "parent-2027-q1": [
            ("parent-2027-q1", "R401"),
            ("parent-2027-q1", "M201"),
            ("parent-2027-q1/open", "M203"),
            ("parent-2027-q1/open", "S103"),
        ],
        # "no" is one word; a threshold without a unit and a lone done flag measure nothing
        "child-2027-q1": [
            ("child-2027-q1", "S102"),
            ("child-2027-q1/gate", "M203"),
            ("child-2027-q1/gate", "S103"),
            ("child-2027-q1/flag", "S103"),
            ("child-2027-q1/flag", "M203"),
        ],
    }
    assert all(f["fix"] for o in document["objectives"] for f in o["to_fix"])
    written = run(*args)
    assert written.exit_code == 0
    assert "to fix: parent-2027-q1 M201: 1 key result; at least 2 are needed" in written.stdout
    assert "2 carried objectives would not pass as written" in written.stdout


LATENCY = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: fast-api
    title: Make the public API fast for every customer
    key_results:
      - id: p95
        title: Reduce p95 API response time from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins:
          - {date: 2026-11-02, value: 230}
      - id: errors
        title: Keep the API error rate at or below 1%
        kind: threshold
        direction: at_most
        unit: "%"
        baseline: 3
        target: 1
        checkins:
          - {date: 2026-11-02, value: 2}
"""


def test_a_title_that_names_the_old_baseline_is_named(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": LATENCY})
    args = ("--root", str(root), "carry", "2026-Q4", "2027-Q1", "--as-of", "2026-12-31")
    document = json.loads(run(*args, "--dry-run", "-f", "json").stdout)
    [objective] = document["objectives"]
    assert objective["to_fix"] == [
        {
            "ref": "fast-api-2027-q1/p95",
            "code": "title",
            "message": "the title still says 250, the 2026-Q4 baseline; it starts from 230 now",
            "fix": "retitle it: from 230 to 200",
        }
    ]  # the error rate's title names no baseline: nothing to say


def test_the_examples_carry_into_a_valid_file_and_their_smart_misses_are_announced(
    run: Callable[..., Result], it_root: Path
) -> None:
    result = _carry(run, it_root)
    assert result.exit_code == 0
    assert "to fix: service-catalogue-live-2027-q1 M201" in result.stdout
    assert "retitle it" in result.stdout and "would not pass as written" in result.stdout
    assert run("--root", str(it_root), "validate").exit_code == 0
    smart = json.loads(run("--root", str(it_root), "smart", "-f", "json").stdout)
    failing = {o["id"] for o in smart["objectives"] if o["score"] < 1 and "2027-q1" in o["id"]}
    announced = {
        line.split()[2].split("/")[0]
        for line in result.stdout.splitlines()
        if line.startswith("    to fix: ")
    }
    assert failing and failing <= announced  # every carried objective smart fails was named


def test_installed_entry_point(it_root: Path) -> None:
    args = [installed_itokr(), "--root", str(it_root), "carry", "2026-Q4", "2027-Q1"]
    args += ["--as-of", "2026-12-31"]
    first = subprocess.run(args, capture_output=True, text=True, check=False)
    assert first.returncode == 0 and "Wrote" in first.stdout and first.stderr == ""
    second = subprocess.run(args, capture_output=True, text=True, check=False)
    assert second.returncode == 1 and second.stdout == "" and "exists" in second.stderr
    bad = subprocess.run(
        [*args[:4], "2027-Q1", "soon"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and "not a period" in bad.stderr


def test_a_key_result_tracking_a_kpi_keeps_tracking_it(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root(
        {
            "kpis.yaml": "kpis:\n  - id: mttr\n    title: MTTR\n    unit: h\n    good: 4\n"
            "    bad: 8\n    checkins:\n      - {date: 2026-11-30, value: 6}\n",
            "2026-Q4/ops.yaml": "period: 2026-Q4\nowner: ops\narea: ops\nobjectives:\n"
            "  - id: repairs\n    title: Repair incidents faster than ever\n    key_results:\n"
            "      - {id: mttr-down, title: Cut MTTR from 8 h to 4 h, baseline: 8, target: 4,"
            " kpi: mttr}\n",
        }
    )
    assert _carry(run, root).exit_code == 0
    text = (root / CARRIED).read_text(encoding="utf-8")
    assert "      kpi: mttr\n" in text
    assert "      baseline: 6  # 2026-Q4: baseline 8\n" in text
    assert run("--root", str(root), "validate").exit_code == 0


def test_a_key_result_with_a_source_keeps_it(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    """`itokr measure` goes on reading the carried key result, from the same source."""
    root = make_root(
        {
            "itokr.yaml": "sources:\n  prom: {prometheus: 'http://127.0.0.1:9090'}\n"
            "  deploys: {command: [python3, deploys.py]}\n",
            "2026-Q4/ops.yaml": "period: 2026-Q4\nowner: ops\narea: ops\nobjectives:\n"
            "  - id: uptime\n    title: Keep the portal up all the time\n    key_results:\n"
            "      - {id: up, title: Keep uptime at 99.9%, baseline: 99, target: 99.9,"
            " source: {from: prom, query: 'avg(up{job=\"portal\"}) * 100'}}\n"
            "      - {id: deploys, title: Deploy 40 times a week, baseline: 10, target: 40,"
            " source: {from: deploys, args: [--team, 'yes']}}\n",
        }
    )
    assert _carry(run, root).exit_code == 0
    assert run("--root", str(root), "validate").exit_code == 0
    carried = load_root(root, root).entries[-1].objective.key_results
    assert [kr.source.summary for kr in carried] == [  # type: ignore[union-attr]
        'prom, query: avg(up{job="portal"}) * 100',
        "deploys, args: --team yes",
    ]
