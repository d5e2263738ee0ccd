"""`itokr measure` against a real Prometheus on 127.0.0.1, its history loaded by
`promtool tsdb create-blocks-from openmetrics` (Debian's `prometheus` package;
`.ci/run` installs it)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import Result, require_tool
from itokr.loader import load_root
from itokr.measure import dates, measure
from itokr.model.keyresults import Metric, Threshold
from sourceservers import (
    DAY_TIMES,
    GAP_DAY,
    direct_to_loopback,
    instant_query,
    midday_uptime,
    open_tickets,
    prometheus_available,
    running_prometheus,
    uptime,
)
from sourceservers import history as openmetrics

__all__ = ["direct_to_loopback"]  # an autouse fixture: on for every test here


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_tool(prometheus_available(), "prometheus and promtool are not installed")
    with running_prometheus(tmp_path_factory.mktemp("prometheus"), openmetrics()) as url:
        yield url


@pytest.fixture
def root(tmp_path: Path, prometheus: str) -> Path:
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "itokr.yaml").write_text(
        f"sources:\n  prom:\n    prometheus: {prometheus}\n    timeout: 5\n"
    )
    (okrs / "platform.yaml").write_text(
        textwrap.dedent(
            """\
            period: 2026-Q4
            owner: platform-team
            area: infrastructure
            objectives:
              - id: platform
                title: Run a platform the business can rely on
                key_results:
                  - id: uptime
                    title: Keep portal uptime at or above 99.5%
                    kind: threshold
                    direction: at_least
                    unit: "%"
                    target: 99.5
                    source: {from: prom, query: 'itokr_uptime_percent{job="portal"}'}
                  - id: tickets
                    title: Cut open tickets from 140 to 60
                    baseline: 140
                    target: 60
                    checkins:
                      - {date: 2026-10-01, value: 139, note: counted by hand}
                      - {date: 2026-11-01, value: 118}
                    source: {from: prom, query: itokr_open_tickets}
            """
        )
    )
    return okrs


def checkins(root: Path, kr_id: str) -> list[tuple[str, float, str | None]]:
    tree = load_root(root, root.parent)
    assert tree.findings == ()
    kr = next(k for k in tree.entries[0].objective.key_results if k.id == kr_id)
    assert isinstance(kr, Metric | Threshold)
    return [(str(c.date), c.value, c.by) for c in kr.checkins or ()]


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)


def test_records_the_value_prometheus_gives_at_the_end_of_the_day(
    run: Callable[..., Result], root: Path, prometheus: str
) -> None:
    day = dt.date(2026, 11, 20)
    result = run("--root", str(root), "measure", "--as-of", str(day))
    assert result.exit_code == 0, result.stderr
    # what a person reads from Prometheus' own API for the end of that day
    samples = instant_query(prometheus, 'itokr_uptime_percent{job="portal"}', end_of(day))
    assert isinstance(samples, list) and len(samples) == 1
    sample = samples[0]
    assert float(sample["value"][1]) == uptime(day) != midday_uptime(day, DAY_TIMES[-1])
    assert checkins(root, "uptime") == [(str(day), uptime(day), "prom")]
    assert checkins(root, "tickets")[-1] == (str(day), open_tickets(day), "prom")


def test_backfill_reads_weeks_of_history_and_a_gap_is_a_finding(
    run: Callable[..., Result], root: Path
) -> None:
    result = run(
        "--root", str(root), "measure", "platform/tickets",
        "--since", "2026-09-29", "--every", "1w", "--as-of", "2026-11-20", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [(e["code"], e["date"]) for e in document["errors"]] == [("E605", str(GAP_DAY))]
    assert "no series" in document["errors"][0]["message"]
    measured = [
        day
        for day in dates(dt.date(2026, 11, 20), dt.date(2026, 9, 29), 7)
        if day.month >= 10 and day != GAP_DAY  # 09-29 is before 2026-Q4
    ]
    expected: list[tuple[str, float, str | None]] = [
        (str(day), float(open_tickets(day)), "prom") for day in measured
    ]
    expected += [("2026-10-01", 139, None), ("2026-11-01", 118, None)]  # a person's, kept
    assert checkins(root, "tickets") == sorted(expected)
    assert checkins(root, "uptime") == []  # not among the REFs


def test_a_reading_of_today_is_taken_now_not_at_a_midnight_to_come(root: Path) -> None:
    """D+1 00:00 has not come yet when D is today: the query is at `now`."""
    day = dt.date(2026, 11, 10)
    noon = dt.datetime.combine(day, DAY_TIMES[1], dt.UTC)
    outcome = measure(root, root.parent, refs=["platform/uptime"], days=[day], env={}, now=noon)
    assert outcome.ok
    assert checkins(root, "uptime") == [(str(day), midday_uptime(day, DAY_TIMES[1]), "prom")]


@pytest.mark.parametrize(
    ("query", "code", "says"),
    [
        ("itokr_p95_latency_ms", "E606", "2 series"),
        ("itokr_no_such_metric", "E605", "no series"),
        ("0/0", "E608", "NaN"),
        ("vector(1)/0", "E608", "+Inf"),
        ('"text"', "E607", "string"),
        ("itokr_uptime_percent[1h]", "E604", "avg_over_time"),
        ("sum(", "E603", "HTTP 400"),
    ],
)
def test_prometheus_answers_that_are_not_one_number(
    run: Callable[..., Result], root: Path, query: str, code: str, says: str
) -> None:
    path = root / "platform.yaml"
    path.write_text(path.read_text().replace("query: itokr_open_tickets", f"query: '{query}'"))
    before = path.read_text()
    result = run(
        "--root", "okrs", "measure", "platform/tickets", "--as-of", "2026-11-20", cwd=root.parent
    )
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert f"okrs/platform.yaml:22:9: {code} platform/tickets on 2026-11-20: source prom: " in line
    assert says in line
    assert path.read_text() == before  # that key result gets nothing


def test_a_prometheus_that_is_down_is_unreachable(run: Callable[..., Result], root: Path) -> None:
    from sourceservers import free_port

    (root / "itokr.yaml").write_text(
        f"sources:\n  prom:\n    prometheus: http://127.0.0.1:{free_port()}\n"
    )
    result = run("--root", str(root), "measure", "--as-of", "2026-11-20", "-f", "json")
    assert result.exit_code == 1
    assert {e["code"] for e in json.loads(result.stdout)["errors"]} == {"E601"}
