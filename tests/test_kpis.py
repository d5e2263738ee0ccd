"""KPIs (SPEC §6): bands, when a reading is due, staleness, and the as-of rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import CASES_DIR
from itokr.asof import key_result_known_on, kpi_known_on
from itokr.kpis import KpiEntry, add_months, band, is_stale, next_due, score_kpi
from itokr.loader import load_root
from itokr.model.checkins import Checkin
from itokr.model.config import Config
from itokr.model.keyresults import Metric
from itokr.model.kpi import Kpi

D = dt.date


def _kpi(good: float, bad: float, **more: object) -> Kpi:
    return Kpi.model_validate({"id": "k", "title": "A KPI", "good": good, "bad": bad} | more)


@pytest.mark.parametrize(
    ("good", "bad", "value", "expected"),
    [
        # lower is better (good < bad): MTTR in hours
        (4, 8, 3.9, "green"),
        (4, 8, 4, "green"),  # at good: green
        (4, 8, 4.01, "yellow"),
        (4, 8, 8, "yellow"),  # exactly bad: yellow
        (4, 8, 8.01, "red"),
        (4, 8, -1, "green"),
        # higher is better (good > bad): projects on time in %
        (85, 70, 90, "green"),
        (85, 70, 85, "green"),
        (85, 70, 84.9, "yellow"),
        (85, 70, 70, "yellow"),
        (85, 70, 69.9, "red"),
        (0.5, -0.5, -0.5, "yellow"),  # negative bounds behave the same
        (0.5, -0.5, -0.6, "red"),
    ],
)
def test_band(good: float, bad: float, value: float, expected: str) -> None:
    assert band(_kpi(good, bad), value) == expected


@pytest.mark.parametrize(
    ("last", "every", "due"),
    [
        (D(2026, 10, 31), "7d", D(2026, 11, 7)),
        (D(2026, 10, 31), "1d", D(2026, 11, 1)),
        (D(2026, 10, 31), "2w", D(2026, 11, 14)),
        (D(2026, 10, 31), "1m", D(2026, 11, 30)),  # calendar months: no 31 November
        (D(2026, 1, 31), "1m", D(2026, 2, 28)),
        (D(2028, 1, 31), "1m", D(2028, 2, 29)),  # a leap year
        (D(2026, 1, 15), "1m", D(2026, 2, 15)),
        (D(2026, 11, 16), "1q", D(2027, 2, 16)),
        (D(2026, 11, 30), "1q", D(2027, 2, 28)),
        (D(2026, 3, 31), "2q", D(2026, 9, 30)),
        (D(2026, 12, 15), "13m", D(2028, 1, 15)),
        (D(9999, 12, 1), "1m", None),  # beyond the calendar: never due, never a crash
        (D(9999, 12, 30), "7d", None),
    ],
)
def test_next_reading_due(last: dt.date, every: str, due: dt.date | None) -> None:
    assert next_due(last, every) == due


def test_add_months_crosses_years_both_ways() -> None:
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2026, 5, 31), 0) == D(2026, 5, 31)


def _readings(*days: dt.date) -> list[Checkin]:
    return [Checkin(date=day, value=1) for day in days]


@pytest.mark.parametrize(
    ("readings", "every", "day", "stale"),
    [
        ((), "1m", D(2026, 11, 21), True),  # no reading: stale
        ((D(2026, 10, 31),), "1m", D(2026, 11, 30), False),  # on the due date: not yet
        ((D(2026, 10, 31),), "1m", D(2026, 12, 1), True),  # after it: stale
        ((D(2026, 9, 30), D(2026, 11, 14)), "1w", D(2026, 11, 21), False),
        ((D(2026, 9, 30), D(2026, 11, 14)), "1w", D(2026, 11, 22), True),
        ((D(9999, 12, 1),), "1m", D(9999, 12, 31), False),
    ],
)
def test_stale(readings: tuple[dt.date, ...], every: str, day: dt.date, stale: bool) -> None:
    assert is_stale(_readings(*readings), every, day) is stale


def _entry(kpi: Kpi) -> KpiEntry:
    return KpiEntry(kpi, "kpis.yaml", 0, "ops", None)


def test_a_reading_after_the_day_does_not_count() -> None:
    kpi = _kpi(
        4,
        8,
        every="1m",
        checkins=[
            {"date": "2026-09-30", "value": 9},
            {"date": "2026-10-31", "value": 6},
            {"date": "2026-11-30", "value": 3},
        ],
    )
    before = score_kpi(_entry(kpi), Config(), D(2026, 11, 29))
    assert (before.value, before.band, before.last_checkin) == (6, "yellow", D(2026, 10, 31))
    assert before.stale is False
    assert [r.value for r in before.readings] == [9, 6]
    after = score_kpi(_entry(kpi), Config(), D(2026, 12, 1))
    assert (after.value, after.band, after.next_due) == (3, "green", D(2026, 12, 30))


def test_stale_once_past_the_readings_rhythm() -> None:
    kpi = _kpi(4, 8, every="1m", checkins=[{"date": "2026-09-30", "value": 6}])
    assert score_kpi(_entry(kpi), Config(), D(2026, 10, 30)).stale is False
    assert score_kpi(_entry(kpi), Config(), D(2026, 10, 31)).stale is True


def test_without_every_the_configured_rhythm_applies() -> None:
    kpi = _kpi(4, 8, checkins=[{"date": "2026-10-01", "value": 6}])
    config = Config.model_validate({"checkins": {"stale_after_days": 10}})
    assert score_kpi(_entry(kpi), config, D(2026, 10, 11)).stale is False
    scored = score_kpi(_entry(kpi), config, D(2026, 10, 12))
    assert (scored.every, scored.stale) == ("10d", True)


def test_no_reading_yet_has_no_value_no_band_and_is_stale() -> None:
    kpi = _kpi(4, 8, checkins=[{"date": "2026-12-01", "value": 6}])
    scored = score_kpi(_entry(kpi), Config(), D(2026, 11, 30))
    assert (scored.value, scored.band, scored.stale, scored.next_due) == (None, None, True, None)


def test_file_defaults_apply_to_kpis() -> None:
    tree = load_root(CASES_DIR / "valid" / "kpis", CASES_DIR)
    by_id = {entry.id: entry for entry in tree.kpis}
    assert set(by_id) == {"mttr", "csat", "spend", "backlog"}
    assert (by_id["mttr"].owner, by_id["mttr"].area) == ("ops-team", "operations")
    assert by_id["backlog"].path.endswith("2026-Q4/ops.yaml")


def test_a_tracking_key_result_takes_the_kpis_readings_and_unit() -> None:
    tree = load_root(CASES_DIR / "valid" / "kpis", CASES_DIR)
    (entry,) = tree.entries
    down, bound = entry.objective.key_results
    kpi = next(e.kpi for e in tree.kpis if e.id == "mttr")
    assert down.checkins == kpi.checkins
    assert bound.unit == "h"  # type: ignore[union-attr]  # taken from the KPI
    assert down.tracked == kpi  # type: ignore[union-attr]


def test_an_invalid_kpi_is_no_unknown_kpi(tmp_path: Path) -> None:
    """A key result tracking a KPI that exists but is broken: the KPI's own finding,
    not an E306 as well, and the key result has no data until it is fixed."""
    (tmp_path / "f.yaml").write_text(
        "period: 2026-Q4\n"
        "kpis:\n  - {id: mttr, title: MTTR, good: 4, bad: 4}\n"
        "objectives:\n  - id: o\n    title: Repair faster\n    key_results:\n"
        "      - {id: k, title: Cut MTTR, baseline: 9, target: 5, kpi: mttr}\n"
    )
    tree = load_root(tmp_path, tmp_path)
    assert [f.code for f in tree.findings] == ["E206"]
    assert tree.entries[0].objective.key_results[0].value is None  # type: ignore[union-attr]


def test_one_cut_for_a_kpi_and_the_key_results_that_track_it() -> None:
    """`asof` is the one view of a day: a KPI and a key result tracking it lose the
    same later readings, and the KPI a tracking key result carries loses them too."""
    tree = load_root(CASES_DIR / "valid" / "kpis", CASES_DIR)
    mttr = next(e for e in tree.kpis if e.id == "mttr")
    down = tree.entries[0].objective.key_results[0]
    day = D(2026, 10, 30)  # after the first reading, before the second
    kpi = kpi_known_on(mttr, day).kpi
    cut = key_result_known_on(down, day)
    assert isinstance(cut, Metric) and cut.tracked is not None
    assert [c.date for c in kpi.checkins or ()] == [D(2026, 9, 30)]
    assert cut.checkins == kpi.checkins == cut.tracked.checkins
    assert (cut.tracked.every, cut.tracked.good) == ("1m", 4)  # the rest as written
    assert kpi_known_on(mttr, D(2026, 10, 31)) is mttr  # nothing later: no copy
    assert key_result_known_on(down, D(2026, 10, 31)) is down
