"""Real sources on this machine for `itokr measure`: a loopback JSON server and a real
Prometheus (Debian's package) loaded with weeks of history by promtool.

Everything listens on 127.0.0.1 and is stopped when its context ends. The history
is a function of the day, so a test knows the number a person would read.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest


@pytest.fixture(autouse=True)
def direct_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy (HTTPS_PROXY set), itokr still reaches the servers of this
    machine directly, as a person's browser would."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# ---------------------------------------------------------------- Prometheus

FIRST_DAY, LAST_DAY = dt.date(2026, 9, 20), dt.date(2026, 11, 30)
GAP_DAY = dt.date(2026, 10, 20)  # itokr_open_tickets has no sample at the end of this day
DAY_TIMES = (dt.time(6), dt.time(12), dt.time(18))  # samples a reading at day's end must not see
END_OF_DAY = dt.time(23, 58)  # within Prometheus' 5-minute lookback from D+1 00:00


def uptime(day: dt.date) -> float:
    """`itokr_uptime_percent{job="portal"}` at the end of `day`."""
    return round(99.0 + (day - FIRST_DAY).days / 100, 2)


def open_tickets(day: dt.date) -> int:
    """`itokr_open_tickets` at the end of `day` (none on GAP_DAY)."""
    return 150 - (day - FIRST_DAY).days


def midday_uptime(day: dt.date, at: dt.time) -> float:
    """What the daytime samples of `day` hold: far from the end-of-day value."""
    return 50.0 + at.hour + (day - FIRST_DAY).days / 100


def _stamp(day: dt.date, at: dt.time) -> int:
    return int(dt.datetime.combine(day, at, dt.UTC).timestamp())


def _days() -> Iterator[dt.date]:
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += dt.timedelta(days=1)


def history(extra: Callable[[], list[str]] | None = None) -> str:
    """The OpenMetrics text of every series, families grouped, samples in time order."""
    lines = ["# TYPE itokr_uptime_percent gauge"]
    for day in _days():
        lines += [
            f'itokr_uptime_percent{{job="portal"}} {midday_uptime(day, at)} {_stamp(day, at)}'
            for at in DAY_TIMES
        ]
        lines.append(
            f'itokr_uptime_percent{{job="portal"}} {uptime(day)} {_stamp(day, END_OF_DAY)}'
        )
    lines.append("# TYPE itokr_open_tickets gauge")
    lines += [
        f"itokr_open_tickets {open_tickets(day)} {_stamp(day, END_OF_DAY)}"
        for day in _days()
        if day != GAP_DAY
    ]
    lines.append("# TYPE itokr_p95_latency_ms gauge")
    for instance in ("a", "b"):
        lines += [
            f'itokr_p95_latency_ms{{instance="{instance}"}} 200 {_stamp(day, END_OF_DAY)}'
            for day in _days()
        ]
    lines += extra() if extra else []
    return "\n".join([*lines, "# EOF", ""])


def prometheus_available() -> bool:
    return bool(shutil.which("prometheus") and shutil.which("promtool"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_prometheus(work: Path, openmetrics: str) -> Iterator[str]:
    """Load `openmetrics` into blocks with promtool, serve them with prometheus on a
    free loopback port until the context ends; yields its base URL."""
    work.mkdir(parents=True, exist_ok=True)
    source, data = work / "history.om", work / "data"
    source.write_text(openmetrics, encoding="utf-8")
    # a few long blocks, not one per 2 hours of history: seconds, not half a minute
    load = ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=2400h"]
    subprocess.run([*load, str(source), str(data)], check=True, capture_output=True)
    config = work / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n", encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "prometheus.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                "prometheus",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=10y",
                f"--web.listen-address=127.0.0.1:{port}",
                f"--config.file={config}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with _DIRECT.open(f"{url}/-/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"prometheus not ready in 60 s: {log.read_text(errors='replace')[-2000:]}")


def instant_query(url: str, query: str, at: dt.datetime) -> object:
    """What a person gets from Prometheus' own API: the result of an instant query."""
    params = urlencode({"query": query, "time": at.timestamp()})
    with _DIRECT.open(f"{url}/api/v1/query?{params}", timeout=10) as answer:
        return json.load(answer)["data"]["result"]


# ---------------------------------------------------------------- a JSON API


def csat(day: dt.date) -> float:
    """The CSAT average `/stats?day=DAY` serves."""
    return round(4.0 + day.day / 100, 2)


@dataclass
class JsonServer:
    """A loopback HTTP server answering JSON; it keeps what it was asked."""

    url: str
    token: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0  # requests to /paced waiting (see `pacing`)
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def pacing(self) -> Iterator[None]:
        """Count a /paced request as in flight while it waits, not while its answer is
        sent: once the answer is out the client may start its next request, and that
        one must not be counted beside the one that just ended."""
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1


def _handler(server: JsonServer, delay: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: pytest shows the test's own output

        def do_GET(self) -> None:
            with server.lock:
                server.requests.append((self.path, dict(self.headers)))
            # The client may give up waiting: what a timeout test wants.
            with suppress(BrokenPipeError, ConnectionResetError):
                self._answer()

        def _answer(self) -> None:
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            route = parsed.path
            if route == "/slow":
                time.sleep(delay)
                return self._send(200, {"value": 1})
            if route == "/trickle":  # a byte every 0.2 s: never a long silence, never done
                return self._trickle(b'{"value": 1}' + b" " * 20)
            if route == "/error":
                return self._send(500, {"error": "database unavailable"})
            if route == "/paced":  # a short wait, to see how many requests overlap
                with server.pacing():
                    time.sleep(0.15)
                return self._send(200, {"value": 7})
            if route == "/stats":
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    return self._send(401, {"error": "unauthorized"})
                day = dt.date.fromisoformat(query["day"][0])
                return self._send(
                    200,
                    {
                        "stats": {"csat": {"average": csat(day)}, "note": "n/a"},
                        "teams": [{"name": "a", "open": 3}, {"name": "b", "open": 5}],
                        "nan": float("nan"),
                        "empty": None,
                    },
                )
            return self._send(404, {"error": "no such page"})

        def _trickle(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)

        def _send(self, status: int, document: object) -> None:
            body = json.dumps(document).encode()  # NaN as JSON's unofficial NaN token
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` on a free loopback port, in a thread, until the context ends; yields
    the server's base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextmanager
def json_server(token: str, *, delay: float = 3.0) -> Iterator[JsonServer]:
    """A `JsonServer` on a free loopback port; `/slow` answers after `delay` seconds."""
    state = JsonServer("", token)
    with serving(_handler(state, delay)) as url:
        state.url = url
        yield state
