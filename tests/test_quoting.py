"""Every string itokr writes reads back as itself in every common reader.

`carry` emits whole files with ruamel.yaml (block style) and `checkin` splices
notes in flow or block style. Whatever text the reader can produce (ids, titles,
notes: `yes`, `2026-11-30`, `1_000`, `? x`, `99` …) must come back as the same
string to itokr (YAML 1.2), PyYAML (YAML 1.1, as many tools read) and ruamel.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from itokr import yamlio
from itokr.carry import emit, text_scalar
from itokr.roundtrip import scalar_text

TRICKY = [
    "yes", "no", "on", "off", "Yes", "NO", "y", "n", "~", "null", "true", "2026-11-30",
    "2026-11-30 10:00:00", "1_000", "0b101", "0o17", "0x1F", "1:30", "190:20:30", "+5", "-3",
    ".5", "1e3", ".inf", "-.inf", ".nan", "=", "<<", "? question", "?x", "- item", "# note",
    "a # b", "a: b", "[x]", "{x}", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick",
    "'single'", '"double"', " padded ", "trailing ", "line\nbreak", "a\u2028b", "tab\there",
    "2027", "99", "0", "00", "010", "-", "--- ", "...", "|", ">", "é€", "\ufeffbom",
]  # fmt: skip


def readable(text: str) -> str | None:
    """`text` as the reader gives it back from a file, or None when it refuses it (the
    control characters that only an escape can write): values itokr can carry."""
    try:
        loaded = yamlio.read(f"k: {json.dumps(text, ensure_ascii=False)}\n".encode())
    except yamlio.YamlProblem:
        return None
    value = loaded["k"]
    return value if isinstance(value, str) else None


def read_everywhere(document: str) -> list[Any]:
    """The document as itokr, PyYAML (C and pure) and ruamel (safe and round-trip) read it."""
    return [
        yamlio.read(document.encode()),
        yaml.load(document, Loader=yaml.CSafeLoader),
        yaml.load(document, Loader=yaml.SafeLoader),
        YAML(typ="safe", pure=True).load(document),
        YAML().load(document),
    ]


def _carried(value: str) -> str:
    document = CommentedMap(
        title=text_scalar(value),
        items=CommentedSeq([CommentedMap(id=text_scalar(value)), text_scalar(value)]),
    )
    return emit(document)


def _spliced(value: str) -> str:
    note = scalar_text(value)
    return f"checkins:\n  - {{date: 2026-10-05, value: 1, note: {note}}}\n  - note: {note}\n"


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_read_back_everywhere(text: str) -> None:
    value = readable(text)
    assert value is not None
    _check(value)


@settings(deadline=None)  # the first example pays for ruamel's first emit
@given(st.text(min_size=1, max_size=40))
@example("a\u2028b")
@example("\x85")
@example("x: y # z")
@example("0?")  # YAML 1.1 scanners end a flow scalar at `?`
def test_any_string_the_reader_can_produce_reads_back_everywhere(text: str) -> None:
    value = readable(text)
    if value is not None:
        _check(value)


def _check(value: str) -> None:
    carried = _carried(value)
    for reading in read_everywhere(carried):
        assert dict(reading) == {"title": value, "items": [{"id": value}, value]}, carried
    spliced = _spliced(value)
    for reading in read_everywhere(spliced):
        notes = [item["note"] for item in reading["checkins"]]
        assert notes == [value, value], spliced


def test_the_carried_file_is_block_style() -> None:
    text = _carried("? question")
    assert "{" not in text and "[" not in text
    stream = io.StringIO(text)
    assert YAML().load(stream)["title"] == "? question"
