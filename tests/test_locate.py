"""Positions from marks kept while reading are those of libyaml's own nodes, and those
of a document read again; a path the document lacks stops at the deepest node it reaches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CASES_DIR, EXAMPLES
from itokr import yamlio
from itokr.yamlmarks import Marks, Position

FILES = sorted([*EXAMPLES.rglob("*.yaml"), *(CASES_DIR / "valid").rglob("*.yaml")])
Spot = tuple[tuple[str, ...], Position, Position | None]  # path, value, key


def spots(node: yaml.Node | None, path: tuple[str, ...] = ()) -> Iterator[Spot]:
    """Every path of a composed document, with where its value and its key start."""
    if node is None:  # a document of comments alone
        return
    yield path, _position(node), None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            for inner, at, key_at in spots(value, (*path, key.value)):
                yield inner, at, key_at if inner != (*path, key.value) else _position(key)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from spots(item, (*path, str(index)))


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def read_marks(data: bytes) -> Marks:
    marks = Marks()
    yamlio.read(data, marks=marks)
    return marks


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_marks_place_every_path_where_libyaml_composes_it(path: Path) -> None:
    data = path.read_bytes()
    found = list(spots(yaml.compose(data, Loader=yaml.CSafeLoader)))
    wanted = [(loc, False) for loc, _, _ in found] + [
        (loc, True) for loc, _, key in found if key is not None
    ]
    expected = [at for _, at, _ in found] + [key for _, _, key in found if key is not None]
    assert read_marks(data).locate_all(wanted) == expected
    assert yamlio.locate_all(data, wanted) == expected  # read again, without marks kept


def test_a_missing_path_stops_at_the_deepest_node_it_reaches() -> None:
    data = b"objectives:\n  - id: a\n    key_results:\n      - {id: k, target: 3}\n"
    marks = read_marks(data)
    assert marks.locate_all(
        [
            (("objectives", 0, "key_results", 0, "baseline"), True),  # the mapping lacking it
            (("objectives", 0, "key_results", 5, "id"), True),  # the list too short
            (("objectives", 0, "title"), False),
            (("nope",), True),
            (("objectives", "-1"), False),  # an index is a count from 0, no more
            ((), False),
        ]
    ) == [
        Position(4, 9),
        Position(4, 7),
        Position(2, 5),
        Position(1, 1),
        Position(2, 3),
        Position(1, 1),
    ]
    assert Marks().locate_all([(("a",), True)]) == [Position(1, 1)]


def test_keys_are_matched_as_written_and_a_document_cut_short_keeps_what_it_read() -> None:
    data = b"1: one\nno: yes\nlist: [a, b\n"
    assert yamlio.locate_all(data, [((1,), True), (("no",), False), (("list", 1), False)]) == [
        Position(1, 1),
        Position(2, 5),
        Position(3, 11),
    ]


@settings(max_examples=200)
@given(
    st.recursive(
        st.one_of(st.integers(), st.text("ab :-#\"'\n", max_size=6), st.booleans(), st.none()),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text("abc", min_size=1, max_size=3), inner, max_size=4)
        ),
        max_leaves=20,
    ),
    st.sampled_from([None, True, False]),
)
def test_marks_agree_with_libyaml_on_any_document(value: object, flow: bool | None) -> None:
    data = yaml.safe_dump({"root": value}, default_flow_style=flow).encode()
    found = list(spots(yaml.compose(data, Loader=yaml.CSafeLoader)))
    assert read_marks(data).locate_all([(loc, False) for loc, _, _ in found]) == [
        at for _, at, _ in found
    ]
