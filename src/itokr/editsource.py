"""A file to edit in place: its text (BOM and line ends kept), the node tree libyaml
composes from it (marks are character offsets), the nodes of a key result and a KPI,
and whole lines inserted after a node. `roundtrip` decides what goes there."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML without libyaml: same marks, only slower
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

BOM = "\ufeff"


class EditError(Exception):
    """The file's layout is one this module cannot edit in place."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file's text without its BOM, and how its lines end.

    A file whose lines end with a lone CR (classic Mac OS) is edited as if they were
    LF, one character for one, so every offset still holds; `encode` turns them back.
    """

    body: str
    bom: bool
    newline: str
    cr_only: bool = False

    @classmethod
    def decode(cls, data: bytes) -> Source:
        text = data.decode("utf-8")
        bom = text.startswith(BOM)
        body = text[1:] if bom else text
        if "\r" in body.replace("\r\n", ""):  # a line ends with a lone CR
            if "\n" in body:
                raise EditError(
                    "it mixes CR-only line ends with LF or CRLF ones: save it with one kind"
                )
            return cls(body.replace("\r", "\n"), bom, "\n", cr_only=True)
        return cls(body, bom, "\r\n" if "\r\n" in body else "\n")

    def encode(self, body: str) -> bytes:
        """`body` as file bytes, with this file's BOM and line ends."""
        if self.cr_only:
            body = body.replace("\n", "\r")
        return ((BOM if self.bom else "") + body).encode("utf-8")


def compose(body: str) -> Node | None:
    """The node tree of a file the loader accepted; marks are character offsets."""
    try:
        return yaml.compose(body.encode("utf-8"), Loader=_Loader)
    except yaml.YAMLError as error:
        raise EditError(f"unreadable YAML: {error}") from None


def get(mapping: Node, key: str) -> tuple[ScalarNode, Node] | None:
    if not isinstance(mapping, MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def key_result(root: Node | None, objective: int, kr_id: str) -> MappingNode:
    """The node of a key result, found by its objective's index and its id."""
    found = get(root, "objectives") if root is not None else None
    if found is None or not isinstance(found[1], SequenceNode):
        raise EditError("no `objectives` list")
    items = found[1].value
    results = get(items[objective], "key_results") if objective < len(items) else None
    if results is None or not isinstance(results[1], SequenceNode):
        raise EditError("no `key_results` list")
    for node in results[1].value:
        id_pair = get(node, "id")
        if id_pair is not None and id_pair[1].value == kr_id:
            assert isinstance(node, MappingNode)
            return node
    raise EditError(f"no key result {kr_id!r}")


def content_end(node: Node) -> int:
    """Where a node's own text ends: block collections end with their last value."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return content_end(node.value[-1][1])
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return content_end(node.value[-1])
    return int(node.end_mark.index)


def line_start(body: str, index: int) -> int:
    return body.rfind("\n", 0, index) + 1


def after_line(body: str, index: int) -> tuple[int, str]:
    """The start of the line after the one holding `index` (a missing final newline added)."""
    if index > 0 and body[index - 1] == "\n":
        return index, ""
    end = body.find("\n", index)
    return (len(body), "\n") if end < 0 else (end + 1, "")


def insert_lines(body: str, index: int, lines: str, newline: str) -> str:
    """Insert whole lines after the line holding `index`."""
    at, missing = after_line(body, index)
    if missing:  # after the last line, which had no line end: keep it so
        return strip_final_block(body) + newline + lines[: -len(newline)]
    return body[:at] + lines + body[at:]


_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])?([-+])?|([-+])([1-9]))")


def strip_final_block(body: str) -> str:
    """`body`, whose last line has no line end, such that adding one changes no value.

    A block scalar (`reason: |`) ending the file has no final line break in its
    value; once lines follow it, its clip (or keep) chomping would gain one. Its
    header turns to strip (`|-`), which keeps the value exactly as it was.
    """
    node = compose(body)
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    if not isinstance(node, ScalarNode) or node.style not in ("|", ">"):
        return body
    start = int(node.start_mark.index)
    header = _BLOCK_HEADER.match(body, start)
    if header is None:  # a header with a comment only: nothing else can follow it
        return body
    indent = header[1] or header[4] or ""
    return body[:start] + body[start] + indent + "-" + body[header.end() :]


def kpi(root: Node | None, index: int) -> MappingNode:
    """The node of the KPI at `index` of the file's `kpis` list."""
    found = get(root, "kpis") if root is not None else None
    if found is None or not isinstance(found[1], SequenceNode) or index >= len(found[1].value):
        raise EditError("no such item in the `kpis` list")
    node = found[1].value[index]
    if not isinstance(node, MappingNode):
        raise EditError("a KPI that is not a mapping")
    return node


def offset(holder: tuple[ScalarNode, Node] | None) -> int:
    """The file's sequence offset, read from a block list's key and its first dash."""
    if holder and isinstance(holder[1], SequenceNode) and not holder[1].flow_style:
        return max(0, holder[1].start_mark.column - holder[0].start_mark.column)
    return 2


def seq_offset(root: Node | None, objective: int) -> int:
    """The file's sequence offset, read from `key_results:` and its first dash."""
    objectives = get(root, "objectives") if root is not None else None
    if objectives and isinstance(objectives[1], SequenceNode):
        return offset(get(objectives[1].value[objective], "key_results"))
    return 2
