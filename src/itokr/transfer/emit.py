"""A new objective file as YAML text, built as data and emitted by ruamel.yaml.

Block style throughout. ruamel.yaml quotes what YAML 1.2 would misread; a value
is also quoted when a YAML 1.1 reader (PyYAML, older tools) would take it for
something else (`yes`, `on`, `1:30`, `2026-11-30`), and double-quoted with
escapes when it holds a line break or a character some reader treats as one.
Floats are written so that both read them as floats (`1.0e+16`, not `1e+16`).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_YAML_11 = yaml.resolver.Resolver()  # PyYAML's implicit types, YAML 1.1
# Characters a reader may fold, drop or refuse inside a plain or single-quoted scalar.
_ESCAPED = re.compile(
    r"[\t\x85\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _style(text: str) -> str | None:
    """`|` for lines of text, `"` when only an escape keeps `text` intact, `'` when a
    YAML 1.1 reader would resolve it plain as no string, else None (ruamel decides,
    by YAML 1.2; it falls back to `"` where a literal block cannot hold the text)."""
    if _ESCAPED.search(text.replace("\n", "")):
        return '"'
    if "\n" in text:  # a blank at a line's end is kept only when it shows: quote it
        return '"' if " \n" in text or text.endswith(" ") else "|"
    if _YAML_11.resolve(yaml.ScalarNode, text, (True, False)) != _STR:  # type: ignore[no-untyped-call]
        return "'"
    return None


def _float_text(value: float) -> str:
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 wants a dot in a float: 1.0e+16
        text = f"{mantissa}.0e{exponent}"
    return text


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        def represent_str(self, data: str) -> Any:
            return self.represent_scalar(_STR, data, style=_style(data))

        def represent_float(self, data: float) -> Any:
            return self.represent_scalar("tag:yaml.org,2002:float", _float_text(data))

    Representer.add_representer(str, Representer.represent_str)
    Representer.add_representer(float, Representer.represent_float)
    emitter = YAML(typ="rt")
    emitter.Representer = Representer
    emitter.indent(mapping=2, sequence=4, offset=2)
    emitter.width = sys.maxsize  # ruamel folds long plain scalars and loses double spaces
    return emitter


def _comment(text: str) -> str:
    """Comment lines that stay comments: a character that is not printable (one a
    reader could take for a line break) is written as its escape."""
    return "\n".join(
        "".join(char if char.isprintable() else repr(char)[1:-1] for char in line)
        for line in text.split("\n")
    )


def file_text(data: Mapping[str, Any], header: str, notes: Sequence[str] = ()) -> str:
    """`data` as an objective file: `header` as the leading comment, and `notes[i]`
    as a comment above objective i."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def build(value: Any) -> Any:
        if isinstance(value, Mapping):
            return CommentedMap((key, build(item)) for key, item in value.items())
        if isinstance(value, list | tuple):
            return CommentedSeq(build(item) for item in value)
        return value

    document = build(data)
    document.yaml_set_start_comment(_comment(header))
    objectives = document.get("objectives")
    for index, note in enumerate(notes):
        if note and isinstance(objectives, CommentedSeq):
            objectives.yaml_set_comment_before_after_key(index, before=_comment(note), indent=2)
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()
