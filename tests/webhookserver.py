"""A chat webhook on this machine for `itokr due --notify`: a loopback HTTP server that
keeps every POST it receives and answers each with the next scripted reply.

It listens on 127.0.0.1 only, in a thread, and is stopped when its context ends
(`sourceservers.serving`, as the sources' JSON server).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from sourceservers import serving

# The part of the URL a real webhook keeps secret: whoever knows it can post.
SECRET = "T0SECRET/B0SECRET/xoxSECRETtoken"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    delay: float = 0.0  # seconds before answering: longer than itokr waits is a timeout


@dataclass
class Webhook:
    """What the server was sent, and how it is to answer."""

    url: str
    replies: list[Reply]
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def documents(self) -> list[Any]:
        """Every body received, read as JSON."""
        return [json.loads(body) for _, _, body in self.received]


def _handler(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: pytest shows the test's own output

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with hook.lock:
                hook.received.append((self.path, dict(self.headers), body))
                reply = hook.replies.pop(0) if hook.replies else Reply()
            time.sleep(reply.delay)
            # an error page that quotes the URL, as some servers' do: itokr must not repeat it
            answer = b"ok" if reply.status < 300 else f"no luck at {self.path}".encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # itokr stopped waiting: what a timeout test wants

    return Handler


@contextmanager
def webhook(replies: Sequence[Reply] = ()) -> Iterator[Webhook]:
    """A `Webhook` on a free loopback port; its URL ends with `SECRET`."""
    hook = Webhook("", list(replies))
    with serving(_handler(hook)) as url:
        hook.url = f"{url}/services/{SECRET}"
        yield hook
