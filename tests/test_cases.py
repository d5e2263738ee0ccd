"""Data-driven acceptance cases: every root under tests/cases/ against its expectations.

`cases/valid/<case>/` is a root that must validate cleanly. `cases/invalid/<case>/`
is a root with an `expected.txt` beside its files: one `path:line:col: CODE` line
per finding, in the order `validate` reports them, optionally followed by
`~ text` that the message must contain (for hints such as "did you mean").
Codes and positions are the contract; the prose may improve freely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from itokr.findings import CODES

CASES = Path(__file__).parent / "cases"
VALID = sorted(path for path in (CASES / "valid").iterdir() if path.is_dir())
INVALID = sorted(path for path in (CASES / "invalid").iterdir() if path.is_dir())
_LINE = re.compile(
    r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>E\d{3})(?: ~(?P<hint>.+))?"
)
# Reported outside the case folders: an unreadable file needs the file system's help.
CODES_TESTED_ELSEWHERE = {"E001"}


@dataclass(frozen=True)
class Expected:
    path: str
    line: int
    col: int
    code: str
    hint: str | None


def expectations(case: Path) -> list[Expected]:
    found = []
    for number, text in enumerate((case / "expected.txt").read_text().splitlines(), 1):
        if not text.strip() or text.startswith("#"):
            continue
        match = _LINE.fullmatch(text.strip())
        assert match, f"{case.name}/expected.txt:{number}: cannot read {text!r}"
        found.append(
            Expected(
                match["path"], int(match["line"]), int(match["col"]), match["code"], match["hint"]
            )
        )
    return found


def validate_json(run: Callable[..., Result], root: Path) -> tuple[int, dict[str, object]]:
    result = run("--root", ".", "validate", "--format", "json", cwd=root)
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("case", VALID, ids=[path.name for path in VALID])
def test_valid_case_has_no_findings(run: Callable[..., Result], case: Path) -> None:
    code, document = validate_json(run, case)
    assert document["errors"] == []
    assert document["ok"] is True
    assert code == 0


@pytest.mark.parametrize("case", INVALID, ids=[path.name for path in INVALID])
def test_invalid_case_is_reported_where_expected(run: Callable[..., Result], case: Path) -> None:
    code, document = validate_json(run, case)
    errors = document["errors"]
    assert isinstance(errors, list)
    got = [f"{e['path']}:{e['line']}:{e['col']}: {e['code']}" for e in errors]
    wanted = [f"{e.path}:{e.line}:{e.col}: {e.code}" for e in expectations(case)]
    assert got == wanted, "\n".join(
        f"{e['path']}:{e['line']}:{e['col']}: {e['code']} {e['message']}" for e in errors
    )
    for error, expected in zip(errors, expectations(case), strict=True):
        if expected.hint:
            assert expected.hint in error["message"], error
        assert error["code"] in CODES
    assert document["ok"] is False
    assert code == 1


@pytest.mark.parametrize("case", INVALID, ids=[path.name for path in INVALID])
def test_every_message_says_what_is_wrong(run: Callable[..., Result], case: Path) -> None:
    """No message leaks pydantic's wording or an unfilled template."""
    _, document = validate_json(run, case)
    errors = document["errors"]
    assert isinstance(errors, list)
    for error in errors:
        message = error["message"]
        assert len(message) > 15, error
        for leak in ("Input should", "pydantic", "Traceback", "value_error"):
            assert leak not in message, error
        # an unfilled template; `${NAME}` is the syntax of itokr.yaml's variables
        assert not re.search(r"(?<!\$)\{", message), error


def test_every_code_has_a_case() -> None:
    covered = {item.code for case in INVALID for item in expectations(case)}
    assert covered | CODES_TESTED_ELSEWHERE == set(CODES)


