"""Files that itokr writes whole (`carry`, `import`): built as data, emitted by
ruamel.yaml in block style (SPEC §4), read back alike by every common reader.

One quoting rule for every string itokr writes, here and in the check-in notes
that `roundtrip` splices into a user's file: a string is plain only when
`quoting.plain_safe` says itokr (YAML 1.2), PyYAML (YAML 1.1) and ruamel all
read it back as that very string (so `yes`, `99`, `2026-11-30`, `1_000` are
quoted). Otherwise it is double-quoted, with an escape for every character a
reader may fold, drop or refuse. Lines of text that a literal block holds
exactly (no blank at a line's end, nothing that needs an escape) are written as
one (`|`), so a description stays readable. Floats keep a dot (`1.0e+16`):
YAML 1.1 reads `1e+16` as a string. Nothing is folded: a fold loses the double
blanks of a long plain line. No anchors: itokr refuses them.

ruamel.yaml is imported only when a file is written.
"""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from itokr.quoting import plain_safe

_STR = "tag:yaml.org,2002:str"
_FLOAT = "tag:yaml.org,2002:float"
# Characters a reader may fold, drop or refuse inside a block scalar: only an escape
# in a double-quoted one keeps them.
_ESCAPED = re.compile(
    r"[\t\x85\u2028\u2029\ufeff]|[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def style(text: str) -> str | None:
    """How `text` is written: None (plain), `|` (a literal block) or `"`."""
    if plain_safe(text):
        return None
    # a literal block keeps a blank at a line's end only where it shows: quote such text
    if "\n" in text and not _ESCAPED.search(text) and " \n" not in text and text[-1] != " ":
        return "|"
    return '"'


def number_text(value: float) -> str:
    """A number exactly as it reads back: `repr` round-trips every float."""
    return str(value) if isinstance(value, int) else repr(float(value))


def _float_text(value: float) -> str:
    text = number_text(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 wants a dot in a float: 1.0e+16
        text = f"{mantissa}.0e{exponent}"
    return text


@functools.cache
def _representer() -> Any:
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        def represent_str(self, data: str) -> Any:
            return self.represent_scalar(_STR, data, style=style(data))

        def represent_float(self, data: float) -> Any:
            return self.represent_scalar(_FLOAT, _float_text(data))

        def ignore_aliases(self, data: Any) -> bool:
            # one object met twice (a date as start and end) is written out twice:
            # itokr refuses anchors and aliases (E006)
            return True

    Representer.add_representer(str, Representer.represent_str)
    Representer.add_representer(float, Representer.represent_float)
    return Representer


def dump(document: Any) -> str:
    """`document` (mappings, sequences, scalars; ruamel's commented ones keep their
    comments) as YAML text, block style, every string by the rule above."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Representer = _representer()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = sys.maxsize
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def comment(text: str) -> str:
    """Comment lines that stay comments: each line of `text` a line of the comment, and
    a character that is not printable (one a reader could take for a line break)
    written as its escape."""
    return "\n".join(
        "".join(char if char.isprintable() else repr(char)[1:-1] for char in line)
        for line in text.split("\n")
    )


def file_text(data: Mapping[str, Any], header: str, notes: Sequence[str] = ()) -> str:
    """`data` as a whole file: `header` as the leading comment, and `notes[i]` as a
    comment above item i of its `objectives`."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def build(value: Any) -> Any:
        if isinstance(value, Mapping):
            return CommentedMap((key, build(item)) for key, item in value.items())
        if isinstance(value, list | tuple):
            return CommentedSeq(build(item) for item in value)
        return value

    document = build(data)
    document.yaml_set_start_comment(comment(header))
    objectives = document.get("objectives")
    for index, note in enumerate(notes):
        if note and isinstance(objectives, CommentedSeq):
            objectives.yaml_set_comment_before_after_key(index, before=comment(note), indent=2)
    return dump(document)
