"""The sources of `itokr.yaml` and a key result's or KPI's `source:` (SPEC §5)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from itokr.model.fields import Number, StrictModel, Text, bounds

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
Seconds = Annotated[Number, *bounds(0, 600, open_low=True)]


class Source(StrictModel):
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


class SourceRef(StrictModel):
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
