"""Named periods added to `itokr.yaml`, every other byte of it kept.

An import may bring periods named otherwise than `YYYY-Qn`, `YYYY-Hn` or `YYYY`
(`FY25`, a fiscal quarter): their dates go under `periods:`, one flow entry a
line (`FY25: {start: 2024-07-01, end: 2025-06-30}`), spliced in where libyaml
says the mapping ends, in the file's line ends and BOM. The result is read back
and must hold exactly the old configuration plus the new periods; a layout
this cannot edit is refused with the line to add by hand. A root without
`itokr.yaml` gets a new one, emitted by ruamel.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from itokr import yamlio
from itokr.editsource import Source
from itokr.emit import file_text
from itokr.errors import ItokrError
from itokr.quoting import scalar_text

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML without libyaml: same marks, only slower
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Periods = Mapping[str, tuple[dt.date, dt.date]]


def entry(name: str, start: dt.date, end: dt.date) -> str:
    """One period as a flow entry: `FY25: {start: 2024-07-01, end: 2025-06-30}`; the
    name quoted by the rule of check-in notes when plain would not read back as it."""
    return f"{scalar_text(name)}: {{start: {start}, end: {end}}}"


def with_periods(data: bytes | None, periods: Periods) -> bytes:
    """The configuration `data` (None: there is none yet) with `periods` defined."""
    if data is None:
        header = "itokr configuration (see the README); periods added by `itokr import`."
        fresh = {"periods": {name: {"start": s, "end": e} for name, (s, e) in periods.items()}}
        return file_text(fresh, header).encode("utf-8")
    source = Source.decode(data)
    body = _spliced(source.body, periods, source.newline)
    new = source.encode(body)
    if yamlio.read(new) != _expected(yamlio.read(data), periods):
        raise _refusal(periods)
    return new


def _expected(old: Any, periods: Periods) -> dict[str, Any]:
    config = dict(old or {})
    config["periods"] = dict(config.get("periods") or {}) | {
        name: {"start": start.isoformat(), "end": end.isoformat()}
        for name, (start, end) in periods.items()
    }
    return config


def _refusal(periods: Periods) -> ItokrError:
    lines = "; ".join(entry(name, *dates) for name, dates in periods.items())
    return ItokrError(
        f"cannot add the imported periods to itokr.yaml in place; nothing written: add them "
        f"under `periods:` yourself ({lines}), then import again"
    )


def _spliced(body: str, periods: Periods, newline: str) -> str:
    try:
        root: Node | None = yaml.compose(body.encode("utf-8"), Loader=_Loader)
    except yaml.YAMLError:
        raise _refusal(periods) from None
    entries = [entry(name, *dates) for name, dates in periods.items()]
    if root is None:
        return _append(body, ["periods:", *(f"  {line}" for line in entries)], newline)
    if not isinstance(root, MappingNode) or root.flow_style or not root.value:
        raise _refusal(periods)
    indent = root.value[0][0].start_mark.column
    found = next((value for key, value in root.value if _is(key, "periods")), None)
    if found is None:
        lines = [" " * indent + "periods:", *(" " * (indent + 2) + line for line in entries)]
        return _append(body, lines, newline)
    if not isinstance(found, MappingNode):
        raise _refusal(periods)
    if found.flow_style:
        close = found.end_mark.index - 1  # the closing brace
        joined = ", ".join(entries)
        insert = joined if not found.value else ", " + joined
        return body[:close] + insert + body[close:]
    column = found.value[0][0].start_mark.column
    at = body.find("\n", _last_scalar_end(found))
    at = len(body) if at < 0 else at
    if body[:at].endswith("\r"):
        at -= 1
    added = "".join(newline + " " * column + line for line in entries)
    return body[:at] + added + body[at:]


def _is(node: Node, name: str) -> bool:
    return isinstance(node, ScalarNode) and node.value == name


def _last_scalar_end(node: Node) -> int:
    """Where the last value inside `node` ends (a block mapping's own end mark lies
    past the comments and blank lines that follow it)."""
    while isinstance(node, MappingNode) and node.value and not node.flow_style:
        node = node.value[-1][1]
    return int(node.end_mark.index)


def _append(body: str, lines: list[str], newline: str) -> str:
    if body and not body.endswith(("\n", "\r")):
        body += newline
    return body + newline.join(lines) + newline
