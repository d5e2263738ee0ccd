"""The SMART rules: each rule's documented examples run, and each letter fails on its own."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import REPO
from itokr.loader import Tree, load_documents
from itokr.rootfiles import Document
from itokr.smart import LETTERS, RULES, Report, check, rules_markdown

AS_OF = dt.date(2026, 12, 31)  # after every check-in of the examples

CODES = sorted(RULES)


def _load(text: str, config: str | None = None) -> tuple[Tree, bytes]:
    data = text.encode()
    config_document = Document("itokr.yaml", config.encode()) if config is not None else None
    tree = load_documents([Document("a.yaml", data)], config_document)
    assert tree.ok, tree.findings  # an example that does not validate teaches nothing
    return tree, data


def _reports(text: str, config: str | None = None) -> list[Report]:
    tree, data = _load(text, config)
    return check(tree.entries, tree.config.smart, source=lambda path: data, as_of=AS_OF)


def _codes(reports: list[Report]) -> set[str]:
    return {v.code for report in reports for v in report.errors + report.warnings}


@pytest.mark.parametrize("code", CODES)
def test_every_rule_documents_a_passing_and_a_failing_example(code: str) -> None:
    examples = RULES[code].examples()
    assert {"pass", "fail"} <= set(examples)
    assert RULES[code].doc.split("\n", 1)[0].strip(), "the docstring starts with why"


@pytest.mark.parametrize("code", CODES)
def test_the_passing_example_is_clean(code: str) -> None:
    examples = RULES[code].examples()
    reports = _reports(examples["pass"], examples.get("config"))
    assert _codes(reports) == set()
    assert all(report.score == 1 for report in reports)


@pytest.mark.parametrize("code", CODES)
def test_the_failing_example_fails_that_rule_alone(code: str) -> None:
    examples = RULES[code].examples()
    reports = _reports(examples["fail"], examples.get("config"))
    assert _codes(reports) == {code}
    letter = LETTERS[code[0]]
    for report in reports:
        failed = {name for name, ok in report.checks.items() if not ok}
        if RULES[code].level == "warning":
            assert failed == set(), "warnings change no letter"
        elif report.errors:
            assert failed == {letter}
            assert report.score == pytest.approx(0.8)


@pytest.mark.parametrize("letter", sorted(LETTERS))
def test_each_letter_can_be_failed_on_its_own_with_its_reason(letter: str) -> None:
    code = min(c for c in CODES if c[0] == letter and RULES[c].level == "error")
    reports = _reports(RULES[code].examples()["fail"], RULES[code].examples().get("config"))
    [report] = [r for r in reports if r.errors]
    assert [name for name, ok in report.checks.items() if not ok] == [LETTERS[letter]]
    [violation] = report.errors
    assert violation.code == code and violation.message and violation.fix


def test_a_miss_is_placed_at_the_line_and_column_of_what_is_wrong() -> None:
    reports = _reports(RULES["S102"].examples()["fail"])
    [violation] = reports[0].errors
    assert (violation.path, violation.line, violation.col) == ("a.yaml", 6, 5)  # `title:`
    reports = _reports(RULES["A302"].examples()["fail"])
    [violation] = reports[0].errors
    assert violation.ref == "self-service/resets"
    assert violation.line == 12 and "25x" in violation.message


def test_the_floor_matches_the_spec_table() -> None:
    """SPEC §3's five letters are decided by error rules, one module per letter."""
    errors = {c for c in CODES if RULES[c].level == "error"}
    assert {c[0] for c in errors} == set(LETTERS)
    assert {"S101", "S102", "S103", "M201", "M202", "M203", "A301", "A302", "A303", "A304",
            "R401", "T501", "T502", "T503"} == errors  # fmt: skip


def test_thresholds_come_from_itokr_yaml() -> None:
    text = RULES["A302"].examples()["fail"]  # a 25x change
    assert "A302" in _codes(_reports(text))
    assert "A302" not in _codes(_reports(text, "smart: {max_change: 30}\n"))
    short = RULES["S102"].examples()["pass"]  # "Make phishing a non-event for staff"
    assert "S102" in _codes(_reports(short, "smart: {min_title_words: 7}\n"))


def test_warnings_can_be_turned_off_in_itokr_yaml() -> None:
    text = RULES["S110"].examples()["fail"]
    assert _codes(_reports(text, "smart: {rules: {S110: false}}\n")) == set()
    assert _codes(_reports(text, "smart: {rules: {S110: true}}\n")) == {"S110"}


def test_rules_markdown_lists_every_rule_once() -> None:
    table = rules_markdown()
    for code, rule in RULES.items():
        assert table.count(f"| `{code}` |") == 1
        assert rule.level in table
    assert table.splitlines()[0] == "| code | letter | level | passes when |"


def test_the_readme_rule_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    if "Writing good OKRs with itokr" not in readme:
        pytest.skip("the README section on SMART rules is not pasted yet")
    assert rules_markdown() in readme, "paste `rules_markdown()` into the README again"
    for code in CODES:
        assert f"`{code}`" in readme, code


def test_files_are_read_again_only_when_they_have_a_miss() -> None:
    clean = RULES["S101"].examples()["pass"].encode()
    weak = RULES["S101"].examples()["fail"].replace("fast-api", "slow-api").encode()
    tree = load_documents([Document("clean.yaml", clean), Document("weak.yaml", weak)], None)
    assert tree.ok
    read: list[str] = []

    def source(path: str) -> bytes:
        read.append(path)
        return weak

    reports = check(tree.entries, tree.config.smart, source=source, as_of=AS_OF)
    assert read == ["weak.yaml"]
    assert [r.score for r in reports] == [1.0, 0.8]
