"""A KPI as written: an indicator banded by `good` and `bad`, with its readings."""

from __future__ import annotations

from pydantic import StrictStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from itokr.model.checkins import Checkin, in_date_order
from itokr.model.fields import Every, Number, Slug, StrictModel, Text
from itokr.model.sources import SourceRef


class Kpi(StrictModel):
    """An indicator that outlives a quarter: each reading is banded by `good` and `bad`.

    `good < bad` means lower is better; `good > bad`, higher is better.
    """

    id: Slug
    title: Text
    description: StrictStr | None = None
    reason: StrictStr | None = None  # why `good`/`bad` last changed; `itokr diff` accepts by it
    unit: StrictStr | None = None
    owner: Text | None = None
    area: Text | None = None
    good: Number
    bad: Number
    every: Every | None = None  # None: every `checkins.stale_after_days` days
    source: SourceRef | None = None  # `itokr measure` records its readings from it
    checkins: list[Checkin] | None = None

    _order = field_validator("checkins")(in_date_order)

    @model_validator(mode="after")
    def _twobounds(self) -> Kpi:
        if self.good == self.bad:
            raise PydanticCustomError(
                "E206",
                "`good` and `bad` are both {value}: they set the bands and, by their order, "
                "whether lower or higher is better; make them differ",
                {"value": str(self.good), "at": ("bad",)},
            )
        return self
