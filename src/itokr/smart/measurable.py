"""M: Measurable — a few key results, each a number with a unit or a list of milestones."""

from __future__ import annotations

import re
from collections.abc import Iterator

from itokr.crosscheck import Entry
from itokr.model.keyresults import Binary, Metric, MilestoneKR, Threshold
from itokr.smart.base import Context, Miss, rule

_DIGIT = re.compile(r"\d")


@rule("M201", "error", "the objective has at least `min_key_results` (2) key results")
def too_few(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """One key result is a single bet: when it is gamed or wrong, nothing else tells.

    Pass:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: happy-users
            title: Fix staff IT problems the first time
            key_results:
              - id: ftr
                title: Raise first-contact fixes from 55% to 75%
                unit: "%"
                baseline: 55
                target: 75
              - id: csat
                title: Raise CSAT from 3.9 to 4.5
                unit: points
                baseline: 3.9
                target: 4.5

    Fail:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: happy-users
            title: Fix staff IT problems the first time
            key_results:
              - id: ftr
                title: Raise first-contact fixes from 55% to 75%
                unit: "%"
                baseline: 55
                target: 75
    """
    least, count = ctx.config.min_key_results, len(entry.objective.key_results)
    if count < least:
        yield Miss(
            ("key_results",),
            f"{count} key result{'s' if count != 1 else ''}; at least {least} are needed",
            "add a key result that would catch the first one being met the wrong way "
            "(speed with quality, cost with satisfaction)",
        )


@rule("M202", "error", "the objective has at most `max_key_results` (5) key results")
def too_many(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """Past a handful of key results the team has not chosen what matters.

    Config:

        smart: {max_key_results: 2}

    Pass:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: happy-users
            title: Fix staff IT problems the first time
            key_results:
              - id: ftr
                title: Raise first-contact fixes from 55% to 75%
                unit: "%"
                baseline: 55
                target: 75
              - id: csat
                title: Raise CSAT from 3.9 to 4.5
                unit: points
                baseline: 3.9
                target: 4.5

    Fail:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: happy-users
            title: Fix staff IT problems the first time
            key_results:
              - id: ftr
                title: Raise first-contact fixes from 55% to 75%
                unit: "%"
                baseline: 55
                target: 75
              - id: csat
                title: Raise CSAT from 3.9 to 4.5
                unit: points
                baseline: 3.9
                target: 4.5
              - id: reopen
                title: Cut reopened tickets from 9% to 4%
                unit: "%"
                baseline: 9
                target: 4
    """
    most, count = ctx.config.max_key_results, len(entry.objective.key_results)
    if count > most:
        yield Miss(
            ("key_results",),
            f"{count} key results; at most {most} keep the objective focused",
            "keep the ones that best show the outcome; move the rest to the team's backlog "
            "or to another objective",
        )


@rule("M203", "error", "every key result is measurable: a number with a unit, or 2+ milestones")
def unmeasurable(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A number without a unit, a lone done/not-done or a single milestone says
    nothing about how far along the work is.

    Pass:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: second-site
            title: Survive the loss of one data centre
            key_results:
              - {id: rto, title: Cut failover time from 8 h to 1 h, unit: h, baseline: 8, target: 1}
              - id: site
                title: Bring the second site into service
                milestones:
                  - {title: Contract signed, done: true}
                  - {title: Replication live, done: false}

    Fail:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: second-site
            title: Survive the loss of one data centre
            key_results:
              - {id: rto, title: Cut failover time from 8 to 1, baseline: 8, target: 1}
              - {id: site, title: Bring the second site into service, done: false}
    """
    for index, key_result in enumerate(entry.objective.key_results):
        where = ("key_results", index)
        name = f"key result `{key_result.id}`"
        if isinstance(key_result, Metric | Threshold) and not key_result.unit:
            yield Miss(
                (*where, "unit"),
                f"{name} has no unit",
                "add `unit:` (%, ms, h, tickets, USD...) so the numbers mean something",
            )
        elif isinstance(key_result, Binary):
            yield Miss(
                (*where, "done"),
                f"{name} is done/not-done: a task, not a measure",
                "measure what the task changes (a metric with baseline and target), or list "
                "its `milestones:` (2 or more)",
            )
        elif isinstance(key_result, MilestoneKR) and len(key_result.milestones) < 2:
            yield Miss(
                (*where, "milestones"),
                f"{name} has a single milestone: a task, not a measure",
                "split it into 2 or more milestones that show progress, or measure the outcome",
            )


@rule("M210", "warning", "a metric or threshold key result's title has its number in it")
def title_without_number(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A title like "Improve uptime" hides the target: whoever reads only the title cannot tell
    what success is.

    Pass:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
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
                title: Make the API latency much lower
                unit: ms
                baseline: 250
                target: 200
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    for index, key_result in enumerate(entry.objective.key_results):
        if isinstance(key_result, Metric | Threshold) and not _DIGIT.search(key_result.title):
            yield Miss(
                ("key_results", index, "title"),
                f"key result `{key_result.id}`: title has no number",
                "put the change in the title: 'from BASELINE to TARGET UNIT' or "
                "'at or below TARGET UNIT'",
            )


@rule("M211", "warning", "a threshold key result states its `baseline`")
def threshold_without_baseline(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """Without a baseline nobody can tell whether holding the bound is a change or
    the status quo (a metric always has one; a threshold may leave it out).

    Pass:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: patched
            title: Keep every critical system patched
            key_results:
              - id: coverage
                title: Keep critical patch coverage at or above 98%
                kind: threshold
                direction: at_least
                unit: "%"
                baseline: 91
                target: 98
              - id: days
                title: Cut patch lag from 30 to 7 days
                unit: days
                baseline: 30
                target: 7

    Fail:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: patched
            title: Keep every critical system patched
            key_results:
              - id: coverage
                title: Keep critical patch coverage at or above 98%
                kind: threshold
                direction: at_least
                unit: "%"
                target: 98
              - id: days
                title: Cut patch lag from 30 to 7 days
                unit: days
                baseline: 30
                target: 7
    """
    for index, key_result in enumerate(entry.objective.key_results):
        if isinstance(key_result, Threshold) and key_result.baseline is None:
            yield Miss(
                ("key_results", index),
                f"key result `{key_result.id}` has no baseline",
                "add `baseline:`, the value at the start of the period",
            )
