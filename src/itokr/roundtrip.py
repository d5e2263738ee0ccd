"""Edit an objective file in place, touching no byte but the ones the edit needs.

A full round-trip dump (ruamel.yaml, even with `preserve_quotes`, a wide
width and the file's indentation) rewrites what it cannot represent: plain
scalars folded over lines, aligned values (`b:   2`), `[ a, b ]` spacing,
`~`, `+1`, `True`, a `---` marker, mixed indentation. So edits here are
splices: libyaml's node marks say where each key, value and list item starts
and ends (as character offsets), and the new text is inserted there, in the
style of its neighbours. The caller re-reads the result and checks that it
holds exactly the intended data before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itokr.quoting import scalar_text

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


@dataclass(frozen=True, slots=True)
class NewCheckin:
    """A check-in as YAML text: numbers as the user typed them, a plain date. Without a
    value it is a status update (of a milestone or binary key result)."""

    date: str
    value: str | None
    confidence: str | None = None
    note: str | None = None
    by: str | None = None

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [("date", self.date)]
        if self.value is not None:
            pairs.append(("value", self.value))
        if self.confidence is not None:
            pairs.append(("confidence", self.confidence))
        if self.note is not None:
            pairs.append(("note", scalar_text(self.note)))
        if self.by is not None:
            pairs.append(("by", scalar_text(self.by)))
        return pairs


@dataclass(frozen=True, slots=True)
class _Style:
    """How the file writes a check-in list, learnt from an existing one."""

    offset: int  # dash column minus the column of the key that holds the list
    flow_items: bool
    padded: bool = False  # `{ date: … }` rather than `{date: …}`
    gap: int = 1  # spaces between the dash and the item

    def item(self, checkin: NewCheckin, indent: int, newline: str) -> str:
        """One block-sequence item, its dash at `indent`, ending with a newline."""
        pairs = checkin.pairs()
        dash = " " * indent + "-" + " " * self.gap
        if self.flow_items:
            return dash + _flow(pairs, padded=self.padded) + newline
        inner = " " * (indent + 1 + self.gap)
        lines = [dash + f"{key}: {value}" for key, value in pairs[:1]]
        lines += [inner + f"{key}: {value}" for key, value in pairs[1:]]
        return newline.join(lines) + newline


def _flow(pairs: list[tuple[str, str]], *, padded: bool) -> str:
    inner = ", ".join(f"{key}: {value}" for key, value in pairs)
    return f"{{ {inner} }}" if padded else f"{{{inner}}}"


def _compose(body: str) -> Node | None:
    """The node tree of a file the loader accepted; marks are character offsets."""
    try:
        return yaml.compose(body.encode("utf-8"), Loader=_Loader)
    except yaml.YAMLError as error:
        raise EditError(f"unreadable YAML: {error}") from None


def _get(mapping: Node, key: str) -> tuple[ScalarNode, Node] | None:
    if not isinstance(mapping, MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _key_result(root: Node | None, objective: int, kr_id: str) -> MappingNode:
    """The node of a key result, found by its objective's index and its id."""
    found = _get(root, "objectives") if root is not None else None
    if found is None or not isinstance(found[1], SequenceNode):
        raise EditError("no `objectives` list")
    items = found[1].value
    results = _get(items[objective], "key_results") if objective < len(items) else None
    if results is None or not isinstance(results[1], SequenceNode):
        raise EditError("no `key_results` list")
    for node in results[1].value:
        id_pair = _get(node, "id")
        if id_pair is not None and id_pair[1].value == kr_id:
            assert isinstance(node, MappingNode)
            return node
    raise EditError(f"no key result {kr_id!r}")


