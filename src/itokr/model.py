"""The file format as pydantic models: objective files and `itokr.yaml`.

Rules that fit one model live here; rules that need the whole root (unique
objective ids, alignment, period names) live in `itokr.crosscheck`. A rule
that fails raises a `PydanticCustomError` whose type is the finding code; its
context may carry `at`, the path below the failing model to point at.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
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


def _bounds(low: float, high: float | None = None, *, open_low: bool = False) -> Any:
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
Fraction = Annotated[Number, *_bounds(0, 1)]
Slug = Annotated[StrictStr, Field(pattern=SLUG_PATTERN)]
Text = Annotated[StrictStr, Field(min_length=1)]
Weight = Annotated[Number, *_bounds(0, open_low=True)]
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
KINDS = ("metric", "threshold", "milestone", "binary")


class _Strict(BaseModel):
    # defer_build: a model's validator is built when first used, not at import. A run
    # builds what it reads (an objective file's models, the config's), not the rest
    # (the tracking copies are never validated): 5 ms of every start.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Checkin(_Strict):
    """One dated measurement of a metric or threshold key result."""

    date: Date
    value: Number
    confidence: Fraction | None = None
    note: StrictStr | None = None
    by: Text | None = None  # who measured it: a source of itokr.yaml (`itokr measure`) or a person


# ---------------------------------------------------------------- sources (SPEC §5)

SOURCE_TYPES = ("prometheus", "http", "file", "command")
# The field of a key result's `source:` that says what to read, by the type of the source
# it names (a command needs none; `args` adds arguments to its argv).
SOURCE_FIELDS: dict[str, str] = {
    "query": "prometheus",
    "path": "http",
    "column": "file",
    "args": "command",
}
SOURCE_NEEDS: dict[str, str | None] = {"prometheus": "query", "http": "path", "file": "column"}
SOURCE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # `${NAME}`, from the environment
_HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"  # an HTTP token (RFC 9110)
_WITH_HEADERS = ("prometheus", "http")
_WITH_TIMEOUT = ("prometheus", "http", "command")  # a file is read at once


def _template(value: str) -> str:
    """Text in which every `${` opens a `${NAME}` reference (expanded only by `measure`)."""
    if "${" in VARIABLE.sub("", value):
        raise PydanticCustomError(
            "E104",
            "`${` must open an environment variable reference such as ${PROM_TOKEN}: "
            "a name of letters, digits and _",
        )
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("E104", "must be one line")
    return value


def _url(value: str) -> str:
    if "${" not in value and not value.startswith(("http://", "https://")):
        raise PydanticCustomError("E104", "must be a URL starting http:// or https://")
    return value


def _data_file(value: str) -> str:
    if "${" not in value and not value.lower().endswith((".csv", ".json")):
        raise PydanticCustomError(
            "E104", "must name a .csv file (with a `date` column) or a .json file"
        )
    return value


Template = Annotated[StrictStr, Field(min_length=1), AfterValidator(_template)]
Url = Annotated[Template, AfterValidator(_url)]
Seconds = Annotated[Number, *_bounds(0, 600, open_low=True)]


class Source(_Strict):
    """A named source of `itokr.yaml`: exactly one of `prometheus` (a base URL), `http`
    (a URL answering JSON), `file` (CSV or JSON, relative to itokr.yaml) or `command`
    (an argv). Text may hold `${VAR}`, read from the environment only by `itokr measure`."""

    prometheus: Url | None = None
    http: Url | None = None
    file: Annotated[Template, AfterValidator(_data_file)] | None = None
    command: Annotated[list[Template], Field(min_length=1)] | None = None
    headers: dict[Annotated[StrictStr, Field(pattern=_HEADER_NAME)], Template] | None = None
    timeout: Seconds = 10

    @property
    def type(self) -> str:
        return next(name for name in SOURCE_TYPES if getattr(self, name) is not None)

    @model_validator(mode="after")
    def _one_type(self) -> Source:
        given = [name for name in SOURCE_TYPES if getattr(self, name) is not None]
        if not given:
            raise PydanticCustomError(
                "E102",
                "a source needs its type: one of `prometheus: URL`, `http: URL`, `file: PATH` "
                "or `command: [ARGV]`",
            )
        if len(given) > 1:
            raise PydanticCustomError(
                "E208",
                "`{first}` and `{second}` together: a source has one type; define two sources",
                {"first": given[0], "second": given[1], "at": (given[1],)},
            )
        kind = given[0]
        for key, fits in (("headers", _WITH_HEADERS), ("timeout", _WITH_TIMEOUT)):
            if key in self.model_fields_set and kind not in fits:
                raise PydanticCustomError(
                    "E208",
                    "`{key}` does not fit a {kind} source: it is for {fits} sources",
                    {
                        "key": key,
                        "kind": kind,
                        "fits": ", ".join(fits[:-1]) + " and " + fits[-1],
                        "at": (key,),
                    },
                )
        return self


class SourceRef(_Strict):
    """What a key result reads from a named source: `from` names it; `query` (prometheus),
    `path` (http, JMESPath), `column` (file) or `args` (command) say what to read."""

    from_: Annotated[Text, Field(alias="from")]
    query: Text | None = None
    path: Text | None = None
    column: Text | None = None
    args: list[StrictStr] | None = None

    @property
    def given(self) -> tuple[str, ...]:
        """The fields written beside `from`."""
        return tuple(name for name in SOURCE_FIELDS if getattr(self, name) is not None)

    @property
    def summary(self) -> str:
        """One line for people: `prom, query: up{job="portal"}`."""
        parts = [self.from_]
        for name in self.given:
            value = getattr(self, name)
            parts.append(f"{name}: {' '.join(value) if isinstance(value, list) else value}")
        return ", ".join(parts)


class StatusUpdate(_Strict):
    """A check-in of a milestone or binary key result: no value (its milestones or
    `done` say how far it is), only how it stands on the day, in a confidence and a
    note."""

    date: Date
    confidence: Fraction | None = None
    note: StrictStr | None = None
    by: Text | None = None  # who gave it


AnyCheckin = Checkin | StatusUpdate
_Checkins = TypeVar("_Checkins", list[Checkin], list[StatusUpdate])


def _in_date_order(checkins: _Checkins | None) -> _Checkins | None:
    for index, (before, after) in enumerate(itertools.pairwise(checkins or ())):
        if after.date < before.date:
            raise PydanticCustomError(
                "E201",
                "check-in of {after} comes after one of {before}: keep check-ins in date order",
                {
                    "after": str(after.date),
                    "before": str(before.date),
                    "at": (index + 1, "date"),
                },
            )
    return checkins


class Kpi(_Strict):
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

    _order = field_validator("checkins")(_in_date_order)

    @model_validator(mode="after")
    def _two_bounds(self) -> Kpi:
        if self.good == self.bad:
            raise PydanticCustomError(
                "E206",
                "`good` and `bad` are both {value}: they set the bands and, by their order, "
                "whether lower or higher is better; make them differ",
                {"value": str(self.good), "at": ("bad",)},
            )
        return self


class Milestone(_Strict):
    title: Text
    done: StrictBool
    weight: Weight = 1


class _KeyResult(_Strict):
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

    _order = field_validator("checkins")(_in_date_order)

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

    _order = field_validator("checkins")(_in_date_order)


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


class Objective(_Strict):
    """An objective with its key results; owner, area and period override the file's."""

    id: Slug
    title: Text
    description: StrictStr | None = None
    reason: StrictStr | None = None  # why it last changed; `itokr diff` accepts flags by it
    type: Literal["aspirational", "committed"] = "aspirational"
    owner: Text | None = None
    area: Text | None = None
    period: PeriodSpec | None = None
    start: Date | None = None
    end: Date | None = None
    aligns_to: list[Slug] = []
    key_results: Annotated[list[KeyResult], Field(min_length=1)]

    @model_validator(mode="after")
    def _coherent(self) -> Objective:
        if (self.start is None) != (self.end is None):
            missing = "end" if self.end is None else "start"
            present = "start" if missing == "end" else "end"
            raise PydanticCustomError(
                "E203",
                "`{present}` without `{missing}`: give both dates or neither",
                {"present": present, "missing": missing, "at": (present,)},
            )
        if self.start is not None and self.end is not None and self.end < self.start:
            raise PydanticCustomError(
                "E203", "`end` is before `start`: fix one of the dates", {"at": ("end",)}
            )
        if self.start is not None and self.period is not None:
            raise PydanticCustomError(
                "E203",
                "`period` and `start`/`end` together: use one or the other",
                {"at": ("period",)},
            )
        seen: set[str] = set()
        for index, kr in enumerate(self.key_results):
            if kr.id in seen:
                raise PydanticCustomError(
                    "E205",
                    "key result id '{id}' is already used in this objective: rename one",
                    {"id": kr.id, "at": ("key_results", index, "id")},
                )
            seen.add(kr.id)
        return self


