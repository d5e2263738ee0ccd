"""The value types the models share (dates, numbers, slugs, text) and their base."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LARGEST = 1e300  # beyond this, arithmetic on a number overflows


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "E106",
                "{value} is not a real calendar date: check the month and day",
                {"value": value},
            ) from None
    raise PydanticCustomError("E106", "must be a date written YYYY-MM-DD, such as 2026-10-01")


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("E103", "must be a number, written without quotes")
    if abs(value) > _LARGEST or not math.isfinite(value):  # a huge int overflows isfinite
        raise PydanticCustomError(
            "E105", "must be a finite number: no .inf or .nan, nothing beyond 1e300"
        )
    return value


def _period_spec(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError(
            "E103", "`period` must be a name such as 2026-Q4, 2026-H2 or 2026"
        )
    return value


def bounds(low: float, high: float | None = None, *, open_low: bool = False) -> Any:
    """The check and the JSON Schema of a number bounded below (and above)."""
    rule = (f"greater than {low}" if open_low else f"at least {low}") + (
        f" and at most {high}" if high is not None else ""
    )

    def check(value: float | int) -> float | int:
        if value < low or (open_low and value == low) or (high is not None and value > high):
            raise PydanticCustomError("E107", "must be {rule}", {"rule": rule})
        return value

    schema: dict[str, Any] = {"type": "number", "exclusiveMinimum" if open_low else "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return AfterValidator(check), WithJsonSchema(schema)


Date = Annotated[dt.date, BeforeValidator(_date)]
Number = Annotated[float | int, PlainValidator(_number, json_schema_input_type=float)]
Fraction = Annotated[Number, *bounds(0, 1)]
Slug = Annotated[StrictStr, Field(pattern=SLUG_PATTERN)]
Text = Annotated[StrictStr, Field(min_length=1)]
Weight = Annotated[Number, *bounds(0, open_low=True)]
PeriodSpec = Annotated[int | str, PlainValidator(_period_spec, json_schema_input_type=int | str)]
EVERY_PATTERN = r"^[1-9][0-9]{0,2}[dwmq]$"


def _every(value: str) -> str:
    if not re.fullmatch(EVERY_PATTERN, value):
        raise PydanticCustomError(
            "E104",
            "`every` must be a count and a unit: 7d (days), 2w (weeks), 1m (months) or "
            "1q (quarters), the count from 1 to 999",
        )
    return value


Every = Annotated[
    StrictStr, AfterValidator(_every), WithJsonSchema({"type": "string", "pattern": EVERY_PATTERN})
]


class StrictModel(BaseModel):
    # defer_build: a model's validator is built when first used, not at import. A run
    # builds what it reads (an objective file's models, the config's), not the rest
    # (the tracking copies are never validated): 5 ms of every start.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
