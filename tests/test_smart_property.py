"""Whatever objectives a team writes, `smart` scores them consistently and never crashes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from itokr.loader import load_documents
from itokr.rootfiles import Document
from itokr.smart import LETTERS, check

AS_OF = dt.date(2026, 12, 31)  # after every check-in of the examples

_WORDS = st.sampled_from(["Cut", "p95", "latency", "from", "250", "to", "200", "ms", "Ship"])
_TITLE = st.lists(_WORDS, min_size=1, max_size=6).map(" ".join)
_NUMBER = st.one_of(st.integers(-5, 2000), st.floats(-5, 2000, allow_nan=False).map(round))


@st.composite
def _key_result(draw: st.DrawFn, index: int) -> dict[str, Any]:
    base: dict[str, Any] = {"id": f"kr-{index}", "title": draw(_TITLE)}
    if draw(st.booleans()):
        base["due"] = draw(st.sampled_from(["2026-11-15", "2027-02-01"]))
    kind = draw(st.sampled_from(["metric", "threshold", "milestone", "binary"]))
    if kind == "binary":
        return base | {"done": draw(st.booleans())}
    if kind == "milestone":
        count = draw(st.integers(1, 3))
        return base | {"milestones": [{"title": f"step {i}", "done": False} for i in range(count)]}
    measured = base | {"target": draw(_NUMBER)}
    if kind == "threshold":
        measured |= {"kind": "threshold", "direction": "at_least"}
    if kind == "metric" or draw(st.booleans()):
        measured["baseline"] = draw(_NUMBER)
    if draw(st.booleans()):
        measured["unit"] = draw(st.sampled_from(["%", "ms", "tickets"]))
    if draw(st.booleans()):
        measured["checkins"] = [{
            "date": draw(st.sampled_from(["2026-09-20", "2026-10-20"])),
            "value": draw(_NUMBER),
            "confidence": draw(st.sampled_from([0.1, 0.5, 0.9])),
        }]  # fmt: skip
    return measured


@st.composite
def _objective_file(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in (("owner", "team"), ("area", "ops"), ("period", "2026-Q4")):
        if draw(st.booleans()):
            document[key] = value
    objective = {
        "id": "goal",
        "title": draw(_TITLE),
        "type": draw(st.sampled_from(["aspirational", "committed"])),
        "key_results": [draw(_key_result(i)) for i in range(draw(st.integers(1, 7)))],
    }
    return document | {"objectives": [objective]}


@settings(max_examples=150, deadline=None)
@given(_objective_file())
def test_letters_score_and_reasons_agree(document: dict[str, Any]) -> None:
    data = json.dumps(document).encode()  # JSON is YAML, and keeps the test independent of a dumper
    tree = load_documents([Document("a.yaml", data)], None)
    assert tree.ok, tree.findings
    [report] = check(tree.entries, tree.config.smart, source=lambda path: data, as_of=AS_OF)
    failed = {letter for letter, name in LETTERS.items() if not report.checks[name]}
    assert report.score == (5 - len(failed)) / 5
    assert {v.letter for v in report.errors} == failed
    for violation in report.violations:
        assert violation.line >= 1 and violation.col >= 1
        assert violation.message and violation.fix
