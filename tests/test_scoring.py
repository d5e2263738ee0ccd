"""The scoring rules of SPEC §2, each against numbers computed by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itokr.crosscheck import Entry
from itokr.model.config import Config
from itokr.model.objectives import Objective
from itokr.periods import Period
from itokr.scoring import (
    alignment_tree,
    forecast,
    health,
    progress_of,
    score_all,
    score_objective,
)

Q4 = Period("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))  # 91 days from start to end
MID_Q4 = dt.date(2026, 11, 15)  # expected 45 / 91 = 0.4945
CONFIG = Config()


def objective(*key_results: dict[str, Any], **fields: Any) -> Objective:
    data = {"id": fields.pop("id", "obj"), "title": "An objective", "key_results": key_results}
    return Objective.model_validate(data | fields)


def entry(obj: Objective, period: Period | None = Q4) -> Entry:
    return Entry(obj, "okrs/x.yaml", 0, "team", "area", period)


def kr(**fields: Any) -> dict[str, Any]:
    return {"id": fields.pop("id", "kr"), "title": "A key result"} | fields


def only_kr(data: dict[str, Any]) -> Any:
    return objective(data).key_results[0]


@pytest.mark.parametrize(
    ("data", "progress"),
    [
        pytest.param(kr(baseline=10, target=20, current=15), 0.5, id="metric up halfway"),
        pytest.param(kr(baseline=250, target=200, current=235), 0.3, id="metric down"),
        pytest.param(kr(baseline=50, target=30, current=29), 1.05, id="over-achieved kept raw"),
        pytest.param(kr(baseline=10, target=20, current=8), -0.2, id="moved away"),
        pytest.param(kr(baseline=10, target=20), None, id="metric without value: no data"),
        pytest.param(
            kr(
                baseline=10,
                target=20,
                checkins=[{"date": "2026-10-05", "value": 12}, {"date": "2026-10-20", "value": 18}],
            ),
            0.8,
            id="newest check-in is current",
        ),
        pytest.param(
            kr(kind="threshold", direction="at_least", target=98, current=98),
            1.0,
            id="at_least bound inclusive",
        ),
        pytest.param(
            kr(kind="threshold", direction="at_least", target=98, current=97.9),
            0.0,
            id="at_least missed",
        ),
        pytest.param(
            kr(kind="threshold", direction="at_most", target=5, current=5),
            1.0,
            id="at_most bound inclusive",
        ),
        pytest.param(
            kr(kind="threshold", direction="at_most", target=5, current=6), 0.0, id="at_most missed"
        ),
        pytest.param(
            kr(kind="threshold", direction="at_most", target=5),
            None,
            id="threshold without value: no data",
        ),
        pytest.param(
            kr(
                milestones=[
                    {"title": "a", "done": True},
                    {"title": "b", "done": False, "weight": 3},
                ]
            ),
            0.25,
            id="milestones weighted",
        ),
        pytest.param(kr(done=True), 1.0, id="binary done"),
        pytest.param(kr(done=False), 0.0, id="binary not done"),
    ],
)
def test_progress_of_each_kind(data: dict[str, Any], progress: float | None) -> None:
    assert progress_of(only_kr(data)) == pytest.approx(progress)


def test_progress_never_overflows_into_infinity() -> None:
    data = kr(baseline=0, target=1e-300, current=1e300)
    assert progress_of(only_kr(data)) == 1e9


@pytest.mark.parametrize(
    ("current", "score"),
    [(29, 1.0), (60, 0.0), (None, 0.0), (40, 0.5)],
    ids=["clamped to 1", "clamped to 0", "no data scores 0", "inside"],
)
def test_score_is_progress_clamped(current: float | None, score: float) -> None:
    data = kr(baseline=50, target=30) | ({"current": current} if current is not None else {})
    result = score_objective(entry(objective(data)), CONFIG, MID_Q4).key_results[0]
    assert result.score == pytest.approx(score)
    assert result.has_data is (current is not None)


def test_objective_score_is_weight_averaged() -> None:
    scored = score_objective(
        entry(
            objective(
                kr(id="a", baseline=0, target=10, current=5, weight=2),  # 0.5 x 2
                kr(id="b", done=True),  # 1 x 1
                kr(id="c", done=False, weight=1),  # 0 x 1
            )
        ),
        CONFIG,
        MID_Q4,
    )
    assert scored.score == pytest.approx((0.5 * 2 + 1 + 0) / 4)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 9, 1), 0.0),
        (dt.date(2026, 10, 1), 0.0),
        (dt.date(2026, 11, 15), 45 / 91),
        (dt.date(2026, 12, 31), 1.0),
        (dt.date(2027, 2, 1), 1.0),
    ],
)
def test_expected_progress_is_share_of_period_elapsed(day: dt.date, expected: float) -> None:
    scored = score_objective(entry(objective(kr(done=False))), CONFIG, day)
    assert scored.expected == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "day", "committed", "result"),
    [
        # the period has ended: final grade by the bands
        (0.7, dt.date(2027, 1, 5), False, "green"),
        (0.69, dt.date(2027, 1, 5), False, "yellow"),
        (0.4, dt.date(2027, 1, 5), False, "yellow"),
        (0.39, dt.date(2027, 1, 5), False, "red"),
        # committed: green only at 1.0, yellow from the green band
        (1.0, dt.date(2027, 1, 5), True, "green"),
        (0.98, dt.date(2027, 1, 5), True, "yellow"),
        (0.7, dt.date(2027, 1, 5), True, "yellow"),
        (0.69, dt.date(2027, 1, 5), True, "red"),
        # before the period
        (0.5, dt.date(2026, 9, 30), False, "not-started"),
        # while it runs: done, then against expected (0.4945 on 15 November)
        (1.0, MID_Q4, False, "done"),
        (0.3946, MID_Q4, False, "on-track"),  # >= 0.4945 - 0.1
        (0.3944, MID_Q4, False, "at-risk"),
        (0.1946, MID_Q4, False, "at-risk"),  # >= 0.4945 - 0.3
        (0.1944, MID_Q4, True, "off-track"),  # committed or not, same while running
    ],
)
def test_health_first_rule_that_applies(
    score: float, day: dt.date, committed: bool, result: str
) -> None:
    assert health(score, Q4, day, CONFIG, committed=committed) == result


def test_health_compares_as_by_hand_not_in_floating_point() -> None:
    # 80 of 100 days elapsed: expected 0.8, and 0.8 - 0.1 is 0.7000000000000001 in floats
    period = Period(None, dt.date(2026, 1, 1), dt.date(2026, 4, 11))
    assert health(0.7, period, dt.date(2026, 3, 22), CONFIG, committed=False) == "on-track"


def test_health_bands_are_configurable() -> None:
    config = Config.model_validate(
        {"grading": {"green": 0.9, "yellow": 0.5}, "health": {"at_risk": 0.05, "off_track": 0.2}}
    )
    after = dt.date(2027, 1, 5)
    assert health(0.85, Q4, after, config, committed=False) == "yellow"
    assert health(0.49, Q4, after, config, committed=False) == "red"
    assert health(0.45, Q4, MID_Q4, config, committed=False) == "on-track"  # >= 0.4445
    assert health(0.44, Q4, MID_Q4, config, committed=False) == "at-risk"
    assert health(0.30, Q4, MID_Q4, config, committed=False) == "at-risk"  # >= 0.2945


def test_no_period_means_no_expected_progress_and_no_health() -> None:
    scored = score_objective(entry(objective(kr(done=True)), period=None), CONFIG, MID_Q4)
    assert (scored.expected, scored.health, scored.key_results[0].health) == (None, None, None)


def test_confidence_is_the_newest_stated() -> None:
    data = kr(
        baseline=0,
        target=10,
        checkins=[
            {"date": "2026-10-05", "value": 1, "confidence": 0.4},
            {"date": "2026-10-19", "value": 2, "confidence": 0.7},
            {"date": "2026-11-02", "value": 3},
        ],
    )
    other = kr(
        id="b",
        baseline=0,
        target=10,
        checkins=[
            {"date": "2026-10-26", "value": 1, "confidence": 0.2},
        ],
    )
    scored = score_objective(entry(objective(data, other)), CONFIG, MID_Q4)
    assert scored.key_results[0].confidence == 0.7
    assert scored.key_results[0].last_checkin == dt.date(2026, 11, 2)
    assert scored.confidence == 0.2  # the newest stated across the objective: 26 Oct
    assert scored.last_checkin == dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("data", "day", "stale"),
    [
        (
            kr(baseline=0, target=10, checkins=[{"date": "2026-11-01", "value": 2}]),
            dt.date(2026, 11, 15),
            False,
        ),  # exactly 14 days: not more than 14
        (
            kr(baseline=0, target=10, checkins=[{"date": "2026-11-01", "value": 2}]),
            dt.date(2026, 11, 16),
            True,
        ),
        (kr(baseline=0, target=10, current=2), dt.date(2026, 10, 15), False),
        (kr(baseline=0, target=10, current=2), dt.date(2026, 10, 16), True),  # from the start
        (
            kr(baseline=0, target=10, checkins=[{"date": "2026-10-01", "value": 10}]),
            dt.date(2026, 12, 1),
            False,
        ),  # score 1
        (
            kr(kind="threshold", direction="at_most", target=5, current=9),
            dt.date(2026, 12, 1),
            True,
        ),
        (kr(milestones=[{"title": "a", "done": False}]), dt.date(2026, 12, 1), False),
        (kr(done=False), dt.date(2026, 12, 1), False),
        (kr(baseline=0, target=10, current=2), dt.date(2027, 1, 20), False),  # period over
        (kr(baseline=0, target=10, current=2), dt.date(2026, 9, 1), False),  # not started
    ],
    ids=[
        "14 days",
        "15 days",
        "current, 14 days in",
        "current, 15 days in",
        "score 1",
        "threshold",
        "milestone never",
        "binary never",
        "after period",
        "before period",
    ],
)
def test_stale(data: dict[str, Any], day: dt.date, stale: bool) -> None:
    assert score_objective(entry(objective(data)), CONFIG, day).key_results[0].stale is stale


def test_forecast_is_a_least_squares_line_through_baseline_and_checkins() -> None:
    # 100-day period; points (0, 0), (10, 10), (20, 30): slope 1.5, through (10, 13.33);
    # at day 100: 13.33 + 1.5 x 90 = 148.33 of a target of 200 -> 0.7417
    period = Period(None, dt.date(2026, 1, 1), dt.date(2026, 4, 11))
    data = kr(
        baseline=0,
        target=200,
        checkins=[
            {"date": "2026-01-11", "value": 10},
            {"date": "2026-01-21", "value": 30},
        ],
    )
    assert forecast(only_kr(data), period) == pytest.approx(148.3333 / 200, abs=1e-4)


@pytest.mark.parametrize(
    ("data", "period", "result"),
    [
        (kr(baseline=0, target=10, current=5), Q4, None),  # one dated value: the baseline
        (kr(baseline=0, target=10, checkins=[{"date": "2026-10-01", "value": 5}]), Q4, None),
        (kr(baseline=0, target=10, checkins=[{"date": "2026-10-11", "value": 5}]), None, None),
        (
            kr(
                kind="threshold",
                direction="at_least",
                target=5,
                checkins=[{"date": "2026-10-11", "value": 5}, {"date": "2026-10-21", "value": 6}],
            ),
            Q4,
            None,
        ),
        # a steep line is clamped to 1; a falling one to 0
        (kr(baseline=0, target=10, checkins=[{"date": "2026-10-11", "value": 5}]), Q4, 1.0),
        (kr(baseline=0, target=10, checkins=[{"date": "2026-10-11", "value": -5}]), Q4, 0.0),
    ],
    ids=["only baseline", "one date", "no period", "threshold", "clamped to 1", "clamped to 0"],
)
def test_forecast_edges(data: dict[str, Any], period: Period | None, result: float | None) -> None:
    assert forecast(only_kr(data), period) == result


def _tree_of(*objectives: Objective) -> list[Any]:
    return alignment_tree(score_all([entry(o) for o in objectives], CONFIG, MID_Q4))


def _shape(nodes: list[Any]) -> list[Any]:
    return [(n.objective.entry.id, _shape(list(n.children))) for n in nodes]


def test_alignment_tree_puts_each_objective_under_each_parent() -> None:
    company = objective(kr(done=True), id="company")
    other = objective(kr(done=False), id="other")
    team = objective(
        kr(baseline=0, target=10, current=5), id="team", aligns_to=["company", "other"]
    )
    alone = objective(kr(done=False), id="alone")
    roots = _tree_of(alone, company, other, team)
    assert _shape(roots) == [
        ("company", [("team", [])]),
        ("other", [("team", [])]),
        ("alone", []),
    ]
    assert roots[0].children_mean == pytest.approx(0.5)
    assert roots[2].children_mean is None


def test_alignment_tree_never_loops_on_a_cycle() -> None:
    a = objective(kr(done=True), id="a", aligns_to=["b"])
    b = objective(kr(done=True), id="b", aligns_to=["a"])
    c = objective(kr(done=True), id="c", aligns_to=["a"])
    assert _shape(_tree_of(a, b, c)) == [("a", [("b", []), ("c", [])])]


@st.composite
def metrics(draw: st.DrawFn) -> tuple[float, float, float, float]:
    """baseline, target, and two current values, low then high."""
    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    baseline, target = draw(finite), draw(finite)
    low, high = sorted((draw(finite), draw(finite)))
    return baseline, target, low, high


def _score(baseline: float, target: float, current: float) -> float:
    data = kr(baseline=baseline, target=target, current=current)
    return score_objective(entry(objective(data)), CONFIG, MID_Q4).key_results[0].score


@given(metrics())
def test_score_stays_within_0_and_1(values: tuple[float, float, float, float]) -> None:
    baseline, target, low, _ = values
    assert 0.0 <= _score(baseline, target, low) <= 1.0


@given(metrics())
def test_score_is_monotone_in_the_metrics_direction(
    values: tuple[float, float, float, float],
) -> None:
    baseline, target, low, high = values
    if target > baseline:
        assert _score(baseline, target, low) <= _score(baseline, target, high)
    elif target < baseline:
        assert _score(baseline, target, low) >= _score(baseline, target, high)


@given(metrics())
def test_increasing_and_decreasing_metrics_are_symmetric(
    values: tuple[float, float, float, float],
) -> None:
    baseline, target, current, _ = values
    mirrored = _score(-baseline, -target, -current)
    assert _score(baseline, target, current) == pytest.approx(mirrored, abs=1e-9)


@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 100)), min_size=1, max_size=6),
    st.floats(0.01, 1000),
)
def test_objective_score_is_invariant_to_scaling_the_weights(
    parts: list[tuple[float, float]], factor: float
) -> None:
    def score(scale: float) -> float:
        krs = [
            kr(id=f"k{i}", baseline=0, target=1, current=value, weight=weight * scale)
            for i, (value, weight) in enumerate(parts)
        ]
        return score_objective(entry(objective(*krs)), CONFIG, MID_Q4).score

    assert score(1.0) == pytest.approx(score(factor), abs=1e-9)
    assert 0.0 <= score(factor) <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("unit", "baseline", "target", "values", "expected"),
    [
        # findings fall fast: the line runs below zero, a count does not
        ("findings", 40, 10, [20, 8], 0.0),
        # uptime climbs: the line runs past 100, a percentage does not
        ("%", 90, 99, [96, 99.5], 100.0),
        # an NPS was negative before: negative values are physical for it
        ("NPS", -20, 10, [-5, 10], None),
    ],
)
def test_a_projection_stays_physical(
    unit: str, baseline: float, target: float, values: list[float], expected: float | None
) -> None:
    from itokr.scoring import projected_value

    checkins = [
        {"date": day, "value": value}
        for day, value in zip(["2026-10-11", "2026-10-21"], values, strict=True)
    ]
    data = kr(baseline=baseline, target=target, unit=unit, checkins=checkins)
    at_end = projected_value(only_kr(data), Q4)
    assert at_end is not None
    if expected is None:
        assert at_end > 10  # the unclamped line: nothing to keep it from
    else:
        assert at_end == expected
