"""One GET over HTTP with a timeout and a size cap, its failures as `SourceFailure`s.

httpx is imported here, by `itokr measure` alone: it costs start-up time that no
other command should pay.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from itokr.sources.failure import SourceFailure

if TYPE_CHECKING:
    import httpx

MAX_BYTES = 16 * 2**20  # an answer that should hold one number; more is not read


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    reason: str
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, ValueError):
            raise SourceFailure("E604", "the answer is not JSON") from None


def client(connections: int) -> httpx.Client:
    """A client for one run: a pool of `connections`, redirects followed, and the
    proxy and CA settings of the environment (HTTPS_PROXY, SSL_CERT_FILE...)."""
    import httpx

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(limits=limits, follow_redirects=True)


def get(
    session: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str],
    timeout: float,
) -> Answer:
    """GET `url`; a failure to connect is E601, no whole answer within `timeout` E602.

    httpx's timeout bounds each wait (to connect, between two reads); the loop
    bounds the whole answer, so a server that trickles bytes cannot hold a run.
    """
    import httpx

    deadline = time.monotonic() + timeout
    late = SourceFailure("E602", f"no answer within {timeout:g} s (its `timeout`)")
    try:
        with session.stream(
            "GET", url, params=params, headers=dict(headers), timeout=timeout
        ) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise SourceFailure(
                        "E604", f"the answer is larger than {MAX_BYTES // 2**20} MiB"
                    )
                if time.monotonic() > deadline:
                    raise late
            return Answer(response.status_code, response.reason_phrase, bytes(body))
    except httpx.TimeoutException:
        raise late from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        raise SourceFailure("E601", f"not a URL itokr can request: {error}") from None
    except httpx.TransportError as error:
        raise SourceFailure("E601", f"cannot connect: {error or type(error).__name__}") from None


def status_failure(answer: Answer, detail: str = "") -> SourceFailure:
    """E603 for an answer with an error status, with what the server said when it says."""
    said = f": {detail}" if detail else ""
    return SourceFailure("E603", f"HTTP {answer.status} {answer.reason}{said}".rstrip())
