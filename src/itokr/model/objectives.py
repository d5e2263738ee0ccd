"""An objective file: its defaults, its objectives and its KPIs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from itokr.model.fields import Date, PeriodSpec, Slug, StrictModel, Text
from itokr.model.keyresults import KeyResult
from itokr.model.kpi import Kpi


class Objective(StrictModel):
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


class ObjectiveFile(StrictModel):
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
