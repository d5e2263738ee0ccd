"""Text from data, made inert for where it is shown: a terminal, a CI log, a markdown page.

Anyone with push access writes the titles, notes and commit messages that
itokr prints into terminals, CI logs and pull-request comments. `terminal`
escapes what a terminal would obey (C0 and C1 controls, so every ESC
sequence) and what hides or reorders text (bidirectional overrides and
isolates, zero-width characters), as `\\x1b` or `\\u202e`. `markdown` makes
text render as itself on GitHub: no HTML, no links or images, no mentions
that notify, no line break that leaves its table cell, list item or heading.
`hidden` finds the characters `validate` reports (E108). Pure: no IO.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Embeddings, overrides (U+202A-202E) and isolates (U+2066-2069) reorder what a
# reader sees (Trojan Source, CVE-2021-42574). Zero-width characters make two
# titles look alike, or split `@team` so a filter misses it. A joiner (ZWJ,
# ZWNJ) between two non-ASCII characters is writing (an emoji sequence, Persian,
# Devanagari) and is kept; anywhere else it hides something.
_HIDDEN = (
    r"[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\ufeff\u180e]"
    r"|(?<![^\x00-\x7f])[\u200c\u200d]"
    r"|[\u200c\u200d](?![^\x00-\x7f])"
)
HIDDEN = re.compile(_HIDDEN)
# What a terminal obeys or breaks a line on: C0 but tab and newline, DEL, C1, the
# Unicode line and paragraph separators, and lone surrogates (undecodable bytes
# of an argument). `_ONE_LINE` also escapes the tab and the newline.
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
_TERMINAL = re.compile(f"[{_CONTROLS}]|{_HIDDEN}")
_ONE_LINE = re.compile(f"[{_CONTROLS}\t\n]|{_HIDDEN}")

_BREAKS = re.compile(r"\s+")  # every line break and run of spaces, Unicode's included
_MARKDOWN = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "~": "\\~",
    "[": "\\[",  # no link, and so no image (`![x](url)`) can load
    "]": "\\]",
    "|": "\\|",
    "#": "\\#",
    "&": "&amp;",  # no entity (`&lt;`) turns into markup
    "<": "&lt;",  # no HTML, no autolink
    ">": "&gt;",
}
_MARKDOWN_CHARS = re.compile("[" + re.escape("".join(_MARKDOWN)) + "]")
# GitHub links `@name` and `@org/team` (notifying them) and `#123` after rendering,
# so a backslash or an entity does not stop it; an empty HTML comment splits the
# text it matches, and renders as nothing.
_MENTION = re.compile(r"(@|\\#)(?=[A-Za-z0-9])")
_BLOCK_START = re.compile(r"[-+=]|\d+[.)]")  # a list item or setext underline opens a line


def hidden(text: str) -> Iterator[re.Match[str]]:
    """Each bidirectional control or zero-width character that hides or reorders text."""
    return HIDDEN.finditer(text)


def char_name(char: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: a character no one can see, named."""
    import unicodedata

    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}  # as Python and YAML write them


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    # C1 as \u0085, never \x85: a file name's undecodable byte is the one `\x85`
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def terminal(text: str, *, lines: bool = False) -> str:
    """`text` with every character a terminal would obey, or that hides text, escaped.

    With `lines`, newlines stay (a rich table's own line breaks, a description).
    """
    pattern = _TERMINAL if lines else _ONE_LINE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def markdown(text: str) -> str:
    """`text` for inside one markdown block (a table cell, a list item, a heading):
    on one line, rendered by GitHub as exactly this text."""
    flat = terminal(_BREAKS.sub(" ", text).strip())
    escaped = _MARKDOWN_CHARS.sub(lambda match: _MARKDOWN[match[0]], flat)
    return _MENTION.sub(r"\1<!-- -->", escaped)


def markdown_lines(text: str) -> list[str]:
    """Multi-line text (a description) as inert markdown lines, each its own paragraph
    line: a line cannot open a heading, list, quote, table or code block."""
    lines = []
    for line in text.strip().splitlines():
        inline = markdown(line)
        if _BLOCK_START.match(inline):
            inline = "\\" + inline if not inline[0].isdigit() else _escape_number(inline)
        lines.append(inline)
    return lines


def _escape_number(line: str) -> str:
    """`1. item` as text: the dot (or parenthesis) after the number, escaped."""
    digits = len(line) - len(line.lstrip("0123456789"))
    return f"{line[:digits]}\\{line[digits:]}"
