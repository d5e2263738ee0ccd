"""How a source fails: a `SourceFailure` with a code of `itokr measure` (E601-E609)."""

from __future__ import annotations

CODES: dict[str, str] = {
    "E601": "a source cannot be reached: connection refused, unknown host, a file that is "
    "not there, a command that cannot start",
    "E602": "a source did not answer within its `timeout`",
    "E603": "a source answered with an error: an HTTP status of 400 or more, a query "
    "Prometheus rejects, a command's non-zero exit",
    "E604": "a source's answer cannot be read: not JSON or CSV, not the shape its type "
    "promises, a column that is not there, a JMESPath that does not parse",
    "E605": "no value: no series, a path that matches nothing, no row on or before the day, "
    "an empty cell or output",
    "E606": "several values where one is needed: several series, a path matching a list",
    "E607": "not a number",
    "E608": "a number that is not finite (NaN, Inf) or is beyond 1e300",
    "E609": "an environment variable that itokr.yaml names (`${VAR}`) is unset or empty",
}


class SourceFailure(Exception):
    """One source could not give one number; `message` never holds a secret once
    `Reader.read` has passed it on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def shown(text: str, limit: int = 60) -> str:
    """Text from a source, quoted, cut and made safe for a one-line message."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return repr(text)
