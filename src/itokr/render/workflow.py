"""GitHub Actions workflow commands (`::error file=…::…`), which become annotations."""

from __future__ import annotations

from itokr.inert import terminal


def escape_data(value: str) -> str:
    """A workflow command's text: its own escapes, and nothing a log viewer obeys."""
    return terminal(value, lines=True).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    file: str,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """One `::LEVEL file=…[,line=…][,col=…][,title=…]::MESSAGE` line, escaped."""
    properties = [f"file={escape_property(file)}"]
    if line is not None:
        properties.append(f"line={line}")
    if col is not None:
        properties.append(f"col={col}")
    if title is not None:
        properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}\n"
