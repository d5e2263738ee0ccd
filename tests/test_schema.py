"""`itokr schema`: a JSON Schema that other validators and editors can rely on.

Every file itokr accepts must pass the schema (an editor must never flag a good
file); the mistakes a schema can express must fail it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import EXAMPLES, REPO, Result, installed_itokr
from itokr import yamlio
from itokr.rootfiles import CONFIG_NAME

CASES = Path(__file__).parent / "cases"
ROOTS = [
    REPO / "okrs",
    *sorted(path for path in EXAMPLES.iterdir() if path.is_dir()),
    *sorted(path for path in (CASES / "valid").iterdir() if path.is_dir()),
]


def _files(config: bool) -> list[Path]:
    found = []
    for root in ROOTS:
        for path in sorted(root.rglob("*.y*ml")):
            if ".hidden" in path.parts:
                continue
            if (path == root / CONFIG_NAME) is config:
                found.append(path)
    return found


OBJECTIVE_FILES = _files(config=False)
CONFIG_FILES = _files(config=True)


def _id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _schema(run: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = run("schema", *args)
    assert result.exit_code == 0
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    from itokr.schema import objective_file_schema

    schema = objective_file_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def config_validator() -> jsonschema.protocols.Validator:
    from itokr.schema import config_schema

    schema = config_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _data(path: Path) -> Any:
    return yamlio.read(path.read_bytes())


def test_schema_command_prints_the_objective_file_schema(run: Callable[..., Result]) -> None:
    from itokr.schema import objective_file_schema

    document = _schema(run)
    assert document == json.loads(json.dumps(objective_file_schema()))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_schema_config_option(run: Callable[..., Result]) -> None:
    document = _schema(run, "--config")
    jsonschema.Draft202012Validator.check_schema(document)
    assert "grading" in document["properties"]


def test_schema_needs_no_root(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("schema", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize("option", ["--format", "-f"])
def test_format_json_is_the_same_document(run: Callable[..., Result], option: str) -> None:
    """Every command takes --format (JSON is the schema's one format)."""
    assert run("schema", option, "json").stdout == run("schema").stdout
    assert run("schema", "--config", option, "json").stdout == run("schema", "--config").stdout


def test_installed_format_json_and_an_unknown_format(tmp_path: Path) -> None:
    def schema(output: str) -> subprocess.CompletedProcess[str]:
        command = [installed_itokr(), "schema", "--format", output]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    done = schema("json")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    wrong = schema("xml")
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert "xml" in wrong.stderr and "Traceback" not in wrong.stderr


def test_there_is_something_to_check() -> None:
    assert len(OBJECTIVE_FILES) >= 20
    assert len(CONFIG_FILES) >= 5


@pytest.mark.parametrize("path", OBJECTIVE_FILES, ids=_id)
def test_every_valid_file_passes_the_schema(
    validator: jsonschema.protocols.Validator, path: Path
) -> None:
    problems = [error.message for error in validator.iter_errors(_data(path))]
    assert problems == []


@pytest.mark.parametrize("path", CONFIG_FILES, ids=_id)
def test_every_valid_config_passes_the_config_schema(
    config_validator: jsonschema.protocols.Validator, path: Path
) -> None:
    data = _data(path)
    problems = [
        error.message for error in config_validator.iter_errors({} if data is None else data)
    ]
    assert problems == []


GOOD_KR = {"id": "k", "title": "A key result", "baseline": 1, "target": 2}


def _file(**objective: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "o", "title": "An objective", "key_results": [GOOD_KR]}
    return {"objectives": [base | objective]}


def _with_kr(**key_result: Any) -> dict[str, Any]:
    return _file(key_results=[{"id": "k", "title": "A key result"} | key_result])


REJECTED = {
    "unknown key in the file": {"ownr": "x", "objectives": []},
    "missing objectives": {"owner": "x"},
    "objectives not a list": {"objectives": {"id": "o"}},
    "unknown key in an objective": _file(priority="high"),
    "missing title": {"objectives": [{"id": "o", "key_results": [GOOD_KR]}]},
    "empty title": _file(title=""),
    "bad slug": _file(id="Reliable_Platform"),
    "missing key results": {"objectives": [{"id": "o", "title": "An objective"}]},
    "empty key results": _file(key_results=[]),
    "bad type": _file(type="stretch"),
    "metric without baseline": _with_kr(target=2),
    "threshold without direction": _with_kr(kind="threshold", target=2),
    "threshold with a bad direction": _with_kr(kind="threshold", target=2, direction="up"),
    "binary with a unit": _with_kr(done=True, unit="%"),
    "done not a boolean": _with_kr(done="yes"),
    "empty milestones": _with_kr(milestones=[]),
    "milestone without done": _with_kr(milestones=[{"title": "Signed"}]),
    "unknown kind": _with_kr(kind="percent", baseline=1, target=2),
    "weight zero": _with_kr(done=True, weight=0),
    "confidence above one": _with_kr(
        baseline=1, target=2, checkins=[{"date": "2026-10-01", "value": 1, "confidence": 1.5}]
    ),
    "check-in without value": _with_kr(baseline=1, target=2, checkins=[{"date": "2026-10-01"}]),
    "number as text": _with_kr(baseline="1", target=2),
    "impossible date": _with_kr(done=True, due="2026-02-30"),
    "aligns_to not a list": _file(aligns_to="parent"),
    "a list at the top": [{"id": "o"}],
    "current and checkins": _with_kr(
        baseline=1, target=2, current=1, checkins=[{"date": "2026-10-01", "value": 1}]
    ),
    "start without end": _file(start="2026-10-01"),
    "end without start": _file(end="2026-10-01"),
    "period and dates": _file(period="2026-Q4", start="2026-10-01", end="2026-12-31"),
    "neither objectives nor kpis": {"owner": "x", "period": "2026-Q4"},
    "kpis not a list": {"kpis": {"id": "k"}},
    "kpi without bad": {"kpis": [{"id": "k", "title": "A KPI", "good": 1}]},
    "kpi with a target": {
        "kpis": [{"id": "k", "title": "A KPI", "good": 1, "bad": 2, "target": 1}]
    },
    "kpi every not a step": {
        "kpis": [{"id": "k", "title": "A KPI", "good": 1, "bad": 2, "every": "1y"}]
    },
    "kpi and current": _with_kr(baseline=1, target=2, kpi="mttr", current=3),
    "kpi and checkins": _with_kr(
        baseline=1, target=2, kpi="mttr", checkins=[{"date": "2026-10-01", "value": 1}]
    ),
    "kpi on a milestone key result": _with_kr(
        kpi="mttr", milestones=[{"title": "a", "done": True}]
    ),
}

ACCEPTED = {
    "nulls count as absent": _file(period=None, start="2026-10-01", end="2026-12-31"),
    "no dates": _file(start=None, end=None),
    "only kpis": {"kpis": [{"id": "k", "title": "A KPI", "good": 1, "bad": 2, "every": "2w"}]},
    "a key result tracking a kpi": _with_kr(baseline=1, target=2, kpi="mttr"),
    "null current beside checkins": _with_kr(
        baseline=1, target=2, current=None, checkins=[{"date": "2026-10-01", "value": 1}]
    ),
}


@pytest.mark.parametrize("data", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_schema_accepts_what_validate_accepts(
    validator: jsonschema.protocols.Validator, data: Any
) -> None:
    from itokr.model.objectives import ObjectiveFile

    ObjectiveFile.model_validate(data)
    assert validator.is_valid(data)


@pytest.mark.parametrize("data", REJECTED.values(), ids=REJECTED.keys())
def test_the_schema_rejects_what_validate_rejects(
    validator: jsonschema.protocols.Validator, data: Any
) -> None:
    assert not validator.is_valid(data)


def test_an_empty_file_passes(validator: jsonschema.protocols.Validator) -> None:
    assert validator.is_valid(None)


def test_keys_have_descriptions_for_editors(run: Callable[..., Result]) -> None:
    """Editors show titles on hover; every model at least says what it is."""
    document = _schema(run)
    for name, definition in document["$defs"].items():
        assert definition.get("additionalProperties") is False, name
        assert definition.get("description") or definition.get("title"), name


def test_config_schema_rejects_mistakes(config_validator: jsonschema.protocols.Validator) -> None:
    assert not config_validator.is_valid({"organisation": "x"})
    assert not config_validator.is_valid({"sources": {"s": {"timeout": 5}}})  # no type
    assert not config_validator.is_valid(
        {"sources": {"s": {"http": "https://a.example", "file": "a.csv"}}}  # two types
    )
    assert config_validator.is_valid({"sources": {"s": {"file": "a.csv"}}})
    assert not config_validator.is_valid({"grading": {"green": 1.5}})
    assert not config_validator.is_valid({"periods": {"FY27": {"start": "2026-07-01"}}})
    assert config_validator.is_valid(
        {"periods": {"FY27": {"start": "2026-07-01", "end": "2027-06-30"}}}
    )
