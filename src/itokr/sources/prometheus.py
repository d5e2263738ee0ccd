"""A Prometheus instant query (`/api/v1/query`) that must give one number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from itokr.sources import web
from itokr.sources.failure import SourceFailure, shown
from itokr.sources.numbers import number

if TYPE_CHECKING:
    import httpx

SERIES_SHOWN = 3


def query(
    session: httpx.Client,
    base: str,
    expression: str,
    at: dt.datetime,
    *,
    headers: Mapping[str, str],
    timeout: float,
) -> float:
    """The value of `expression` at `at`: exactly one sample, or a scalar."""
    answer = web.get(
        session,
        base.rstrip("/") + "/api/v1/query",
        params={"query": expression, "time": f"{at.timestamp():.3f}"},
        headers=headers,
        timeout=timeout,
    )
    if answer.status >= 400:
        try:
            detail = str(answer.json().get("error", ""))
        except (SourceFailure, AttributeError):
            detail = ""
        raise web.status_failure(answer, detail[:300])
    document = answer.json()
    if not isinstance(document, dict) or document.get("status") != "success":
        raise SourceFailure("E604", "the answer is not a Prometheus query result")
    data = document.get("data")
    kind = data.get("resultType") if isinstance(data, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return number(result[1], "the scalar")
    if kind == "vector" and isinstance(result, list):
        return _one_sample(result, at)
    if kind == "matrix":
        raise SourceFailure(
            "E604",
            "the query gives a range vector: wrap it in a function such as avg_over_time(...)",
        )
    if kind == "string":
        raise SourceFailure("E607", "the query gives a string, not a number")
    raise SourceFailure("E604", "the answer is not a Prometheus query result")


def _one_sample(result: list[Any], at: dt.datetime) -> float:
    when = at.strftime("%Y-%m-%d %H:%M UTC")
    if not result:
        raise SourceFailure(
            "E605",
            f"no series at {when}: no sample in the 5 minutes before it, or no such metric",
        )
    if len(result) > 1:
        labels = "; ".join(_labels(item) for item in result[:SERIES_SHOWN])
        more = f" and {len(result) - SERIES_SHOWN} more" if len(result) > SERIES_SHOWN else ""
        raise SourceFailure(
            "E606",
            f"{len(result)} series at {when} ({labels}{more}): narrow the query with labels, "
            "or aggregate it (sum, avg, max)",
        )
    sample = result[0].get("value") if isinstance(result[0], dict) else None
    if not isinstance(sample, list) or len(sample) != 2:
        raise SourceFailure("E604", "the answer is not a Prometheus query result")
    return number(sample[1], "the sample")


def _labels(item: Any) -> str:
    metric = item.get("metric") if isinstance(item, dict) else None
    if not isinstance(metric, dict):
        return "?"
    pairs = ", ".join(f"{key}={value!r}" for key, value in sorted(metric.items()))
    return shown("{" + pairs + "}", 80)[1:-1]
