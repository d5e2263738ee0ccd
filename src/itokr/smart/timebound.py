"""T: Time-bound — a period, and dates that fall inside it."""

from __future__ import annotations

from collections.abc import Iterator

from itokr.crosscheck import Entry
from itokr.model.keyresults import Metric, Threshold, dated_checkins
from itokr.smart.base import Context, Miss, rule


@rule("T501", "error", "the objective has a period (`period:` or `start`/`end`)")
def no_period(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """Without a deadline there is no expected progress, so no one can tell if the
    objective is on track.

    Pass:

        owner: platform-team
        area: infrastructure
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            period: 2026-Q4
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}

    Fail:

        owner: platform-team
        area: infrastructure
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    if entry.period is None:
        yield Miss(
            (),
            "no period",
            "add `period:` (2026-Q4, 2026-H2, 2026 or a name from itokr.yaml) to the objective "
            "or its file, or `start:` and `end:` dates",
        )


@rule("T502", "error", "every key result's `due:` date falls inside the period")
def due_outside(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A key result due after its objective's period ends cannot count towards it.

    Pass:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200,
                 due: 2026-12-15}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}

    Fail:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200,
                 due: 2027-01-15}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    period = entry.period
    if period is None:
        return
    for index, key_result in enumerate(entry.objective.key_results):
        if key_result.due is not None and not period.contains(key_result.due):
            yield Miss(
                ("key_results", index, "due"),
                f"key result `{key_result.id}` is due {key_result.due}, outside "
                f"{period.label} ({period.start} to {period.end})",
                "move `due:` inside the period, or move the key result to the period it belongs to",
            )


@rule("T503", "error", "no check-in predates the period's start")
def early_checkin(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A check-in before the period starts measures the previous period: the wrong
    period is set, or the value belongs in `baseline`.

    Pass:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - id: p95
                title: Cut p95 from 250 to 200 ms
                unit: ms
                baseline: 250
                target: 200
                checkins:
                  - {date: 2026-10-05, value: 240}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}

    Fail:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - id: p95
                title: Cut p95 from 250 to 200 ms
                unit: ms
                baseline: 250
                target: 200
                checkins:
                  - {date: 2026-09-28, value: 240}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    period = entry.period
    if period is None:
        return
    for index, key_result in enumerate(entry.objective.key_results):
        if isinstance(key_result, Metric | Threshold) and key_result.kpi is not None:
            continue  # a KPI's readings outlive periods: its latest one counts, however old
        for at, checkin in enumerate(dated_checkins(key_result)):
            if checkin.date < period.start:
                yield Miss(
                    ("key_results", index, "checkins", at, "date"),
                    f"key result `{key_result.id}` has a check-in of {checkin.date}, before "
                    f"{period.label} starts ({period.start})",
                    "check the period; a value from before the start belongs in `baseline:`",
                )
                break
