"""The key-result kinds: metric, threshold, milestone and binary, and their KPI-linked copies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    StrictBool,
    StrictStr,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from itokr.model.checkins import AnyCheckin, Checkin, StatusUpdate, in_date_order
from itokr.model.fields import Date, Number, Slug, StrictModel, Text, Weight
from itokr.model.kpi import Kpi
from itokr.model.sources import SourceRef

KINDS = ("metric", "threshold", "milestone", "binary")


class Milestone(StrictModel):
    title: Text
    done: StrictBool
    weight: Weight = 1


class _KeyResult(StrictModel):
    id: Slug
    title: Text
    weight: Weight = 1
    due: Date | None = None
    reason: StrictStr | None = None


class _Measured(_KeyResult):
    """A key result measured by numbers: a current value or dated check-ins."""

    unit: StrictStr | None = None
    current: Number | None = None
    checkins: list[Checkin] | None = None
    source: SourceRef | None = None  # `itokr measure` records check-ins from it
    kpi: Slug | None = None  # its values are that KPI's readings (linked by the loader)

    _order = field_validator("checkins")(in_date_order)

    @model_validator(mode="after")
    def _one_source(self) -> _Measured:
        if self.kpi is not None and (self.current is not None or self.checkins is not None):
            own = "current" if self.current is not None else "checkins"
            raise PydanticCustomError(
                "E207",
                "`kpi` and `{own}` together: a key result that tracks a KPI takes its values "
                "from the KPI's readings; drop `{own}`, or drop `kpi`",
                {"own": own, "at": ("kpi",)},
            )
        if self.kpi is not None and self.source is not None:
            raise PydanticCustomError(
                "E207",
                "`kpi` and `source` together: a key result that tracks a KPI takes its values "
                "from the KPI's readings; give the KPI the `source:`, and `itokr measure` "
                "records its readings",
                {"at": ("source",)},
            )
        if self.current is not None and self.checkins is not None:
            raise PydanticCustomError(
                "E202",
                "`current` and `checkins` together: keep the history in `checkins` "
                "and drop `current`",
                {"at": ("current",)},
            )
        return self

    @property
    def tracked(self) -> Kpi | None:
        """The KPI whose readings these are: set on the copies `tracking` makes."""
        return None

    @property
    def latest(self) -> Checkin | None:
        return self.checkins[-1] if self.checkins else None

    @property
    def value(self) -> float | int | None:
        """The current value: the newest check-in's, else `current`."""
        return self.checkins[-1].value if self.checkins else self.current


class Metric(_Measured):
    """Moves from `baseline` to `target`, up or down."""

    kind: Literal["metric"] = "metric"
    baseline: Number
    target: Number


class Threshold(_Measured):
    """Holds a bound: `at_least` or `at_most` the target, inclusive."""

    kind: Literal["threshold"]
    target: Number
    direction: Literal["at_least", "at_most"]
    baseline: Number | None = None


class TrackingMetric(Metric):
    """A metric linked to its KPI by `tracking`; never read from a file."""

    tracked_kpi: Kpi

    @property
    def tracked(self) -> Kpi | None:
        return self.tracked_kpi


class TrackingThreshold(Threshold):
    """A threshold linked to its KPI by `tracking`; never read from a file."""

    tracked_kpi: Kpi

    @property
    def tracked(self) -> Kpi | None:
        return self.tracked_kpi


def tracking(kr: Metric | Threshold, kpi: Kpi) -> Metric | Threshold:
    """A copy of `kr` that takes `kpi`'s readings as its check-ins, and its unit if it
    names none. (A subclass, not a private attribute: those cost every key result read.)"""
    values = {name: getattr(kr, name) for name in type(kr).model_fields}
    values |= {
        "checkins": kpi.checkins,
        "unit": kr.unit if kr.unit is not None else kpi.unit,
        "tracked_kpi": kpi,
    }
    model = TrackingMetric if isinstance(kr, Metric) else TrackingThreshold
    return model.model_construct(_fields_set=kr.model_fields_set, **values)


class _Project(_KeyResult):
    """A key result measured by what is done, not by a number: its check-ins are status
    updates (SPEC §7)."""

    checkins: list[StatusUpdate] | None = None

    _order = field_validator("checkins")(in_date_order)


class MilestoneKR(_Project):
    """Done when its milestones are, weighted."""

    kind: Literal["milestone"] = "milestone"
    milestones: Annotated[list[Milestone], Field(min_length=1)]


class Binary(_Project):
    """Done or not done."""

    kind: Literal["binary"] = "binary"
    done: StrictBool


def kind_of(data: Any) -> str:
    """The kind of a key result as written: `kind`, else inferred from its keys."""
    if not isinstance(data, dict):
        return "metric" if not isinstance(data, BaseModel) else str(getattr(data, "kind", "metric"))
    if "kind" in data:
        return str(data["kind"])
    if "milestones" in data:
        return "milestone"
    if "done" in data:
        return "binary"
    return "metric"


KeyResult = Annotated[
    Annotated[Metric, Tag("metric")]
    | Annotated[Threshold, Tag("threshold")]
    | Annotated[MilestoneKR, Tag("milestone")]
    | Annotated[Binary, Tag("binary")],
    Discriminator(kind_of),
]
AnyKeyResult = Metric | Threshold | MilestoneKR | Binary  # a key result as loaded


def dated_checkins(key_result: AnyKeyResult) -> Sequence[AnyCheckin]:
    """Every check-in of a key result: values, or a milestone or binary one's status
    updates. Its confidence and last check-in come from these."""
    return key_result.checkins or ()


MODEL_OF_KIND: dict[str, type[_KeyResult]] = {
    "metric": Metric,
    "threshold": Threshold,
    "milestone": MilestoneKR,
    "binary": Binary,
}
