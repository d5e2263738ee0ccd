"""`itokr.yaml`: the root's settings and their parts, every key optional."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from itokr.model.fields import Date, Fraction, Number, StrictModel, Text, bounds
from itokr.model.sources import SOURCE_NAME_PATTERN, Source


class PeriodDates(StrictModel):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> PeriodDates:
        if self.end < self.start:
            raise PydanticCustomError(
                "E203", "`end` is before `start`: fix one of the dates", {"at": ("end",)}
            )
        return self


class Grading(StrictModel):
    green: Fraction = 0.7
    yellow: Fraction = 0.4


class HealthBands(StrictModel):
    at_risk: Fraction = 0.1
    off_track: Fraction = 0.3


class SmartConfig(StrictModel):
    """Thresholds of `itokr smart`; `rules` turns its optional warnings on or off."""

    min_key_results: Annotated[StrictInt, Field(ge=1)] = 2
    max_key_results: Annotated[StrictInt, Field(ge=1)] = 5
    max_change: Annotated[Number, *bounds(1, open_low=True)] = 10
    min_title_words: Annotated[StrictInt, Field(ge=1)] = 3
    min_confidence: Fraction = 0.3
    committed_confidence: Fraction = 0.7
    max_objectives_per_owner: Annotated[StrictInt, Field(ge=1)] = 5
    rules: dict[Annotated[StrictStr, Field(pattern=r"^[SMART][0-9]{3}$")], StrictBool] = {}


MAX_DAYS = 3650  # ten years: the longest span a reminder setting or option may name


class CheckinConfig(StrictModel):
    stale_after_days: Annotated[StrictInt, Field(ge=1, le=MAX_DAYS)] = 14
    # milestone and binary key results go stale like metrics when their status updates
    # (or the period start) are older than stale_after_days; off, SPEC §2's rule stands
    stale_projects: StrictBool = False


class Limits(StrictModel):
    """Caps per file that keep hostile input fast and small; raise them for giant files."""

    max_file_mib: Annotated[StrictInt, Field(ge=1, le=1024)] = 16
    max_depth: Annotated[StrictInt, Field(ge=8, le=1000)] = 64
    max_values: Annotated[StrictInt, Field(ge=1000)] = 50_000


class Config(StrictModel):
    """`itokr.yaml` at the root; every key optional."""

    organization: StrictStr = ""
    areas: list[Text] = []
    periods: dict[Annotated[StrictStr, Field(min_length=1)], PeriodDates] = {}
    grading: Grading = Grading.model_construct()
    health: HealthBands = HealthBands.model_construct()
    smart: SmartConfig = SmartConfig.model_construct()
    checkins: CheckinConfig = CheckinConfig.model_construct()
    limits: Limits = Limits.model_construct()
    sources: dict[Annotated[StrictStr, Field(pattern=SOURCE_NAME_PATTERN)], Source] = {}
