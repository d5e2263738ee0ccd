"""Reading YAML 1.2 fast, and placing problems at a line and column.

The read path is libyaml's C parser (through PyYAML) with a small builder of
plain Python data from its event stream, resolving scalars by the YAML 1.2
core schema: no timestamps (dates stay strings until the models read them),
no merge keys, `no`/`on` are strings, `0755` is decimal. Anchors, aliases and
explicit tags are refused the moment they appear, so an alias bomb never
expands. Building from events is about three times faster than PyYAML's own
C loader, and never recurses. Positions are recorded while reading only when
asked for (`yamlmarks.Marks`, for `itokr smart`, which places findings in every file);
otherwise a file with a problem is read again by `locate_all`. Either way they
are kept in flat arrays, never as a tree of nodes (libyaml's own composer
recurses and crashes around 40,000 levels deep).

Limits keep hostile input cheap: nesting deeper than `max_depth`, more than
`max_values` values, an integer too long to convert, and control characters
from quoted escapes are refused as problems.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from itokr.inert import HIDDEN
from itokr.yamlmarks import MAPPING, SEQUENCE, Loc, Marks, Position

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: correct, only slower
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


MAX_DEPTH = 64  # an objective file needs 7 levels
MAX_VALUES = 50_000  # a 2,000-line file has ~5,000; bounds the memory of reporting on it

# The YAML 1.2 core schema (yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+.0123456789")
# What only a double-quoted escape (`"\e[2J"`) can put in a value: control characters
# other than tab and newline, which a terminal would obey when a title is shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_CORE_TAGS = "tag:yaml.org,2002:"
_KEY_SLOT = object()  # a mapping waiting for its next key
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_DOCUMENT_START, _STREAM_END = yaml.DocumentStartEvent, yaml.StreamEndEvent


class YamlProblem(Exception):
    """A file that is not acceptable YAML; carries the finding's parts."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


def _int(text: str) -> int:
    if len(text) > 400:  # beyond 1e300 whatever it is; Python refuses 4,300 digits
        raise ValueError(text)
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return int(digits[2:], 8)
    if digits.startswith("0x"):
        return int(digits[2:], 16)
    return int(text, 10)


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _scalar(event: Any, escaped: list[tuple[Position, str]] | None) -> Any:
    text: str = event.value
    if not event.implicit[0]:  # quoted, or a block scalar: always a string
        if event.style == '"':
            if control := _CONTROL.search(text):
                raise _at(
                    "E104",
                    f"control character {control[0]!r} in a quoted value: terminals would "
                    "obey it; remove the escape",
                    event,
                )
            if escaped is not None and (hidden := HIDDEN.search(text)):
                mark = event.start_mark
                escaped.append((Position(mark.line + 1, mark.column + 1), hidden[0]))
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] in _NUMBER_START:
        if _INT_RE.fullmatch(text):
            try:
                return _int(text)
            except ValueError:
                raise _at(
                    "E105", "a number this long is not allowed: keep numbers below 1e300", event
                ) from None
        if _FLOAT_RE.fullmatch(text):
            return _float(text)
    return text


def _at(code: str, message: str, event: Any) -> YamlProblem:
    mark = event.start_mark
    return YamlProblem(code, message, mark.line + 1, mark.column + 1)


def _refuse(event: Any) -> None:
    if isinstance(event, _ALIAS) or event.anchor is not None:
        raise _at("E006", "anchors and aliases are not allowed: write the value out", event)
    tag = event.tag
    if tag.startswith(_CORE_TAGS):  # libyaml expands `!!x`: name it as it was written
        tag = "!!" + tag[len(_CORE_TAGS) :]
    raise _at("E007", f"explicit tag {tag!r} is not allowed: remove it", event)


