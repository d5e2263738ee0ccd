"""Whatever is in a file, `validate` answers with findings, never a traceback."""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result
from itokr.findings import CODES
from itokr.loader import Tree, load_documents
from itokr.rootfiles import Document

# ITOKR_FUZZ_EXAMPLES=5000 for a deeper run; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("ITOKR_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

KEYS = [
    "period", "owner", "area", "objectives", "id", "title", "description", "type", "start",
    "end", "aligns_to", "key_results", "kind", "weight", "due", "reason", "unit", "baseline",
    "target", "current", "checkins", "direction", "milestones", "done", "date", "value",
    "confidence", "note", "organization", "areas", "periods", "grading", "health", "smart",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["2026-Q4", "2026-H2", "2026-02-30", "2026-10-01", "metric", "threshold", "milestone",
         "binary", "at_least", "at_most", "committed", "no", "on", "0755", "", "x", "A B"]
    ),
    st.text(max_size=12),
)  # fmt: skip
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)
YAMLISH = st.lists(
    st.sampled_from(
        [*"abcxyz019.-_:{}[],'\"!&*#|>?%@`~ \n\t\r\\", "\ufeff", "é", "id: ", "- ", "  ",
         "objectives:", "key_results:", "!!python/object ", "&a ", "*a", "---\n", "...\n"]
    ),
    max_size=120,
).map("".join)  # fmt: skip


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break


def _load(data: bytes, config: bytes | None = None) -> Tree:
    config_document = Document("itokr.yaml", config) if config is not None else None
    return load_documents([Document("f.yaml", data)], config_document)


def _assert_well_placed(tree: Tree, texts: dict[str, bytes]) -> None:
    for finding in tree.findings:
        assert finding.code in CODES
        assert finding.message
        assert finding.path in texts
        text = texts[finding.path].decode("utf-8", "replace")
        lines = len(_LINE_BREAK.findall(text)) + 1
        # libyaml places an error at the end of the stream one line further down
        assert 1 <= finding.line <= lines + 1, finding
        assert finding.col >= 1, finding


@SETTINGS
@given(st.binary(max_size=400))
def test_byte_soup(data: bytes) -> None:
    _assert_well_placed(_load(data), {"f.yaml": data})


@SETTINGS
@given(YAMLISH)
def test_yamlish_text(text: str) -> None:
    data = text.encode("utf-8")
    _assert_well_placed(_load(data), {"f.yaml": data})


@SETTINGS
@given(YAMLISH)
def test_yamlish_config(text: str) -> None:
    data = text.encode("utf-8")
    good = b"objectives: []\n"
    _assert_well_placed(_load(good, data), {"f.yaml": good, "itokr.yaml": data})


@SETTINGS
@given(DOCUMENTS)
def test_structured_but_wrong(document: Any) -> None:
    data = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    _assert_well_placed(_load(data), {"f.yaml": data})


def _valid() -> dict[str, Any]:
    return {
        "period": "2026-Q4",
        "owner": "platform-team",
        "objectives": [
            {
                "id": "reliable-platform",
                "title": "Run a reliable platform",
                "aligns_to": ["reliable-platform"],
                "key_results": [
                    {"id": "uptime", "title": "Uptime", "baseline": 99.5, "target": 99.9,
                     "checkins": [{"date": "2026-10-06", "value": 99.6, "confidence": 0.8}]},
                    {"id": "patched", "title": "Patched", "kind": "threshold",
                     "direction": "at_least", "target": 98},
                    {"id": "site", "title": "Site", "milestones": [{"title": "a", "done": True}]},
                    {"id": "runbook", "title": "Runbook", "done": False},
                ],
            }
        ],
    }  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid file with a few of its values replaced, keys dropped or added."""
    document: Any = _valid()
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(document)[1:]
        if not paths:  # every key was dropped: an empty mapping is mutation enough
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(DOCUMENTS)
        elif action == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(SCALARS)
    return document


@SETTINGS
@given(mutated())
def test_mutated_valid_files(document: Any) -> None:
    data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
    _assert_well_placed(_load(data), {"f.yaml": data})


def test_the_valid_seed_is_valid() -> None:
    """The mutations start from a file that passes, but for its deliberate cycle."""
    data = yaml.safe_dump(_valid(), sort_keys=False).encode("utf-8")
    assert [finding.code for finding in _load(data).findings] == ["E303"]


@pytest.fixture
def fuzz_root(tmp_path: Path) -> Path:
    root = tmp_path / "okrs"
    root.mkdir()
    return root


@settings(
    max_examples=max(EXAMPLES // 5, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.binary(max_size=300),
        YAMLISH.map(str.encode),
        mutated().map(lambda document: yaml.safe_dump(document, sort_keys=False).encode("utf-8")),
    )
)
def test_the_command_answers_with_findings(
    run: Callable[..., Result], fuzz_root: Path, data: bytes
) -> None:
    (fuzz_root / "f.yaml").write_bytes(data)
    for output in ("json", "text", "github"):
        result = run("--root", str(fuzz_root), "validate", "--format", output)
        assert result.exit_code in (0, 1), result.stderr
        assert result.stderr == ""
        if output == "json":
            document = json.loads(result.stdout)
            assert document["ok"] is (result.exit_code == 0)


def test_printable_garbage_of_every_kind() -> None:
    """A deterministic sweep: every printable character alone and after a key."""
    for char in string.printable + "\ufeff\x00\x85\u2028":
        for text in (char, f"objectives: {char}\n", f"{char}: x\n", f"objectives:\n  - {char}\n"):
            data = text.encode("utf-8")
            _assert_well_placed(_load(data), {"f.yaml": data})


def test_an_error_at_the_end_is_placed_inside_the_file() -> None:
    data = b"objectives:\n  - a\nb"
    (finding,) = _load(data).findings
    assert finding.line <= 3
