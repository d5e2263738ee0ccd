"""The check-in walk (`itokr checkin --owner TEAM`, or `itokr checkin REF` in a
terminal): each key result or KPI shown with its last value and target, its questions
asked with rich's prompts (a wrong answer is explained and asked again), and what the
answer does to its score shown before the next one.

It reads the terminal and prints to it: render/ is where itokr talks to people. The
answers go back to the caller, which records them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.prompt import Confirm, InvalidResponse, PromptBase
from rich.text import Text

from itokr import answers
from itokr.inert import terminal
from itokr.model.keyresults import Binary, Metric, MilestoneKR, Threshold
from itokr.render.due import reading_text
from itokr.render.plain import now_text, number, two
from itokr.ritual import Answer, Effect, Stop

if TYPE_CHECKING:
    from rich.console import Console

_INDENT = "      "


class _Field(PromptBase[str | None]):
    """A line of text checked by `check`; Enter alone answers None (skip)."""

    def __init__(self, prompt: str, console: Console, check: Callable[[str], str]) -> None:
        super().__init__(Text(prompt), console=console)
        self._check = check

    def process_response(self, value: str) -> str | None:
        typed = value.strip()
        if not typed:
            return None
        try:
            return self._check(typed)
        except answers.Invalid as error:
            raise InvalidResponse(f"[prompt.invalid]{escape(str(error))}") from None


class _YesNo(Confirm):
    """Confirm, taking `yes` and `no` as well as `y` and `n`."""

    validate_error_message = "[prompt.invalid]Please enter y or n"

    def process_response(self, value: str) -> bool:
        word = value.strip().lower()
        return super().process_response(word[:1] if word in ("yes", "no") else word)


def _milestones(kr: MilestoneKR) -> Callable[[str], str]:
    """Milestones not done yet, by number (1-based; several separated by commas or
    blanks) or by title: their numbers."""
    open_ = {index + 1 for index, m in enumerate(kr.milestones) if not m.done}
    titles = {m.title.casefold(): index + 1 for index, m in enumerate(kr.milestones)}

    def check(text: str) -> str:
        if (by_title := titles.get(text.casefold())) in open_:
            return str(by_title)
        words = text.replace(",", " ").split()
        if not all(word.isdigit() and int(word) in open_ for word in words):
            numbers = ", ".join(str(n) for n in sorted(open_))
            raise answers.Invalid(
                f"{text!r}: give the numbers of milestones not yet done: {numbers}"
            )
        return " ".join(words)

    return check


def _heading(console: Console, stop: Stop, place: str) -> None:
    title = Text(f"{place} ")
    title.append("KPI " if stop.kpi is not None else "")
    title.append(stop.ref, style="bold")
    title.append(f"  {terminal(' '.join(stop.title.split()))}")
    console.print(title)
    facts = ["KPI" if stop.kpi is not None else stop.kind]
    kr = stop.key_result if stop.kpi is None else None
    if isinstance(kr, MilestoneKR):
        done = sum(1 for milestone in kr.milestones if milestone.done)
        facts += [f"{done} of {len(kr.milestones)} milestones done", f"score {two(stop.score)}"]
    elif stop.kpi is not None:
        kpi = stop.kpi.entry.kpi
        now = reading_text(stop.kpi.value, kpi.good, kpi.unit)
        facts += [f"now {now}", f"band {stop.kpi.band or 'none'}"]
    else:
        facts += [f"now {now_text(stop.key_result)}", f"score {two(stop.score)}"]
    facts.append(f"last {stop.last_checkin}" if stop.last_checkin else "no check-in yet")
    if stop.stale:
        facts.append("stale")
    console.print(Text(_INDENT + " · ".join(facts), style="dim"))
    if isinstance(kr, MilestoneKR):
        for index, milestone in enumerate(kr.milestones, 1):
            mark = "[x]" if milestone.done else "[ ]"
            weight = f" (weight {number(milestone.weight)})" if milestone.weight != 1 else ""
            name = terminal(milestone.title)
            console.print(Text(f"{_INDENT}{index} {mark} {name}{weight}"))


def _ask(console: Console, stop: Stop) -> Answer:
    """The questions of one stop; an empty answer when every one was skipped."""
    kr = stop.key_result if stop.kpi is None else None
    value: str | None = None
    milestones: tuple[int, ...] = ()
    done = False
    if kr is None or isinstance(kr, Metric | Threshold):
        value = _Field("  value (Enter skips)", console, lambda t: answers.number(t, "value"))()
        if value is None:
            return Answer()
    elif isinstance(kr, MilestoneKR):
        picked = _Field(
            "  milestones done now, by number (Enter: no change)", console, _milestones(kr)
        )()
        milestones = tuple(int(n) - 1 for n in (picked or "").split())
    elif isinstance(kr, Binary):
        done = _YesNo.ask("  done now?", console=console, default=False)
    confidence = _Field(
        "  confidence 0-1 (Enter: none)", console, lambda t: answers.confidence(t, "confidence")
    )()
    note = _Field("  note (Enter: none)", console, lambda t: answers.note(t, "note"))()
    return Answer(value, milestones, done, confidence, note)


def _effect_text(effect: Effect) -> Text:
    if effect.score is not None:
        before, after = effect.score
        return Text(f"  score {two(before)} → {two(after)}", style="bold")
    assert effect.band is not None
    before_band, after_band = (band or "no data" for band in effect.band)
    text = Text(f"  band {before_band} → {after_band}", style="bold")
    for ref, before, after in effect.moved:
        text.append(f"; {ref} {two(before)} → {two(after)}", style="")
    return text


def walk(
    console: Console,
    stops: Sequence[Stop],
    effect_of: Callable[[Stop, Answer], Effect],
    *,
    heading: str,
) -> list[tuple[Stop, Answer]]:
    """Ask about each stop in turn; the answers with something to record."""
    console.print(Text(terminal(heading), style="bold"))
    console.print(
        Text("Enter skips a question; Ctrl-C stops, and nothing is written.", style="dim")
    )
    given = []
    for place, stop in enumerate(stops, 1):
        console.print()
        _heading(console, stop, f"[{place}/{len(stops)}]")
        answer = _ask(console, stop)
        if answer.empty:
            console.print(Text("  nothing to record", style="dim"))
            continue
        console.print(_effect_text(effect_of(stop, answer)))
        given.append((stop, answer))
    console.print()
    return given


def confirm(console: Console, count: int) -> bool:
    """Ask before writing the check-ins of `count` key results and KPIs: Enter says yes."""
    what = "1 key result or KPI" if count == 1 else f"{count} key results and KPIs"
    return _YesNo.ask(f"Write the check-ins of {what}?", console=console, default=True)
