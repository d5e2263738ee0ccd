"""Fuzzing: whatever is in the files, every command that reads them answers with a clean
exit code (findings, or a usage error), never an exception.

Three kinds of input: raw byte soup, structured-but-wrong OKR documents (the
right keys with values of any type, including non-finite and huge numbers),
and valid example files mangled line by line. Every input that ever broke a
command is kept in tests/corpus/ and replayed by `test_the_corpus`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLES, REPO
from itokr.cli.app import app  # itokr.cli, imported first, registers every command

AS_OF = ("--as-of", "2026-11-21")
CORPUS = REPO / "tests" / "corpus"
SEED = EXAMPLES / "it-department" / "2026-Q4" / "engineering.yaml"
FUZZ = settings(  # ITOKR_FUZZ_EXAMPLES=2000 for a long campaign
    max_examples=int(os.environ.get("ITOKR_FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------- strategies

KEYS = [
    "objectives", "period", "owner", "area", "id", "title", "description", "type",
    "aligns_to", "start", "end", "key_results", "kind", "unit", "baseline", "target",
    "current", "direction", "checkins", "date", "value", "confidence", "note", "milestones",
    "done", "weight", "due", "reason", "periods", "areas", "grading", "health", "smart",
    "limits", "max_depth", "max_values", "max_file_mib", "green", "yellow", "unknown",
]  # fmt: skip
WORDS = [
    "2026-Q4", "2026-H2", "2026", "0000-Q1", "9999-Q4", "FY27", "2026-10-01", "2026-02-30",
    "0001-01-01", "9999-12-31", "metric", "threshold", "milestone", "binary", "at_least",
    "at_most", "committed", "aspirational", "a", "k", "team", "", " ", "a/k", "-", "~",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**299, max_value=10**420),
    st.floats(),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | scalars, inner, max_size=5)
    ),
    max_leaves=20,
)


def _field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, junk)


_slug = st.sampled_from(["a", "b", "k", "kr-1", "Bad Id", "a"])
_number = st.one_of(st.integers(-5, 200), st.floats(allow_nan=True))
_checkin = st.fixed_dictionaries(
    {"date": _field(st.sampled_from(WORDS[6:10])), "value": _field(_number)},
    optional={"confidence": _field(st.floats(0, 1)), "note": junk},
)
_key_result = st.fixed_dictionaries(
    {"id": _field(_slug), "title": _field(st.text(min_size=1, max_size=8))},
    optional={
        "kind": _field(st.sampled_from(WORDS[10:14])),
        "baseline": _field(_number),
        "target": _field(_number),
        "current": _field(_number),
        "direction": _field(st.sampled_from(["at_least", "at_most"])),
        "checkins": _field(st.lists(_checkin, max_size=3)),
        "milestones": _field(
            st.lists(st.fixed_dictionaries({"title": junk, "done": _field(st.booleans())}))
        ),
        "done": _field(st.booleans()),
        "weight": _field(_number),
        "due": _field(st.sampled_from(WORDS[6:10])),
        "bogus": junk,
    },
)
_objective = st.fixed_dictionaries(
    {
        "id": _field(_slug),
        "title": _field(st.text(min_size=1, max_size=8)),
        "key_results": _field(st.lists(_key_result, max_size=3)),
    },
    optional={
        "period": _field(st.sampled_from(WORDS[:6])),
        "start": _field(st.sampled_from(WORDS[6:10])),
        "end": _field(st.sampled_from(WORDS[6:10])),
        "aligns_to": _field(st.lists(_slug, max_size=2)),
        "type": _field(st.sampled_from(["committed", "aspirational"])),
        "owner": junk,
        "area": junk,
    },
)
objective_files = st.fixed_dictionaries(
    {"objectives": _field(st.lists(_objective, max_size=3))},
    optional={"period": _field(st.sampled_from(WORDS[:6])), "owner": junk, "area": junk},
)
configs = st.fixed_dictionaries(
    {},
    optional={
        key: junk
        for key in ("organization", "areas", "periods", "grading", "health", "smart", "limits")
    },
)
byte_soup = st.binary(max_size=2000) | st.text(
    alphabet="-:[]{},#&*!|>'\"%@`? \n\t.0123456789abcdeknotuxy~\\\x00\ufeff", max_size=400
).map(lambda text: text.encode("utf-8", "surrogatepass"))


def to_yaml(value: Any) -> str:
    """Flow-style YAML 1.2 (JSON with YAML's spelling of the non-finite numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_yaml(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(item) for item in value) + "]"
    if isinstance(value, str) and value in WORDS and value.strip():
        return value  # plain, as people write dates and periods
    return json.dumps(value)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A valid example file with a few lines deleted, doubled, swapped or mistyped."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "double", "swap", "type", "cut"]))
        if action == "delete" and len(lines) > 1:
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "type" and lines[at]:
            column = draw(st.integers(0, len(lines[at]) - 1))
            char = draw(st.sampled_from([*":-[]{}#&*!|>'\" \t0.e", "\x00", "é"]))
            lines[at] = lines[at][:column] + char + lines[at][column + 1 :]
        elif action == "cut":
            lines = lines[: at + 1]
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------- the commands


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with one valid commit; each example rewrites its working tree."""
    top = tmp_path_factory.mktemp("fuzz")
    (top / "okrs").mkdir()
    shutil.copy(SEED, top / "okrs" / "team.yaml")
    git = ["git", "-C", str(top), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "valid"], check=True)
    return top / "okrs"


COMMANDS: list[tuple[list[str], set[int]]] = [
    (["validate"], {0, 1}),
    (["validate", "-f", "json"], {0, 1}),
    (["status", *AS_OF], {0, 1}),
    (["status", "-f", "json", *AS_OF], {0, 1}),
    (["smart", "-f", "json", *AS_OF], {0, 1}),
    (["diff", "HEAD", *AS_OF], {0, 1}),
    (["due", "--within", "3650", *AS_OF], {0, 1}),
    (["checkin", "a/k", "5", "--dry-run", *AS_OF], {0, 1, 2}),
]


def every_command(root: Path, data: bytes, config: bytes | None = None) -> None:
    """Write `data` as the root's one objective file and run every command on it."""
    (root / "team.yaml").write_bytes(data)
    (root / "itokr.yaml").unlink(missing_ok=True)
    if config is not None:
        (root / "itokr.yaml").write_bytes(config)
    runner = CliRunner()
    for args, allowed in COMMANDS:
        result = runner.invoke(app, ["--root", str(root), *args], catch_exceptions=False)
        assert result.exit_code in allowed, (args, result.stdout, result.stderr)


@FUZZ
@given(data=byte_soup)
def test_byte_soup(repo: Path, data: bytes) -> None:
    every_command(repo, data)


@FUZZ
@given(document=objective_files)
def test_structured_but_wrong_documents(repo: Path, document: dict[str, Any]) -> None:
    every_command(repo, to_yaml(document).encode())


@FUZZ
@given(config=configs)
def test_structured_but_wrong_configs(repo: Path, config: dict[str, Any]) -> None:
    every_command(repo, SEED.read_bytes(), to_yaml(config).encode())


@FUZZ
@given(data=mangled())
def test_mangled_example_files(repo: Path, data: bytes) -> None:
    every_command(repo, data)


@pytest.mark.parametrize(
    "case", sorted(path.name for path in CORPUS.glob("*.yaml")), ids=lambda name: name
)
def test_the_corpus(repo: Path, case: str) -> None:
    """Inputs that once broke a command; `*.config.yaml` ones are itokr.yaml."""
    data = (CORPUS / case).read_bytes()
    if case.endswith(".config.yaml"):
        every_command(repo, SEED.read_bytes(), data)
    else:
        every_command(repo, data)
