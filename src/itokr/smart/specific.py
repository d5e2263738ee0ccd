"""S: Specific — someone owns the objective, and it says plainly what it is about."""

from __future__ import annotations

from collections.abc import Iterator

from itokr.crosscheck import Entry
from itokr.smart.base import Context, Miss, rule, words

# First words of a title that name work to do (an output), not a result (an outcome).
OUTPUT_VERBS = frozenset((
    "implement", "deploy", "install", "build", "develop", "launch", "migrate", "introduce",
    "create", "configure", "upgrade", "purchase", "buy", "acquire", "write", "publish",
    "release", "hold", "conduct", "complete", "finish",
))  # fmt: skip
OUTPUT_PHRASES = ("set up", "roll out")


@rule("S101", "error", "the objective has an owner, its own or its file's")
def no_owner(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """An objective nobody answers for is nobody's priority.

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

        area: infrastructure
        period: 2026-Q4
        objectives:
          - id: fast-api
            title: Make the public API feel instant
            key_results:
              - {id: p95, title: Cut p95 from 250 to 200 ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    if entry.owner is None:
        yield Miss((), "no owner", "add `owner:` to the objective or to its file")


@rule("S102", "error", "the objective's title has at least `min_title_words` (3) words")
def short_title(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A title of one or two words ("Security") names a topic, not a goal.

    Pass:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: phishing
            title: Make phishing a non-event for staff
            key_results:
              - id: clicks
                title: Cut phishing clicks from 8% to 2%
                unit: "%"
                baseline: 8
                target: 2
              - id: reports
                title: Grow reports from 30% to 70%
                unit: "%"
                baseline: 30
                target: 70

    Fail:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: phishing
            title: Phishing
            key_results:
              - id: clicks
                title: Cut phishing clicks from 8% to 2%
                unit: "%"
                baseline: 8
                target: 2
              - id: reports
                title: Grow reports from 30% to 70%
                unit: "%"
                baseline: 30
                target: 70
    """
    least = ctx.config.min_title_words
    if words(entry.objective.title) < least:
        yield Miss(
            ("title",),
            f"title {entry.objective.title!r} has fewer than {least} words",
            "say what should be true at the end of the period, in a short sentence",
        )


@rule("S103", "error", "every key result's title has at least `min_title_words` (3) words")
def short_key_result_title(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A key result called "Uptime" does not say what counts as success.

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
              - {id: p95, title: p95 200ms, unit: ms, baseline: 250, target: 200}
              - {id: mttr, title: Cut MTTR from 9 h to 5 h, unit: h, baseline: 9, target: 5}
    """
    least = ctx.config.min_title_words
    for index, key_result in enumerate(entry.objective.key_results):
        if words(key_result.title) < least:
            yield Miss(
                ("key_results", index, "title"),
                f"key result `{key_result.id}`: title {key_result.title!r} has fewer than "
                f"{least} words",
                "write the change it measures, e.g. 'Cut p95 latency from 250 ms to 200 ms'",
            )


@rule("S110", "warning", "the objective's title names an outcome, not an output ('Implement X')")
def output_title(entry: Entry, ctx: Context) -> Iterator[Miss]:
    """A title like "Implement a SIEM" names a task; the objective is what the SIEM makes better.

    Pass:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: see-attacks
            title: Spot attacks on our network within minutes
            key_results:
              - id: detect
                title: Cut detection time from 40 h to 8 h
                unit: h
                baseline: 40
                target: 8
              - id: cover
                title: Log 90% of servers centrally
                unit: "%"
                baseline: 20
                target: 90

    Fail:

        owner: security-team
        area: security
        period: 2026-Q4
        objectives:
          - id: see-attacks
            title: Implement a SIEM for the network
            key_results:
              - id: detect
                title: Cut detection time from 40 h to 8 h
                unit: h
                baseline: 40
                target: 8
              - id: cover
                title: Log 90% of servers centrally
                unit: "%"
                baseline: 20
                target: 90
    """
    title = entry.objective.title.strip()
    lowered = " ".join(title.lower().split())
    first = lowered.split(" ", 1)[0].strip(",.:;")
    phrase = next((p for p in OUTPUT_PHRASES if lowered.startswith(p + " ")), None)
    if first in OUTPUT_VERBS or phrase:
        verb = title.split()[0] if phrase is None else title[: len(phrase)]
        yield Miss(
            ("title",),
            f"title starts with {verb!r}: it names work to do (an output), not the result",
            "say what is better once the work is done (faster, safer, cheaper, for whom); "
            "the work itself belongs in the key results or the backlog",
        )
