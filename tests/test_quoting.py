"""Every string and number itokr writes reads back as itself in every common reader.

`carry` and `import` emit whole files through `itokr.emit` (ruamel.yaml, block
style) and `checkin` splices notes in flow or block style. Whatever text the
reader can produce (ids, titles, notes: `yes`, `2026-11-30`, `1_000`, `? x`,
`99` …) must come back as the same string, and every finite float as the same
float, to itokr (YAML 1.2), PyYAML (YAML 1.1, as many tools read) and ruamel.
"""

from __future__ import annotations

import datetime as dt
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
from itokr.emit import dump, file_text
from itokr.quoting import scalar_text
from itokr.transfer.configedit import with_periods

TRICKY = [
    "yes", "no", "on", "off", "Yes", "NO", "y", "n", "~", "null", "true", "2026-11-30",
    "2026-11-30 10:00:00", "1_000", "0b101", "0o17", "0x1F", "1:30", "190:20:30", "+5", "-3",
    ".5", "1e3", ".inf", "-.inf", ".nan", "=", "<<", "? question", "?x", "- item", "# note",
    "a # b", "a: b", "[x]", "{x}", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick",
    "'single'", '"double"', " padded ", "trailing ", "line\nbreak", "a\u2028b", "tab\there",
    "2027", "99", "0", "00", "010", "-", "--- ", "...", "|", ">", "é€", "\ufeffbom",
    "two\nlines", "\nled", "ends\n", "ends\n\n", " indented\nfirst", "a \nb", "a\n\n  b",
    "long  " * 800 + "end",  # a fold of a long plain line would lose its double blanks
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
    """As `carry` builds its file: ruamel's commented data."""
    document = CommentedMap(title=value, items=CommentedSeq([CommentedMap(id=value), value]))
    return dump(document)


def _imported(value: str) -> str:
    """As `import` builds its files: plain data, a header and notes."""
    return file_text({"title": value, "items": [{"id": value}, value]}, value, [value])


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
    for emitted in (_carried(value), _imported(value)):
        for reading in read_everywhere(emitted):
            assert dict(reading) == {"title": value, "items": [{"id": value}, value]}, emitted
    spliced = _spliced(value)
    for reading in read_everywhere(spliced):
        notes = [item["note"] for item in reading["checkins"]]
        assert notes == [value, value], spliced


def test_the_carried_file_is_block_style() -> None:
    text = _carried("? question")
    assert "{" not in text and "[" not in text
    stream = io.StringIO(text)
    assert YAML().load(stream)["title"] == "? question"


def test_lines_of_text_are_a_literal_block() -> None:
    text = _carried("First line.\n\n- a point\n# not a comment\n")
    assert "title: |" in text
    assert 'title: "a trailing blank \\nshows"' in _carried("a trailing blank \nshows")


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**70), 2**70))
@example(1e16)  # YAML 1.1 reads `1e+16`, without a dot, as a string
@example(-1.5e-300)
@example(2**53 + 1)
def test_any_number_reads_back_everywhere(number: float) -> None:
    emitted = dump(CommentedMap(n=number, items=CommentedSeq([number])))
    for reading in read_everywhere(emitted):
        assert reading["n"] == number and reading["items"] == [number], emitted
        assert isinstance(reading["n"], type(number)) and not isinstance(reading["n"], bool)


@pytest.mark.parametrize("name", ["FY25", "Q1 2025", "yes", "2025", "1:30", "a: b", "? x", "~"])
@pytest.mark.parametrize(
    "config", [b"periods:\n  FY24: {start: 2023-07-01, end: 2024-06-30}\n", b"periods: {}\n", None]
)
def test_a_period_name_spliced_into_the_configuration_reads_back_everywhere(
    name: str, config: bytes | None
) -> None:
    """`import` adds named periods to itokr.yaml by the rule of check-in notes."""
    day = dt.date(2025, 1, 1)
    written = with_periods(config, {name: (day, day)}).decode()
    for reading in read_everywhere(written):
        assert name in reading["periods"], written


def test_one_object_met_twice_is_written_twice_never_as_an_alias() -> None:
    day, items = dt.date(2025, 1, 6), ["a", "b"]
    text = dump(CommentedMap(start=day, end=day, first=items, second=items))
    assert "&" not in text and "*" not in text
    assert yamlio.read(text.encode()) == {
        "start": "2025-01-06",
        "end": "2025-01-06",
        "first": items,
        "second": items,
    }
