"""A: Attainable — targets that move, but not beyond belief, and a team that believes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from itokr.crosscheck import Entry
from itokr.model.checkins import AnyCheckin
from itokr.model.keyresults import Metric, Threshold
from itokr.smart.base import Context, Loc, Miss, number, rule


def _newest_stated(checkins: Sequence[AnyCheckin] | None) -> tuple[int, AnyCheckin] | None:
    """The newest check-in (or status update) that states a confidence, with its index."""
    for index in range(len(checkins or ()) - 1, -1, -1):
        if checkins and checkins[index].confidence is not None:
            return index, checkins[index]
    return None


@rule("A301", "error", "no metric's target equals its baseline")
def target_is_baseline(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A metric whose target is its baseline asks for no change; if the point is to
    hold a level, say so with a threshold.

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
              - {id: p95, title: Hold p95 at 250 ms, unit: ms, baseline: 250, target: 250}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    for index, key_result in enumerate(entry.objective.key_results):
        if isinstance(key_result, Metric) and key_result.target == key_result.baseline:
            yield Miss(
                ("key_results", index, "target"),
                f"key result `{key_result.id}`: target equals baseline "
                f"({number(key_result.target)}), so there is nothing to move",
                "set the level you aim for, or hold a level with `kind: threshold` and "
                "`direction:`",
            )


@rule(
    "A302",
    "error",
    "no target beyond `max_change` (10) times its positive baseline, or below "
    "baseline / `max_change` (a target of 0 excepted)",
)
def beyond_belief(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A target many times the baseline is a wish; nobody works towards it.

    Pass:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: self-service
            title: Let staff fix common problems themselves
            key_results:
              - id: resets
                title: Grow self-service resets from 40 to 300
                unit: resets
                baseline: 40
                target: 300
              - id: tickets
                title: Cut reset tickets from 420 to 150
                unit: tickets
                baseline: 420
                target: 150

    Fail:

        owner: service-desk
        area: support
        period: 2026-Q4
        objectives:
          - id: self-service
            title: Let staff fix common problems themselves
            key_results:
              - id: resets
                title: Grow self-service resets from 40 to 1000
                unit: resets
                baseline: 40
                target: 1000
              - id: tickets
                title: Cut reset tickets from 420 to 150
                unit: tickets
                baseline: 420
                target: 150
    """
    factor = ctx.config.max_change
    for index, key_result in enumerate(entry.objective.key_results):
        if not isinstance(key_result, Metric | Threshold) or key_result.baseline is None:
            continue
        baseline, target = key_result.baseline, key_result.target
        if baseline <= 0 or target == 0:
            continue
        if target > factor * baseline or target < baseline / factor:
            ratio = max(target / baseline, baseline / target)
            yield Miss(
                ("key_results", index, "target"),
                f"key result `{key_result.id}`: {number(baseline)} to {number(target)} is a "
                f"{ratio:.3g}x change, beyond the {number(factor)}x of `smart.max_change`",
                f"aim within {number(factor)}x of the baseline this period; a bigger leap is "
                "several periods' work",
            )


def _percent_outside(key_result: Metric | Threshold, loc: Loc) -> Iterator[Miss]:
    for field in ("baseline", "target"):
        value = getattr(key_result, field)
        if value is not None and not 0 <= value <= 100:
            yield Miss(
                (*loc, field),
                f"key result `{key_result.id}`: {field} {number(value)}% is outside 0-100%",
                "a share is between 0% and 100%; for growth beyond the whole, use a count "
                "or a ratio as the unit",
            )


@rule("A303", "error", "no `%` baseline or target outside 0-100")
def impossible_percent(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A share above 100% or below 0% cannot be reached.

    Pass:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: always-on
            title: Keep the shop open around the clock
            key_results:
              - id: uptime
                title: Raise uptime from 99.5% to 99.9%
                unit: "%"
                baseline: 99.5
                target: 99.9
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}

    Fail:

        owner: platform-team
        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: always-on
            title: Keep the shop open around the clock
            key_results:
              - id: uptime
                title: Raise uptime from 99.5% to 110%
                unit: "%"
                baseline: 99.5
                target: 110
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    for index, key_result in enumerate(entry.objective.key_results):
        if isinstance(key_result, Metric | Threshold) and (key_result.unit or "").strip() == "%":
            yield from _percent_outside(key_result, ("key_results", index))


