"""The one quoting rule for text itokr writes into YAML: plain where every reader
reads it back as the same string, else double-quoted."""

from __future__ import annotations

import json
import re

import yaml

from itokr import yamlio

# Plain in flow and block context alike: YAML 1.1 scanners (PyYAML's own, ruamel's) end a
# flow scalar at any of `,:?[]{}`, where libyaml reads on.
_PLAIN_NOTE = re.compile(r"[A-Za-z0-9(][^:#,?\[\]{}\"'\n\r\t]*")


_STR = "tag:yaml.org,2002:str"


_RESOLVER_11 = yaml.resolver.Resolver()  # PyYAML's: YAML 1.1, as older tools read


_BOOLS_11 = {"y", "Y", "n", "N"}  # booleans in the YAML 1.1 spec that PyYAML reads as text


def plain_safe(text: str) -> bool:
    """True when `text` written plain reads back as this very string in flow and block
    context, to itokr (YAML 1.2) and to YAML 1.1 readers (PyYAML): so not `yes`, `no`,
    `on`, `off`, `~`, `null`, `2026-11-30`, `1_000`, `0b101`, `1:30`, nor `?`-led.
    ruamel's 1.2 reading is covered by these two (a property test holds it to that)."""
    if not (
        _PLAIN_NOTE.fullmatch(text)
        and text.isprintable()
        and text == text.strip()
        and " #" not in text
        and text not in _BOOLS_11
    ):
        return False
    if _RESOLVER_11.resolve(yaml.ScalarNode, text, (True, False)) != _STR:  # type: ignore[no-untyped-call]
        return False
    try:
        return bool(yamlio.read(f"k: {text}\n".encode()) == {"k": text})
    except yamlio.YamlProblem:
        return False


def scalar_text(text: str) -> str:
    """`text` as a YAML scalar that reads back as that string, in flow or block context,
    to itokr, PyYAML and ruamel: plain when that is safe, else double-quoted."""
    if plain_safe(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # JSON escapes are YAML escapes too
    return "".join(char if char.isprintable() else _escape(char) for char in quoted)


def _escape(char: str) -> str:
    """A YAML escape for a character libyaml may read as a line break (NEL, U+2028)."""
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