def test_text_format_matches_json(run: Callable[..., Result]) -> None:
    """`path:line:col: CODE message`, the shape editors and CI logs link from."""
    case = CASES / "invalid" / "duplicate-objective-id"
    result = run("--root", ".", "validate", cwd=case)
    lines = result.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines[:-1]] == [
        [f"{e.path}:{e.line}:{e.col}:", e.code] for e in expectations(case)
    ]
    assert lines[-1] == "Found 3 problems in 2 of 3 files."
    assert result.exit_code == 1


def test_every_code_is_documented_in_the_readme() -> None:
    readme = (CASES.parents[1] / "README.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| {code} |" not in readme] == []


def _codes(run: Callable[..., Result], root: Path) -> list[str]:
    _, document = validate_json(run, root)
    errors = document["errors"]
    assert isinstance(errors, list)
    return [f"{e['path']}:{e['line']}:{e['col']}: {e['code']} {e['message']}" for e in errors]


def test_a_tag_is_named_as_written(run: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text("owner: !!python/object:os.system x\nobjectives: []\n")
    assert "'!!python/object:os.system'" in _codes(run, tmp_path)[0]


def test_a_duplicate_id_is_reported_in_an_invalid_objective_too(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    good = (
        "objectives:\n  - id: x\n    title: T\n    key_results:\n"
        "      - {id: k, title: t, done: true}\n"
    )
    (tmp_path / "a.yaml").write_text(good)
    (tmp_path / "b.yaml").write_text(good.replace("    title: T\n", "    title: T\n    bogus: 1\n"))
    assert [line.split(" ")[:2] for line in _codes(run, tmp_path)] == [
        ["b.yaml:2:9:", "E301"],
        ["b.yaml:4:5:", "E101"],
    ]


def _entries(case: str) -> dict[str, Any]:
    from itokr.loader import load_root

    tree = load_root(CASES / "valid" / case, CASES)
    assert tree.findings == ()
    return {entry.id: entry for entry in tree.entries}


def test_yaml_1_2_scalars_keep_their_meaning() -> None:
    entry = _entries("yaml-1-2-scalars")["yes"]
    assert (entry.owner, entry.area, entry.objective.title) == ("no", "on", "off")
    assert entry.objective.description == "1:30"
    octal, other = entry.objective.key_results
    assert (octal.baseline, octal.target, octal.title) == (755, 800, "y")
    assert (other.baseline, other.target, other.value) == (16, 1000.0, 12.5)


def test_kinds_are_inferred() -> None:
    key_results = _entries("kinds")["every-kind"].objective.key_results
    assert {kr.id: kr.kind for kr in key_results} == {
        "metric-inferred": "metric",
        "metric-written": "metric",
        "threshold-most": "threshold",
        "threshold-base": "threshold",
        "milestone-inferred": "milestone",
        "milestone-written": "milestone",
        "binary-inferred": "binary",
        "binary-written": "binary",
        "checkins": "metric",
        "empty-checkins": "metric",
        "null-current": "metric",
    }


def test_every_period_form_resolves() -> None:
    entries = _entries("periods")
    spans = {
        key: (str(e.period.start), str(e.period.end)) if e.period else None
        for key, e in entries.items()
    }
    assert spans == {
        "file-period": ("2026-10-01", "2026-12-31"),
        "half": ("2026-07-01", "2026-12-31"),
        "year-int": ("2027-01-01", "2027-12-31"),
        "year-str": ("2027-01-01", "2027-12-31"),
        "named": ("2026-07-01", "2027-06-30"),
        "named-short": ("2026-11-02", "2026-11-13"),
        "dates": ("2026-10-15", "2026-10-15"),
        "timeless": None,
    }


def test_file_defaults_and_overrides() -> None:
    entries = _entries("alignment-and-areas")
    assert {key: e.area for key, e in entries.items()} == {
        "trusted": "company",
        "uptime": "infrastructure",
        "patching": "security",
    }
    assert "ignored" not in str([e.path for e in entries.values()])