def _low_confidence(entry: Entry, bound: float, why: str, fix: str) -> Iterator[Miss]:
    for index, key_result in enumerate(entry.objective.key_results):
        stated = _newest_stated(key_result.checkins)
        if stated is None:
            continue
        at, checkin = stated
        if checkin.confidence is not None and checkin.confidence < bound:
            yield Miss(
                ("key_results", index, "checkins", at, "confidence"),
                f"key result `{key_result.id}`: newest confidence {number(checkin.confidence)} "
                f"(on {checkin.date}) is below {number(bound)}{why}",
                fix,
            )


@rule(
    "A304",
    "error",
    "the newest stated confidence is at least `min_confidence` (0.3)",
)
def not_believed(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """When the team itself no longer believes in a target, the objective needs a new
    plan or a new target, not more weeks of red.

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
                  - {date: 2026-11-02, value: 240, confidence: 0.6}
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
                  - {date: 2026-11-02, value: 249, confidence: 0.2}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    # The objective's confidence is its newest stated one (SPEC §3), as `status` shows it:
    # an old doubt on one key result, overtaken by a newer check-in, no longer counts.
    newest: tuple[int, str, int, AnyCheckin] | None = None
    for index, key_result in enumerate(entry.objective.key_results):
        stated = _newest_stated(key_result.checkins)
        if stated is not None and (newest is None or stated[1].date >= newest[3].date):
            newest = (index, key_result.id, *stated)
    if newest is None:
        return
    index, kr_id, at, checkin = newest
    bound = ctx.config.min_confidence
    if checkin.confidence is not None and checkin.confidence < bound:
        yield Miss(
            ("key_results", index, "checkins", at, "confidence"),
            f"newest confidence {number(checkin.confidence)} (key result `{kr_id}`, "
            f"on {checkin.date}) is below {number(bound)}",
            "agree a new plan or a target the team believes in, and record why in `reason:`",
        )


@rule(
    "A310",
    "warning",
    "a committed objective's newest confidences are at least `committed_confidence` (0.7)",
)
def committed_in_doubt(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A committed objective must reach 1.0; doubt about it should be raised early.

    Pass:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: patched
            title: Keep every critical system patched
            type: committed
            key_results:
              - id: lag
                title: Cut patch lag from 30 to 7 days
                unit: days
                baseline: 30
                target: 7
                checkins:
                  - {date: 2026-11-02, value: 12, confidence: 0.8}
              - id: eol
                title: Cut unsupported hosts from 12 to 0
                unit: hosts
                baseline: 12
                target: 0

    Fail:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: patched
            title: Keep every critical system patched
            type: committed
            key_results:
              - id: lag
                title: Cut patch lag from 30 to 7 days
                unit: days
                baseline: 30
                target: 7
                checkins:
                  - {date: 2026-11-02, value: 25, confidence: 0.5}
              - id: eol
                title: Cut unsupported hosts from 12 to 0
                unit: hosts
                baseline: 12
                target: 0
    """
    if entry.objective.type == "committed":
        yield from _low_confidence(
            entry,
            ctx.config.committed_confidence,
            " for a committed objective",
            "say now what would restore confidence (people, scope, date), or agree to make "
            "the objective aspirational",
        )


@rule(
    "A311",
    "warning",
    "an owner has at most `max_objectives_per_owner` (5) objectives in one period",
)
def overloaded_owner(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """An owner with many objectives in one period has no priorities; reported at each
    objective past the limit, in path order.

    Config:

        smart: {max_objectives_per_owner: 1}

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
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
          - id: cheap-cloud
            title: Run the cloud for less money
            key_results:
              - id: spend
                title: Cut spend from 210 to 180 kUSD
                unit: kUSD
                baseline: 210
                target: 180
              - {id: idle, title: Cut idle VMs from 120 to 20, unit: VMs, baseline: 120, target: 20}
    """
    place, total = ctx.owner_load.get(entry.id, (0, 0))
    limit = ctx.config.max_objectives_per_owner
    if place >= limit and entry.period is not None:
        yield Miss(
            (),
            f"owner {entry.owner!r} has {total} objectives in {entry.period.label}, more than "
            f"the {limit} of `smart.max_objectives_per_owner`",
            "pick the objectives that matter most this period; drop or hand over the rest",
        )