def _content_end(node: Node) -> int:
    """Where a node's own text ends: block collections end with their last value."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return int(node.end_mark.index)


def _line_start(body: str, index: int) -> int:
    return body.rfind("\n", 0, index) + 1


def _after_line(body: str, index: int) -> tuple[int, str]:
    """The start of the line after the one holding `index` (a missing final newline added)."""
    if index > 0 and body[index - 1] == "\n":
        return index, ""
    end = body.find("\n", index)
    return (len(body), "\n") if end < 0 else (end + 1, "")


def _insert_lines(body: str, index: int, lines: str, newline: str) -> str:
    """Insert whole lines after the line holding `index`."""
    at, missing = _after_line(body, index)
    if missing:  # after the last line, which had no line end: keep it so
        return _strip_final_block(body) + newline + lines[: -len(newline)]
    return body[:at] + lines + body[at:]


_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])?([-+])?|([-+])([1-9]))")


def _strip_final_block(body: str) -> str:
    """`body`, whose last line has no line end, such that adding one changes no value.

    A block scalar (`reason: |`) ending the file has no final line break in its
    value; once lines follow it, its clip (or keep) chomping would gain one. Its
    header turns to strip (`|-`), which keeps the value exactly as it was.
    """
    node = _compose(body)
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


def _style_in(body: str, root: Node | None, fallback_offset: int) -> _Style:
    """The style of the first block `checkins` list in the file, else flow items."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                if (
                    isinstance(key_node, ScalarNode)
                    and key_node.value == "checkins"
                    and isinstance(value, SequenceNode)
                    and not value.flow_style
                    and value.value
                ):
                    offset = value.start_mark.column - key_node.start_mark.column
                    return _item_style(body, value, value.value[0], offset)
            stack.extend(reversed([value for _, value in node.value]))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return _Style(fallback_offset, flow_items=True)


def _item_style(body: str, sequence: SequenceNode, item: Node, offset: int) -> _Style:
    """The style of `item`, an entry of the block sequence `sequence`."""
    flow = isinstance(item, MappingNode) and bool(item.flow_style)
    padded = flow and body[item.start_mark.index + 1 : item.start_mark.index + 2] == " "
    column = sequence.start_mark.column
    dash_at = _line_start(body, item.start_mark.index) + column
    on_dash_line = body[dash_at : dash_at + 1] == "-" and dash_at < item.start_mark.index
    gap = max(1, item.start_mark.column - column - 1) if on_dash_line else 1
    return _Style(offset, flow_items=flow, padded=padded, gap=gap)


def _offset(holder: tuple[ScalarNode, Node] | None) -> int:
    """The file's sequence offset, read from a block list's key and its first dash."""
    if holder and isinstance(holder[1], SequenceNode) and not holder[1].flow_style:
        return max(0, holder[1].start_mark.column - holder[0].start_mark.column)
    return 2


def _seq_offset(root: Node | None, objective: int) -> int:
    """The file's sequence offset, read from `key_results:` and its first dash."""
    objectives = _get(root, "objectives") if root is not None else None
    if objectives and isinstance(objectives[1], SequenceNode):
        return _offset(_get(objectives[1].value[objective], "key_results"))
    return 2


def _kpi(root: Node | None, index: int) -> MappingNode:
    """The node of the KPI at `index` of the file's `kpis` list."""
    found = _get(root, "kpis") if root is not None else None
    if found is None or not isinstance(found[1], SequenceNode) or index >= len(found[1].value):
        raise EditError("no such item in the `kpis` list")
    node = found[1].value[index]
    if not isinstance(node, MappingNode):
        raise EditError("a KPI that is not a mapping")
    return node


def add_kpi_checkin(body: str, newline: str, index: int, checkin: NewCheckin, position: int) -> str:
    """Insert `checkin` as item `position` of the readings of the KPI at `index`."""
    root = _compose(body)
    kpi = _kpi(root, index)
    holder = _get(root, "kpis") if root is not None else None
    return _add_to(body, newline, root, kpi, checkin, position, _offset(holder))[0]


def add_checkin(
    body: str, newline: str, objective: int, kr_id: str, checkin: NewCheckin, position: int
) -> tuple[str, str | None]:
    """Insert `checkin` as item `position` of the key result's check-ins.

    Returns the new text and, when a `current:` line gave way to `checkins:`,
    the old value as written.
    """
    root = _compose(body)
    kr = _key_result(root, objective, kr_id)
    return _add_to(body, newline, root, kr, checkin, position, _seq_offset(root, objective))


def _add_to(
    body: str,
    newline: str,
    root: Node | None,
    kr: MappingNode,
    checkin: NewCheckin,
    position: int,
    fallback_offset: int,
) -> tuple[str, str | None]:
    """Insert `checkin` into the check-ins of the mapping `kr` (a key result or a KPI)."""
    existing = _get(kr, "checkins")
    if existing is not None and isinstance(existing[1], SequenceNode) and existing[1].value:
        return _into_list(body, newline, existing[1], checkin, position), None
    style = _style_in(body, root, fallback_offset)
    if existing is not None:
        return _fill_key(body, newline, kr, existing, checkin, style), None
    current = _get(kr, "current")
    if current is not None:
        return _replace_current(body, newline, kr, current, checkin, style), current[1].value
    return _new_key(body, newline, kr, checkin, style), None


