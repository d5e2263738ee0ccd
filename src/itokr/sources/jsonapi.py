"""An HTTP GET answering JSON, and a JMESPath expression to the number in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from itokr.sources import web
from itokr.sources.failure import SourceFailure
from itokr.sources.numbers import number

if TYPE_CHECKING:
    import httpx


def read(
    session: httpx.Client,
    url: str,
    path: str,
    day: dt.date,
    *,
    headers: Mapping[str, str],
    timeout: float,
) -> float:
    """GET `url` (its `{as_of}` the measured day) and read `path` in the JSON answer.

    A path that matches a list of one number reads that number (a filter such as
    `items[?name=='portal'].uptime` gives one); a longer list is several values.
    """
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        expression = jmespath.compile(path)
    except JMESPathError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SourceFailure(
            "E604", f"`path` {path!r} is not a JMESPath expression: {reason}"
        ) from None
    answer = web.get(
        session, url.replace("{as_of}", day.isoformat()), headers=headers, timeout=timeout
    )
    if answer.status >= 400:
        raise web.status_failure(answer)
    try:
        found = expression.search(answer.json())
    except JMESPathError as error:
        raise SourceFailure("E604", f"`path` {path!r} cannot be applied: {error}") from None
    if isinstance(found, list):
        if not found:
            raise SourceFailure("E605", f"`path` {path!r} matches nothing in the answer")
        if len(found) > 1:
            raise SourceFailure(
                "E606", f"`path` {path!r} matches {len(found)} values: make it match one"
            )
        found = found[0]
    if found is None:
        raise SourceFailure("E605", f"`path` {path!r} matches nothing in the answer")
    return number(found, f"the value at {path!r}")