def _build(
    data: bytes,
    max_depth: int,
    max_values: int,
    escaped: list[tuple[Position, str]] | None,
    marks: Marks | None = None,
) -> Any:
    """Plain data from the event stream, with an explicit stack; each node's start
    recorded in `marks`, when given."""
    parser = _Parser(data)
    stack: list[tuple[Any, Any]] = []
    container: Any = None
    key: Any = _KEY_SLOT
    result: Any = None
    documents = nodes = 0
    if marks is not None:  # bound once: this loop is the cost of reading a root
        lines, cols, ends, keys = marks.lines, marks.cols, marks.ends, marks.keys
        add_line, add_col, add_end, add_key = lines.append, cols.append, ends.append, keys.append
        opened: list[int] = []  # the node numbers of the containers not closed yet
    try:
        while True:
            event: Any = parser.get_event()
            kind = type(event)
            if kind is _SCALAR:
                if event.anchor is not None or event.tag is not None:
                    _refuse(event)
                value = _scalar(event, escaped)
                if marks is not None:
                    mark = event.start_mark
                    add_line(mark.line)
                    add_col(mark.column)
                    add_end(0)  # a scalar ends where the next node starts
                    add_key(None)  # its text, below, when it is a key
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if event.anchor is not None or event.tag is not None:
                    _refuse(event)
                if type(container) is dict and key is _KEY_SLOT:
                    raise _at("E003", "a mapping key must be a plain value", event)
                if len(stack) >= max_depth:
                    raise _at("E008", _too_deep(max_depth), event)
                if marks is not None:
                    mark = event.start_mark
                    opened.append(len(ends))
                    add_line(mark.line)
                    add_col(mark.column)
                    add_end(0)  # set when it closes
                    add_key(MAPPING if kind is _MAPPING_START else SEQUENCE)
                stack.append((container, key))
                container = {} if kind is _MAPPING_START else []
                key = _KEY_SLOT
                continue
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                if marks is not None:
                    ends[opened.pop()] = len(ends)
                value = container
                container, key = stack.pop()
                nodes += len(value) + 1  # counted per container: cheaper than per event
                if nodes > max_values:
                    raise _at(
                        "E008",
                        f"more than {max_values:,} values in one file "
                        "(`limits.max_values` in itokr.yaml)",
                        event,
                    )
            elif kind is _ALIAS:
                _refuse(event)
            elif kind is _STREAM_END:
                return result
            elif kind is _DOCUMENT_START and documents:
                raise _at("E003", "a second YAML document (`---`): keep one per file", event)
            elif kind is _DOCUMENT_START:
                documents += 1
                continue
            else:
                continue
            if container is None:
                result = value
            elif type(container) is list:
                container.append(value)
            elif key is _KEY_SLOT:
                if value in container:
                    raise _at("E005", f"duplicate key {value!r}: each key may appear once", event)
                key = value
                if marks is not None:  # as written: `1:` is the key "1" of a path
                    keys[-1] = sys.intern(event.value)
            else:
                container[key] = value
                key = _KEY_SLOT
    finally:
        parser.dispose()
        if marks is not None:  # a document cut short: what it opened ends where it stopped
            for number in opened:
                ends[number] = len(ends)


def _too_deep(max_depth: int) -> str:
    return f"nested deeper than {max_depth} levels (`limits.max_depth` in itokr.yaml)"


def _libyaml_depth(
    error: yaml.YAMLError, data: bytes, max_depth: int, max_values: int
) -> YamlProblem | None:
    """libyaml 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels itself, before the events reach
    our own limit. Parse the text before its stop again: our limit (at most 1,000) then
    fires at the same place, with the same message, as on a libyaml without a limit."""
    mark = getattr(error, "problem_mark", None)
    if mark is None or "exceeded maximum nesting depth" not in str(error):
        return None
    prefix = data.decode("utf-8")[: mark.index].encode("utf-8")  # the index counts characters
    try:
        _build(prefix, max_depth, max_values, None)
    except YamlProblem as problem:
        if problem.code == "E008":
            return problem
    except yaml.YAMLError:
        pass
    return YamlProblem("E008", _too_deep(max_depth), mark.line + 1, mark.column + 1)


def _decode_check(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise YamlProblem("E002", "not UTF-8 text: save the file as UTF-8", line, col) from None


def _syntax_problem(error: yaml.YAMLError, data: bytes) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    lines = data.splitlines()
    if line > len(lines) + data.endswith((b"\n", b"\r")):  # past the end of a file that
        line = max(len(lines), 1)  # has no final newline: place it at the end of the last line
        col = len(lines[-1].decode("utf-8", "replace")) + 1 if lines else 1
    text = lines[line - 1] if line <= len(lines) else b""
    if b"\t" in text[: len(text) - len(text.lstrip(b" \t")) + 1]:
        return YamlProblem("E004", "tab used for indentation: indent with spaces", line, col)
    problem = (getattr(error, "problem", None) or str(error)).splitlines()[0]
    context = getattr(error, "context", None)
    detail = f"{context}, {problem}" if context else problem
    return YamlProblem("E003", f"YAML syntax error: {detail}", line, col)


def read(
    data: bytes,
    *,
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
    escaped: list[tuple[Position, str]] | None = None,
    marks: Marks | None = None,
) -> Any:
    """Parse one YAML 1.2 document into plain data, or raise `YamlProblem`.

    `escaped`, when given, gets the position and first hidden character (`inert.HIDDEN`)
    of each double-quoted value holding one, which an escape (`"\\u202e"`) can write.
    `marks`, when given, gets where every node starts (about a quarter more time).
    """
    _decode_check(data)
    try:
        return _build(data, max_depth, max_values, escaped, marks)
    except yaml.YAMLError as error:
        raise _libyaml_depth(error, data, max_depth, max_values) or _syntax_problem(
            error, data
        ) from None


def locate_all(data: bytes, wanted: Sequence[tuple[Loc, bool]]) -> list[Position]:
    """`Marks.locate_all` of a document read again: for a file whose problems are
    found after reading (by validation or a view), where no marks were kept."""
    marks = Marks()
    # only documents `read` accepted come here, perhaps under other limits than these
    with contextlib.suppress(yaml.YAMLError, YamlProblem):
        _build(data, sys.maxsize, sys.maxsize, None, marks)
    return marks.locate_all(wanted)
