"""R: Relevant — the objective belongs somewhere: an area of the organisation, or a parent."""

from __future__ import annotations

from collections.abc import Iterator

from itokr.crosscheck import Entry
from itokr.smart.base import Context, Miss, rule


@rule("R401", "error", "the objective has an `area` or `aligns_to` a parent objective")
def unanchored(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """An objective that serves no area and no parent goal may be busy work.

    Pass:

        owner: platform-team
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            aligns_to: [happy-customers]
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
          - id: happy-customers
            title: Give customers a shop they enjoy using
            area: company
            key_results:
              - {id: nps, title: Raise NPS from 20 to 35, unit: points, baseline: 20, target: 35}
              - {id: churn, title: Cut churn from 6% to 4%, unit: "%", baseline: 6, target: 4}

    Fail:

        owner: platform-team
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    if entry.area is None and not entry.objective.aligns_to:
        yield Miss(
            (),
            "no area and no parent objective",
            "add `area:` (to the objective or its file), or `aligns_to:` the objective it serves",
        )
