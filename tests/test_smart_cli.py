"""`itokr smart` from the command line: formats, gates, suppression, filters."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, REPO, Result, installed_itokr

Run = Callable[..., Result]
MakeRoot = Callable[[dict[str, str]], Path]
AS_OF = "--as-of=2026-11-21"

GOOD = """\
owner: platform-team
area: infrastructure
period: 2026-Q4
objectives:
  - id: fast-api
    title: Make the public API feel instant
    key_results:
      - id: p95
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
      - id: mttr
        title: Cut MTTR from 9 h to 5 h
        unit: h
        baseline: 9
        target: 5
"""

# The three objectives of smart-failures.yaml and the one letter each fails on purpose.
DELIBERATE = {
    "service-catalogue-live": "measurable",
    "self-service-passwords": "attainable",
    "modernise-backups": "time_bound",
}


FAILURES = EXAMPLES / "it-department" / "2026-Q4" / "smart-failures.yaml"
# T501 points at the objective without a period: the line of its `- id:`
BACKUPS_LINE = (
    FAILURES.read_text(encoding="utf-8").splitlines().index("  - id: modernise-backups") + 1
)


def _smart(run: Run, root: Path | str, *args: str, env: dict[str, str] | None = None) -> Result:
    return run("--root", str(root), "smart", AS_OF, *args, cwd=REPO, env=env)


def _json(run: Run, root: Path | str, *args: str) -> dict[str, Any]:
    result = _smart(run, root, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {objective["id"]: objective for objective in document["objectives"]}


def test_examples_pass_except_the_deliberate_failures(run: Run) -> None:
    objectives = _by_id(_json(run, "examples/it-department"))
    assert set(DELIBERATE) <= set(objectives)
    for id_, objective in objectives.items():
        failed = [name for name, ok in objective["checks"].items() if not ok]
        if id_ in DELIBERATE:
            assert failed == [DELIBERATE[id_]], id_
            assert objective["score"] == 0.8
            assert objective["reasons"] and objective["path"].endswith("smart-failures.yaml")
        else:
            assert (failed, objective["score"], objective["reasons"]) == ([], 1.0, []), id_


@pytest.mark.parametrize("root", ["examples/okr-practice", "okrs"])
def test_the_other_example_roots_and_our_own_okrs_are_smart(run: Run, root: str) -> None:
    objectives = _json(run, root)["objectives"]
    assert objectives
    assert all(o["score"] == 1.0 for o in objectives), [o["reasons"] for o in objectives]


def test_json_has_exactly_the_spec_shape_plus_documented_additions(run: Run) -> None:
    document = _json(run, "examples/it-department")
    assert list(document) == ["objectives"]
    spec = ["id", "score", "checks", "reasons"]
    for objective in document["objectives"]:
        assert list(objective) == [*spec, "warnings", "path", "findings"]
        assert list(objective["checks"]) == [
            "specific", "measurable", "attainable", "relevant", "time_bound",
        ]  # fmt: skip
        assert all(isinstance(ok, bool) for ok in objective["checks"].values())
        assert all(isinstance(reason, str) for reason in objective["reasons"])
        for finding in objective["findings"]:
            assert list(finding) == [
                "code", "level", "letter", "ref", "path", "line", "col", "message", "fix",
                "suppressed",
            ]  # fmt: skip
    backups = _by_id(document)["modernise-backups"]
    assert backups["reasons"] == ["T501 no period"]
    assert backups["findings"][0]["line"] == BACKUPS_LINE


def test_min_score_gates_ci(run: Run) -> None:
    assert _smart(run, "examples/it-department", "--min-score", "0.8").exit_code == 0
    low = _smart(run, "examples/it-department", "--min-score", "0.81")
    assert low.exit_code == 1
    assert "3 below --min-score 0.81" in low.stderr
    assert all(id_ in low.stderr for id_ in DELIBERATE)
    assert _smart(run, "examples/it-department").exit_code == 0, "no gate unless asked"


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_min_score_outside_0_to_1_is_misuse(run: Run, value: str) -> None:
    result = _smart(run, "examples/it-department", "--min-score", value)
    assert result.exit_code == 2
    assert "--min-score" in result.stderr


def test_strict_fails_on_warnings_too(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD})
    assert _smart(run, root, "--strict").exit_code == 0
    warned = make_root({"a.yaml": GOOD.replace("Make the public API", "Implement the public API")})
    plain = _smart(run, warned)
    assert plain.exit_code == 0 and "S110" in plain.stdout
    strict = _smart(run, warned, "--strict")
    assert strict.exit_code == 1
    assert "fast-api" in strict.stderr and "--strict" in strict.stderr


def test_warnings_leave_the_letters_and_score_alone(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.replace("Make the public API", "Implement the public API")})
    [objective] = _json(run, root)["objectives"]
    assert objective["score"] == 1.0 and objective["reasons"] == []
    assert objective["warnings"] == [objective["warnings"][0]]
    assert objective["warnings"][0].startswith("S110 ")


def test_inline_suppression_on_the_objective_line(run: Run, make_root: MakeRoot) -> None:
    text = GOOD.replace("area: infrastructure\n", "")
    [before] = _json(run, make_root({"a.yaml": text}))["objectives"]
    assert before["checks"]["relevant"] is False
    suppressed = text.replace(
        "- id: fast-api", "- id: fast-api  # itokr: disable=R401 (agreed with the CIO)"
    )
    [after] = _json(run, make_root({"a.yaml": suppressed}))["objectives"]
    assert after["checks"]["relevant"] is True and after["score"] == 1.0
    assert after["reasons"] == []
    assert [(f["code"], f["suppressed"]) for f in after["findings"]] == [("R401", True)]


def test_inline_suppression_on_a_key_result_line(run: Run, make_root: MakeRoot) -> None:
    text = GOOD.replace("        unit: h\n", "")
    text = text.replace("- id: mttr", "- id: mttr  # itokr: disable=S103, M203")
    [objective] = _json(run, make_root({"a.yaml": text}))["objectives"]
    assert objective["checks"]["measurable"] is True
    # the same comment on the other key result's line does not reach this one
    moved = GOOD.replace("        unit: h\n", "").replace(
        "- id: p95", "- id: p95  # itokr: disable=M203"
    )
    [objective] = _json(run, make_root({"a.yaml": moved}))["objectives"]
    assert objective["checks"]["measurable"] is False
    assert objective["reasons"] == ["M203 key result `mttr` has no unit"]


def test_a_key_result_comment_does_not_suppress_an_objective_rule(
    run: Run, make_root: MakeRoot
) -> None:
    text = GOOD.replace("area: infrastructure\n", "").replace(
        "- id: p95", "- id: p95  # itokr: disable=R401"
    )
    [objective] = _json(run, make_root({"a.yaml": text}))["objectives"]
    assert objective["checks"]["relevant"] is False


def test_validation_problems_stop_smart(run: Run, make_root: MakeRoot) -> None:
    root = make_root({"a.yaml": GOOD.replace("baseline: 250", "baseline: fast")})
    result = _smart(run, root, "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "1 problem in the OKR files; run itokr validate" in result.stderr


def test_a_path_fails_on_a_problem_told_in_another_file(run: Run, make_root: MakeRoot) -> None:
    """As `validate PATH`: dup.yaml's id repeats one told at good.yaml; smart on dup.yaml
    alone still refuses the root rather than judge it."""
    root = make_root({"good.yaml": GOOD, "dup.yaml": GOOD})
    result = _smart(run, root, str(root / "dup.yaml"), "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "1 problem in the OKR files; run itokr validate" in result.stderr


def test_filters_match_the_objectives_own_values(run: Run, make_root: MakeRoot) -> None:
    other = (
        GOOD.replace("owner: platform-team", "owner: security-team")
        .replace("area: infrastructure", "area: security")
        .replace("period: 2026-Q4", "period: 2027-Q1")
        .replace("fast-api", "safe-api")
    )
    root = make_root({"a.yaml": GOOD, "b.yaml": other})

    def ids(*args: str) -> list[str]:
        return [o["id"] for o in _json(run, root, *args)["objectives"]]

    assert ids() == ["fast-api", "safe-api"]
    assert ids("--owner", "security-team") == ["safe-api"]
    assert ids("--area", "infrastructure") == ["fast-api"]
    assert ids("--period", "2027-Q1") == ["safe-api"]
    # a period matches by its name exactly (the year is not its quarter); a name that
    # is no period is misuse
    assert ids("--period", "2027") == []
    assert _smart(run, root, "--period", "2027-Q5").exit_code == 2
    assert ids("--owner", "platform-team", "--area", "security") == []


def test_github_annotations_point_at_file_line_and_column(run: Run) -> None:
    result = _smart(run, "examples/it-department", "--format", "github")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    path = "examples/it-department/2026-Q4/smart-failures.yaml"
    assert (
        f"::error file={path},line={BACKUPS_LINE},col=5,title=T501 (Time-bound)::" in result.stdout
    )
    assert any(line.startswith("::warning file=") for line in lines)
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)


def test_sarif_is_valid_2_1_0_for_code_scanning(run: Run, make_root: MakeRoot) -> None:
    result = _smart(run, "examples/it-department", "--format", "sarif")
    assert result.exit_code == 0
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    [only] = sarif["runs"]
    rules = only["tool"]["driver"]["rules"]
    assert only["tool"]["driver"]["name"] == "itokr"
    assert all(rule["defaultConfiguration"]["level"] in ("error", "warning") for rule in rules)
    assert only["results"]
    for item in only["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in ("error", "warning") and item["message"]["text"]
        [location] = item["locations"]
        physical = location["physicalLocation"]
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    t501 = next(i for i in only["results"] if i["ruleId"] == "T501")
    assert t501["locations"][0]["physicalLocation"]["region"] == {
        "startLine": BACKUPS_LINE,
        "startColumn": 5,
    }
    text = GOOD.replace("area: infrastructure\n", "")
    text = text.replace("- id: fast-api", "- id: fast-api # itokr: disable=R401")
    suppressed_root = make_root({"a.yaml": text})
    [kept] = json.loads(_smart(run, suppressed_root, "-f", "sarif").stdout)["runs"][0]["results"]
    assert kept["suppressions"] == [{"kind": "inSource"}]


def test_the_table_shows_letters_scores_reasons_and_fixes(run: Run) -> None:
    result = _smart(run, "examples/it-department", env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out
    assert "S  M  A  R  T" in out.replace("   ", "  ")
    assert f"✗ T501 no period (line {BACKUPS_LINE})" in out
    assert "→ add `period:`" in out
    assert "0.80" in out and "1.00" in out
    assert ", 3 with misses; mean score " in out
    colored = _smart(run, "examples/it-department", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in colored.stdout


def test_config_rules_switch_warnings_and_refuse_the_floor(run: Run, make_root: MakeRoot) -> None:
    warned = GOOD.replace("Make the public API", "Implement the public API")
    root = make_root({"a.yaml": warned, "itokr.yaml": "smart: {rules: {S110: false}}\n"})
    assert _json(run, root)["objectives"][0]["warnings"] == []
    root = make_root({"itokr.yaml": "smart: {rules: {S999: false}}\n"})
    unknown = _smart(run, root)
    assert unknown.exit_code == 1 and "S999, which is no rule" in unknown.stderr
    root = make_root({"itokr.yaml": "smart: {rules: {R401: false}}\n"})
    floor = _smart(run, root)
    assert floor.exit_code == 1 and "SMART floor" in floor.stderr


def test_a_bad_as_of_is_misuse(run: Run) -> None:
    result = run("--root", "examples/it-department", "smart", "--as-of", "2026-02-30", cwd=REPO)
    assert result.exit_code == 2


def test_installed_entry_point_separates_report_and_verdict(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ITOKR_ROOT", "GITHUB_ACTIONS")}
    root = str(EXAMPLES / "it-department")
    args = [installed_itokr(), "--root", root, "smart", AS_OF, "-f", "json"]
    gated = subprocess.run(
        [*args, "--min-score", "1"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert gated.returncode == 1
    assert len(json.loads(gated.stdout)["objectives"]) > 3
    assert gated.stderr.startswith("itokr: objectives 3 below --min-score 1")
    passed = subprocess.run(
        [*args, "--min-score", "0.8"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert (passed.returncode, passed.stderr) == (0, "")


def test_explain_shows_a_rule_with_its_examples_without_a_root(run: Run, tmp_path: Path) -> None:
    result = run("smart", "--explain", "m203", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("M203 (Measurable, error): ")
    assert "Pass:" in result.stdout and "Fail:" in result.stdout
    unknown = run("smart", "--explain", "Z999", cwd=tmp_path)
    assert unknown.exit_code == 2 and "S101, S102" in unknown.stderr


def test_suppression_also_works_on_an_id_line_that_is_not_the_first(
    run: Run, make_root: MakeRoot
) -> None:
    text = GOOD.replace("area: infrastructure\n", "").replace(
        "  - id: fast-api\n    title: Make the public API feel instant\n",
        "  - title: Make the public API feel instant\n    id: fast-api  # itokr: disable=R401\n",
    )
    [objective] = _json(run, make_root({"a.yaml": text}))["objectives"]
    assert objective["checks"]["relevant"] is True


def test_the_starter_from_itokr_init_is_smart(run: Run, tmp_path: Path) -> None:
    assert run("init", str(tmp_path), cwd=tmp_path).exit_code == 0
    result = run("smart", "--strict", AS_OF, cwd=tmp_path)
    assert result.exit_code == 0, result.stdout


def test_paths_limit_the_report_to_their_objectives_in_the_context_of_the_root(
    run: Callable[..., Result],
) -> None:
    root = EXAMPLES / "it-department"
    failures = root / "2026-Q4" / "smart-failures.yaml"
    result = run("--root", str(root), "smart", str(failures), "--format", "json")
    assert result.exit_code == 0, result.stderr
    ids = [objective["id"] for objective in json.loads(result.stdout)["objectives"]]
    assert ids == ["service-catalogue-live", "self-service-passwords", "modernise-backups"]
    gated = run("--root", str(root), "smart", str(failures), "--min-score", "1")
    assert gated.exit_code == 1
    assert (
        run("--root", str(root), "smart", str(root / "2026-Q3"), "--min-score", "1").exit_code == 0
    )


def test_a_path_outside_the_root_is_misuse(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("--root", str(EXAMPLES / "okr-practice"), "smart", str(tmp_path))
    assert result.exit_code == 2
    assert "not below the OKR root" in result.stderr
