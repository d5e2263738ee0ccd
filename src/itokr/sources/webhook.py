"""POST a JSON message to a chat webhook (`itokr due --notify`), once more if it fails.

The webhook's URL is a secret (whoever has it can post to the channel): no message,
error or traceback from here names it, nor any part of it, nor what the server
answered (an error page may quote the URL). httpx is imported here alone, so only
`--notify` pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from itokr.errors import UsageError

if TYPE_CHECKING:
    import httpx

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # worth one more try
_LONGEST_PAUSE = 10.0  # seconds: a Retry-After beyond this is not waited for


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one message went: delivered, or why not (never the URL)."""

    delivered: bool
    attempts: int
    status: int | None  # the last HTTP status; None when no answer came
    problem: str | None  # "HTTP 500 Internal Server Error", "no answer within 10 s", ...


def check_url(url: str, variable: str) -> None:
    """`UsageError` (exit 2) when `url` is no http(s) URL; the message does not quote it."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(
            f"${variable} is not an http:// or https:// URL: set it to the webhook's URL "
            "(its value is not shown: it is a secret)"
        )


def post_all(
    url: str, bodies: Sequence[bytes], *, timeout: float, pause: float = 1.0
) -> list[Delivery]:
    """POST each JSON body to `url`, in order, one client for all; a body that fails
    (no connection, no answer within `timeout`, HTTP 408, 429 or 5xx) is posted once
    more after `pause` seconds (or the server's Retry-After, up to 10 s)."""
    import httpx

    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return [_deliver(client, url, body, timeout, pause) for body in bodies]


def _deliver(client: httpx.Client, url: str, body: bytes, timeout: float, pause: float) -> Delivery:
    attempt = 0
    while True:
        attempt += 1
        status, problem, wait = _attempt(client, url, body, timeout, pause)
        if problem is None:
            return Delivery(True, attempt, status, None)
        if attempt == 2 or wait is None:
            return Delivery(False, attempt, status, problem)
        time.sleep(wait)


def _attempt(
    client: httpx.Client, url: str, body: bytes, timeout: float, pause: float
) -> tuple[int | None, str | None, float | None]:
    """(status, problem, pause before a retry): no problem when delivered; no pause
    when trying again would not help."""
    import httpx

    try:
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    except httpx.TimeoutException:
        return None, f"no answer within {timeout:g} s", pause
    except httpx.TransportError as error:
        # the class names what failed; its message may hold the host or the URL
        return None, f"cannot connect ({type(error).__name__})", pause
    status = response.status_code
    if status < 300:
        return status, None, None
    problem = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status not in _RETRY_STATUSES:
        return status, problem, None
    return status, problem, min(_retry_after(response) or pause, _LONGEST_PAUSE)


def _retry_after(response: httpx.Response) -> float | None:
    """The seconds a 429 or 503 asks to wait, when it says so in seconds."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