class ObjectiveFile(_Strict):
    """One objective file: file-level defaults, objectives and KPIs (one of them at least)."""

    period: PeriodSpec | None = None
    owner: Text | None = None
    area: Text | None = None
    objectives: list[Objective]
    kpis: list[Kpi] = []

    @model_validator(mode="before")
    @classmethod
    def _kpis_alone(cls, data: Any) -> Any:
        """A file of KPIs needs no `objectives:`; any other file still does."""
        if isinstance(data, dict) and "kpis" in data and "objectives" not in data:
            return {**data, "objectives": []}
        return data


class PeriodDates(_Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> PeriodDates:
        if self.end < self.start:
            raise PydanticCustomError(
                "E203", "`end` is before `start`: fix one of the dates", {"at": ("end",)}
            )
        return self


class Grading(_Strict):
    green: Fraction = 0.7
    yellow: Fraction = 0.4


class HealthBands(_Strict):
    at_risk: Fraction = 0.1
    off_track: Fraction = 0.3


class SmartConfig(_Strict):
    """Thresholds of `itokr smart`; `rules` turns its optional warnings on or off."""

    min_key_results: Annotated[StrictInt, Field(ge=1)] = 2
    max_key_results: Annotated[StrictInt, Field(ge=1)] = 5
    max_change: Annotated[Number, *_bounds(1, open_low=True)] = 10
    min_title_words: Annotated[StrictInt, Field(ge=1)] = 3
    min_confidence: Fraction = 0.3
    committed_confidence: Fraction = 0.7
    max_objectives_per_owner: Annotated[StrictInt, Field(ge=1)] = 5
    rules: dict[Annotated[StrictStr, Field(pattern=r"^[SMART][0-9]{3}$")], StrictBool] = {}


MAX_DAYS = 3650  # ten years: the longest span a reminder setting or option may name


class CheckinConfig(_Strict):
    stale_after_days: Annotated[StrictInt, Field(ge=1, le=MAX_DAYS)] = 14
    # milestone and binary key results go stale like metrics when their status updates
    # (or the period start) are older than stale_after_days; off, SPEC §2's rule stands
    stale_projects: StrictBool = False


class Limits(_Strict):
    """Caps per file that keep hostile input fast and small; raise them for giant files."""

    max_file_mib: Annotated[StrictInt, Field(ge=1, le=1024)] = 16
    max_depth: Annotated[StrictInt, Field(ge=8, le=1000)] = 64
    max_values: Annotated[StrictInt, Field(ge=1000)] = 50_000


class Config(_Strict):
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