def _into_list(
    body: str, newline: str, sequence: SequenceNode, checkin: NewCheckin, position: int
) -> str:
    items = sequence.value
    near = items[position - 1] if position > 0 else items[0]
    if sequence.flow_style:
        padded = body[near.start_mark.index + 1 : near.start_mark.index + 2] == " "
        text = _flow(checkin.pairs(), padded=isinstance(near, MappingNode) and padded)
        if position > 0:
            at = int(near.end_mark.index)
            return body[:at] + ", " + text + body[at:]
        at = int(near.start_mark.index)
        return body[:at] + text + ", " + body[at:]
    lines = _item_style(body, sequence, near, 0).item(checkin, sequence.start_mark.column, newline)
    if position > 0:
        return _insert_lines(body, _content_end(near), lines, newline)
    at = _line_start(body, sequence.start_mark.index)
    return body[:at] + lines + body[at:]


def _fill_key(
    body: str,
    newline: str,
    kr: MappingNode,
    pair: tuple[ScalarNode, Node],
    checkin: NewCheckin,
    style: _Style,
) -> str:
    """`checkins:` with no items (`[]`, empty or null): give it its first item."""
    key_node, value = pair
    if isinstance(value, SequenceNode):  # `[]`
        at = int(value.start_mark.index) + 1
        return body[:at] + _flow(checkin.pairs(), padded=style.padded) + body[at:]
    start, end = int(value.start_mark.index), int(value.end_mark.index)
    if kr.flow_style:  # `{…, checkins: ~, …}`: a flow list where the null was
        text = "[" + _flow(checkin.pairs(), padded=style.padded) + "]"
        between = body[int(key_node.end_mark.index) : start]
        if ":" not in between:  # `{…, checkins}`: a key with no colon
            text = ": " + text
        elif between.endswith(":"):
            text = " " + text
        return body[:start] + text + body[end:]
    body = body[:start].rstrip(" ") + body[end:]
    lines = style.item(checkin, key_node.start_mark.column + style.offset, newline)
    return _insert_lines(body, int(key_node.end_mark.index), lines, newline)


def _replace_current(
    body: str,
    newline: str,
    kr: MappingNode,
    pair: tuple[ScalarNode, Node],
    checkin: NewCheckin,
    style: _Style,
) -> str:
    key_node, value = pair
    start, end = int(key_node.start_mark.index), int(value.end_mark.index)
    if kr.flow_style:
        text = "checkins: [" + _flow(checkin.pairs(), padded=style.padded) + "]"
        return body[:start] + text + body[end:]
    value_start = int(value.start_mark.index)
    if "\n" in body[int(key_node.end_mark.index) : value_start]:
        # `current:  # a comment`, the value on a line of its own: keep the comment, and
        # drop the value's line when nothing else is on it
        line, line_end = _line_start(body, value_start), body.find("\n", end)
        line_end = len(body) if line_end < 0 else line_end + 1
        rest = body[line:value_start] + body[end:line_end]
        body = (
            body[:line] + body[line_end:] if not rest.strip() else body[:value_start] + body[end:]
        )
        body = body[:start] + "checkins" + body[int(key_node.end_mark.index) :]
    else:
        body = body[:start] + "checkins:" + body[end:]
    lines = style.item(checkin, key_node.start_mark.column + style.offset, newline)
    return _insert_lines(body, start, lines, newline)


def _new_key(body: str, newline: str, kr: MappingNode, checkin: NewCheckin, style: _Style) -> str:
    last = kr.value[-1][1]
    if kr.flow_style:
        at = int(last.end_mark.index)
        text = ", checkins: [" + _flow(checkin.pairs(), padded=style.padded) + "]"
        return body[:at] + text + body[at:]
    column = kr.value[0][0].start_mark.column
    lines = " " * column + "checkins:" + newline
    lines += style.item(checkin, column + style.offset, newline)
    return _insert_lines(body, _content_end(last), lines, newline)


def set_done(body: str, objective: int, kr_id: str, milestone: int | None, done: bool) -> str:
    """Set `done:` of a binary key result, or of its milestone number `milestone`."""
    root = _compose(body)
    holder: Node = _key_result(root, objective, kr_id)
    if milestone is not None:
        milestones = _get(holder, "milestones")
        if milestones is None or not isinstance(milestones[1], SequenceNode):
            raise EditError("no `milestones` list")
        holder = milestones[1].value[milestone]
    pair = _get(holder, "done")
    if pair is None or not isinstance(pair[1], ScalarNode):
        raise EditError("no `done` value")
    start, end = int(pair[1].start_mark.index), int(pair[1].end_mark.index)
    return body[:start] + ("true" if done else "false") + body[end:]
