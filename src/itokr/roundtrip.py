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

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from itokr import editsource
from itokr.editsource import EditError
from itokr.quoting import scalar_text


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
    dash_at = editsource.line_start(body, item.start_mark.index) + column
    on_dash_line = body[dash_at : dash_at + 1] == "-" and dash_at < item.start_mark.index
    gap = max(1, item.start_mark.column - column - 1) if on_dash_line else 1
    return _Style(offset, flow_items=flow, padded=padded, gap=gap)


def add_kpi_checkin(body: str, newline: str, index: int, checkin: NewCheckin, position: int) -> str:
    """Insert `checkin` as item `position` of the readings of the KPI at `index`."""
    root = editsource.compose(body)
    kpi = editsource.kpi(root, index)
    holder = editsource.get(root, "kpis") if root is not None else None
    return _add_to(body, newline, root, kpi, checkin, position, editsource.offset(holder))[0]


def add_checkin(
    body: str, newline: str, objective: int, kr_id: str, checkin: NewCheckin, position: int
) -> tuple[str, str | None]:
    """Insert `checkin` as item `position` of the key result's check-ins.

    Returns the new text and, when a `current:` line gave way to `checkins:`,
    the old value as written.
    """
    root = editsource.compose(body)
    kr = editsource.key_result(root, objective, kr_id)
    return _add_to(
        body, newline, root, kr, checkin, position, editsource.seq_offset(root, objective)
    )


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
    existing = editsource.get(kr, "checkins")
    if existing is not None and isinstance(existing[1], SequenceNode) and existing[1].value:
        return _into_list(body, newline, existing[1], checkin, position), None
    style = _style_in(body, root, fallback_offset)
    if existing is not None:
        return _fill_key(body, newline, kr, existing, checkin, style), None
    current = editsource.get(kr, "current")
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
        return editsource.insert_lines(body, editsource.content_end(near), lines, newline)
    at = editsource.line_start(body, sequence.start_mark.index)
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
    return editsource.insert_lines(body, int(key_node.end_mark.index), lines, newline)


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
        line, line_end = editsource.line_start(body, value_start), body.find("\n", end)
        line_end = len(body) if line_end < 0 else line_end + 1
        rest = body[line:value_start] + body[end:line_end]
        body = (
            body[:line] + body[line_end:] if not rest.strip() else body[:value_start] + body[end:]
        )
        body = body[:start] + "checkins" + body[int(key_node.end_mark.index) :]
    else:
        body = body[:start] + "checkins:" + body[end:]
    lines = style.item(checkin, key_node.start_mark.column + style.offset, newline)
    return editsource.insert_lines(body, start, lines, newline)


def _new_key(body: str, newline: str, kr: MappingNode, checkin: NewCheckin, style: _Style) -> str:
    last = kr.value[-1][1]
    if kr.flow_style:
        at = int(last.end_mark.index)
        text = ", checkins: [" + _flow(checkin.pairs(), padded=style.padded) + "]"
        return body[:at] + text + body[at:]
    column = kr.value[0][0].start_mark.column
    lines = " " * column + "checkins:" + newline
    lines += style.item(checkin, column + style.offset, newline)
    return editsource.insert_lines(body, editsource.content_end(last), lines, newline)


def set_done(body: str, objective: int, kr_id: str, milestone: int | None, done: bool) -> str:
    """Set `done:` of a binary key result, or of its milestone number `milestone`."""
    root = editsource.compose(body)
    holder: Node = editsource.key_result(root, objective, kr_id)
    if milestone is not None:
        milestones = editsource.get(holder, "milestones")
        if milestones is None or not isinstance(milestones[1], SequenceNode):
            raise EditError("no `milestones` list")
        holder = milestones[1].value[milestone]
    pair = editsource.get(holder, "done")
    if pair is None or not isinstance(pair[1], ScalarNode):
        raise EditError("no `done` value")
    start, end = int(pair[1].start_mark.index), int(pair[1].end_mark.index)
    return body[:start] + ("true" if done else "false") + body[end:]
