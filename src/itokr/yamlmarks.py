"""Places in a YAML file: a line and column, where each node of a document starts
(`Marks`, kept in flat arrays, never a tree of nodes), and the lines holding hidden
characters."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from itokr.inert import HIDDEN


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    col: int


Loc = Sequence[str | int]
MAPPING, SEQUENCE = object(), object()  # in `Marks.keys`: the node is a container


@dataclass(frozen=True, slots=True)
class Marks:
    """Where each node of one document starts, in document order, in flat arrays.

    Node `n` starts at `lines[n]`, `cols[n]` (0-based, as libyaml counts); `ends[n]`
    is the number of the first node after it and all it holds (0 for a scalar: the
    next one); `keys[n]` is the text of a mapping key,
    `MAPPING`/`SEQUENCE` for a container, None for any other value. A mapping's
    nodes follow it as key, value, key, value; a sequence's items follow it in order.
    """

    lines: array[int] = field(default_factory=lambda: array("I"))
    cols: array[int] = field(default_factory=lambda: array("I"))
    ends: array[int] = field(default_factory=lambda: array("I"))
    keys: list[object] = field(default_factory=list)

    def locate_all(self, wanted: Sequence[tuple[Loc, bool]]) -> list[Position]:
        """The position of each `(loc, at_key)`: of the value at `loc`, or of its key.

        A path the document lacks is placed at the deepest node it reaches (a
        missing key at the mapping that lacks it); a document with no node at 1:1.
        """
        children: dict[int, dict[str, int]] = {}  # per container: step -> its node
        known: dict[tuple[tuple[str | int, ...], bool], Position] = {}  # asked before
        found = []
        for loc, at_key in wanted:
            asked = (tuple(loc), at_key)
            if asked in known:
                found.append(known[asked])
                continue
            if not self.lines:  # a document of comments alone, or nothing read
                found.append(Position(1, 1))
                continue
            node, key = 0, None  # key: the node of the last step's key, when it was one
            for step in loc:
                below = children.get(node)
                if below is None:
                    below = children[node] = self._children(node)
                inner = below.get(str(step))
                if inner is None:
                    key = None
                    break
                key, node = (inner - 1, inner) if self.keys[node] is MAPPING else (None, inner)
            spot = self._at(key if at_key and key is not None else node)
            found.append(known.setdefault(asked, spot))
        return found

    def _at(self, node: int) -> Position:
        return Position(self.lines[node] + 1, self.cols[node] + 1)

    def _children(self, node: int) -> dict[str, int]:
        """A mapping's values by key text, a sequence's items by index; later wins."""
        kind, ends = self.keys[node], self.ends
        end, child, index = ends[node], node + 1, 0
        steps: dict[str, int] = {}
        if kind is MAPPING:
            while child + 1 < end:
                steps[str(self.keys[child])] = child + 1
                child = ends[child + 1] or child + 2
        elif kind is SEQUENCE:
            while child < end:
                steps[str(index)] = child
                child, index = ends[child] or child + 1, index + 1
        return steps


def hidden_characters(
    data: bytes, escaped: Sequence[tuple[Position, str]] = ()
) -> list[tuple[Position, str]]:
    """The first hidden character (bidirectional control, zero-width) of each line that
    holds one, in a value or a comment, and those `read` found in double-quoted values
    (`escaped`), one a line, in line order. A byte-order mark opening the file is none."""
    if data.isascii() and not escaped:  # almost every file: nothing to look for
        return []
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    found: dict[int, tuple[Position, str]] = {}
    line, counted = 1, 0  # lines are counted once, up to each match in turn
    for match in HIDDEN.finditer(text):
        at = match.start()
        line += text.count("\n", counted, at)
        counted = at
        if line not in found:
            found[line] = (Position(line, at - text.rfind("\n", 0, at)), match[0])
    for where, char in escaped:
        found.setdefault(where.line, (where, char))
    return [found[line] for line in sorted(found)]
