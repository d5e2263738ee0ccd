"""`${VAR}` in itokr.yaml, expanded from the environment, and kept out of every message.

Only `itokr measure` expands: `validate` checks the syntax (`model.VARIABLE`) and
never reads a variable, so an unset secret is a finding of the run that needs it.
Whatever an expansion produced, and every header value, is a secret: `redact`
replaces it (and its URL-encoded forms) in any text before that text is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, quote_plus

from itokr.model.sources import VARIABLE
from itokr.sources.failure import SourceFailure

MASK = "***"


class Secrets:
    """The secrets of one run, and the one way to expand text that holds them."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self._known: set[str] = set()

    def expand(self, template: str) -> str:
        """`template` with each `${NAME}` replaced; an unset or empty one fails (E609).

        Empty counts as unset: a CI system passes a secret it does not have as "".
        """
        missing = [name for name in VARIABLE.findall(template) if not self._env.get(name)]
        if missing:
            names = ", ".join(f"${{{name}}}" for name in dict.fromkeys(missing))
            raise SourceFailure(
                "E609",
                f"{names} in itokr.yaml: unset or empty in the environment; set it where "
                "itokr measure runs (as a CI secret, say)",
            )
        for name in VARIABLE.findall(template):
            self.add(self._env[name])
        return VARIABLE.sub(lambda match: self._env[match[1]], template)

    def add(self, secret: str) -> None:
        """Keep `secret` (and how it looks inside a URL) out of every message."""
        if secret:
            self._known.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def redact(self, text: str) -> str:
        for secret in sorted(self._known, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text
