"""`itokr tree`: how team objectives add up to company objectives, as text or JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from itokr.render.plain import rounded, two
from itokr.scoring import Node

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree


def node_fields(node: Node) -> dict[str, Any]:
    """A node without its children, in the order the JSON shows them."""
    return {
        "id": node.objective.entry.id,
        "title": node.objective.entry.objective.title,
        "score": rounded(node.objective.score),
        "health": node.objective.health,
        "children_mean": rounded(node.children_mean),
    }


def as_json(roots: Sequence[Node], as_of: dt.date) -> str:
    """Nested nodes, one a line, indented by depth.

    Written with an explicit stack: json's encoder recurses, and an alignment chain
    can be as deep as the root is large.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out = [f'{{"as_of": {encode(as_of.isoformat())}, "objectives": [']
    pending: list[str | tuple[Node, int]] = []

    def push(nodes: Sequence[Node], depth: int) -> None:
        for position, node in enumerate(reversed(nodes)):
            if position:
                pending.append(",")
            pending.append((node, depth))

    push(roots, 1)
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, depth = item
        head = encode(node_fields(node))[:-1]
        out.append(f'\n{"  " * depth}{head}, "children": [')
        pending.append("]}")
        push(node.children, depth + 1)
    out.append("\n]}\n" if roots else "]}\n")
    return "".join(out)


def label(node: Node) -> Text:
    from rich.text import Text

    from itokr.render.status_table import health_text

    objective = node.objective
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(objective.entry.id, style="bold")
    text.append(f"  {two(objective.score)} ")
    text.append_text(health_text(objective.health))
    if node.children_mean is not None:
        text.append(f"  children {two(node.children_mean)}", style="cyan")
        if len(node.started) < len(node.children):
            text.append(f" ({len(node.started)} of {len(node.children)} started)", style="cyan")
    elif node.children:
        text.append("  children not started", style="cyan")
    text.append(f"  {objective.entry.objective.title}", style="dim")
    return text


def render(console: Console, roots: Sequence[Node], as_of: dt.date, *, title: str = "") -> None:
    from rich.tree import Tree

    heading = f"{title} · alignment as of {as_of}" if title else f"Alignment as of {as_of}"
    tree = Tree(heading, style="bold", guide_style="dim")
    # an explicit stack: rich only walks the tree it is given, so depth costs nothing here
    stack: list[tuple[Tree, Node]] = [(tree, root) for root in reversed(roots)]
    while stack:
        parent, node = stack.pop()
        branch = parent.add(label(node), style="")
        stack.extend((branch, child) for child in reversed(node.children))
    console.print(tree)
    if roots:
        console.print(_legend())


def _legend() -> Text:
    from rich.text import Text

    return Text(
        'Each objective shows its own score and health; "children" is the unweighted mean '
        "of the own scores of the objectives aligned directly to it whose period has started.",
        style="dim",
    )
