"""The weekly ritual (SPEC §7): which key results and KPIs an owner's check-in walk
visits, and what each answer would make of their scores (`itokr.checkin_args.walk_requests`
turns the answers into check-ins).

Pure: the day is an argument, nothing here reads input or writes files. The walk
(`itokr checkin --owner TEAM`) visits the owner's key results of running periods
that are not done and are due: stale, or no check-in (a status update counts) in the
last 7 days, counted from the period start when there is none. A key result tracking
a KPI is not visited; its KPI is, when the owner owns it and it is stale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from itokr.crosscheck import Entry
from itokr.kpis import KpiEntry, KpiScore, score_kpi
from itokr.model.checkins import Checkin, StatusUpdate
from itokr.model.config import Config
from itokr.model.keyresults import AnyKeyResult, Binary, Metric, MilestoneKR, Threshold, tracking
from itokr.model.kpi import Kpi
from itokr.scoring import KeyResultScore, ObjectiveScore, score_key_result

WEEK = 7  # days: a check-in older than this is due in the walk


@dataclass(frozen=True, slots=True)
class Stop:
    """A key result or a KPI the walk asks about, as known on the day."""

    ref: str  # OBJECTIVE_ID/KR_ID, or a KPI's id: what `itokr checkin` takes
    title: str
    entry: Entry | None  # the objective of a key result; None for a KPI
    result: KeyResultScore | None  # a key result's score; None for a KPI
    kpi: KpiScore | None

    @property
    def kind(self) -> str:
        return "kpi" if self.kpi is not None else self.key_result.kind

    @property
    def key_result(self) -> AnyKeyResult:
        assert self.result is not None
        return self.result.key_result

    @property
    def last_checkin(self) -> dt.date | None:
        if self.kpi is not None:
            return self.kpi.last_checkin
        return self.result.last_checkin if self.result is not None else None

    @property
    def score(self) -> float:
        """A key result's score (a KPI has none: 0)."""
        return self.result.score if self.result is not None else 0.0

    @property
    def stale(self) -> bool:
        return self.kpi.stale if self.kpi is not None else bool(self.result and self.result.stale)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the person answered for one stop; every part optional (text as typed)."""

    value: str | None = None  # a metric's, threshold's or KPI's value
    milestones: tuple[int, ...] = ()  # indexes of milestones now done
    done: bool = False  # a binary key result now done
    confidence: str | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to record: every question skipped."""
        return self == Answer()


def _met(score: float) -> bool:
    return score >= 1.0 - 1e-9


def _owes(result: KeyResultScore, entry: Entry, as_of: dt.date) -> bool:
    """Not done, and stale or without a check-in these 7 days (of the period)."""
    if _met(result.score):
        return False
    assert entry.period is not None
    anchor = result.last_checkin or entry.period.start
    return result.stale or (as_of - anchor).days >= WEEK


def stops(
    scores: Sequence[ObjectiveScore], kpis: Sequence[KpiScore], owner: str, as_of: dt.date
) -> list[Stop]:
    """The owner's key results and KPIs that are due, in the order of the files."""
    found = []
    for objective in scores:
        entry = objective.entry
        if entry.owner != owner or entry.period is None or not entry.period.contains(as_of):
            continue
        for result in objective.key_results:
            kr = result.key_result
            if isinstance(kr, Metric | Threshold) and kr.kpi is not None:
                continue  # its values are its KPI's readings: the KPI is visited
            if _owes(result, entry, as_of):
                found.append(Stop(result.ref, kr.title, entry, result, None))
    found += [
        Stop(kpi.entry.id, kpi.entry.kpi.title, None, None, kpi)
        for kpi in kpis
        if kpi.entry.owner == owner and kpi.stale
    ]
    return found


def stop_for(ref: str, scores: Sequence[ObjectiveScore], kpis: Sequence[KpiScore]) -> Stop | None:
    """The stop of one key result or KPI, due or not (`itokr checkin REF` in a
    terminal); None for a ref that names neither, or a key result tracking a KPI."""
    for kpi in kpis:
        if kpi.entry.id == ref:
            return Stop(ref, kpi.entry.kpi.title, None, None, kpi)
    for objective in scores:
        for result in objective.key_results:
            kr = result.key_result
            if result.ref == ref and not (isinstance(kr, Metric | Threshold) and kr.kpi):
                return Stop(ref, kr.title, objective.entry, result, None)
    return None


def _number(text: str) -> float:
    return float(text)


def _with_checkin(kr: AnyKeyResult, answer: Answer, day: dt.date) -> AnyKeyResult:
    """`kr` as it would read with the answer recorded."""
    confidence = None if answer.confidence is None else float(answer.confidence)
    update: dict[str, object] = {}
    if isinstance(kr, Metric | Threshold) and answer.value is not None:
        new = Checkin(
            date=day, value=_number(answer.value), confidence=confidence, note=answer.note
        )
        update = {"checkins": sorted([*(kr.checkins or ()), new], key=lambda c: c.date)}
    elif isinstance(kr, MilestoneKR | Binary):
        if answer.confidence is not None or answer.note is not None:
            status = StatusUpdate(date=day, confidence=confidence, note=answer.note)
            update["checkins"] = sorted([*(kr.checkins or ()), status], key=lambda c: c.date)
        if isinstance(kr, MilestoneKR) and answer.milestones:
            update["milestones"] = [
                m.model_copy(update={"done": True}) if i in answer.milestones else m
                for i, m in enumerate(kr.milestones)
            ]
        if isinstance(kr, Binary) and answer.done:
            update["done"] = True
    return kr.model_copy(update=update) if update else kr


@dataclass(frozen=True, slots=True)
class Effect:
    """What an answer does: a key result's score, or a KPI's band and the key results
    that track it, before and after."""

    score: tuple[float, float] | None
    band: tuple[str | None, str | None] | None
    moved: tuple[tuple[str, float, float], ...] = ()


def effect(
    stop: Stop,
    answer: Answer,
    scores: Sequence[ObjectiveScore],
    config: Config,
    day: dt.date,
    as_of: dt.date,
) -> Effect:
    """The score (or band) before and after recording `answer` on `day`, at `as_of`."""
    if stop.kpi is None:
        assert stop.entry is not None and stop.result is not None
        after = score_key_result(
            stop.entry, _with_checkin(stop.key_result, answer, day), config, as_of
        )
        return Effect((stop.result.score, after.score), None)
    entry = stop.kpi.entry
    readings = [*(entry.kpi.checkins or ())]
    if answer.value is not None:
        confidence = None if answer.confidence is None else float(answer.confidence)
        new = Checkin(
            date=day, value=_number(answer.value), confidence=confidence, note=answer.note
        )
        readings = sorted([*readings, new], key=lambda c: c.date)
    kpi = entry.kpi.model_copy(update={"checkins": readings})
    moved = dataclasses.replace(entry, kpi=kpi)
    band = (stop.kpi.band, score_kpi(moved, config, as_of).band)
    return Effect(None, band, tuple(_tracking_moves(entry, kpi, scores, config, as_of)))


def _tracking_moves(
    entry: KpiEntry, kpi: Kpi, scores: Sequence[ObjectiveScore], config: Config, as_of: dt.date
) -> list[tuple[str, float, float]]:
    """The key results tracking the KPI: their scores with its new reading."""
    moves = []
    for objective in scores:
        for result in objective.key_results:
            kr = result.key_result
            if isinstance(kr, Metric | Threshold) and kr.kpi == entry.id:
                after = score_key_result(objective.entry, tracking(kr, kpi), config, as_of)
                moves.append((result.ref, result.score, after.score))
    return moves
