"""The pieces of `itokr.sources` that decide a number or hide a secret, one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from itokr.sources import SourceFailure
from itokr.sources.files import load
from itokr.sources.numbers import as_text, number
from itokr.sources.secrets import MASK, Secrets


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42.0), (99.93, 99.93), ("99.5", 99.5), (" -3 ", -3.0), ("1e3", 1000.0)],
)
def test_a_number_or_numeric_text_is_a_number(value: object, expected: float) -> None:
    assert number(value, "it") == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "E605"),
        ("", "E605"),
        (True, "E607"),
        ("n/a", "E607"),
        ([1], "E607"),
        ({"a": 1}, "E607"),
        ("1,5", "E607"),
        (float("nan"), "E608"),
        ("NaN", "E608"),
        ("+Inf", "E608"),
        ("1e999", "E608"),
        (10**400, "E608"),
        (2e300, "E608"),  # a check-in of it would not validate
    ],
)
def test_what_is_not_one_finite_number_fails_with_its_code(value: object, code: str) -> None:
    with pytest.raises(SourceFailure) as failure:
        number(value, "it")
    assert failure.value.code == code


def test_numbers_are_written_as_a_person_would() -> None:
    assert [as_text(v) for v in (0.0, 42.0, 99.93, 0.1 + 0.2, -3.0)] == [
        "0",
        "42",
        "99.93",
        "0.30000000000000004",  # exactly what the source said, nothing rounded away
        "-3",
    ]


def test_expansion_reads_the_environment_and_masks_what_it_put_in() -> None:
    secrets = Secrets({"TOKEN": "a b/c", "HOST": "prom.internal"})
    url = secrets.expand("https://${HOST}/q?t=${TOKEN}")
    assert url == "https://prom.internal/q?t=a b/c"
    said = "GET https://prom.internal/q?t=a%20b%2Fc failed; t=a+b%2Fc; a b/c"
    assert secrets.redact(said) == f"GET https://{MASK}/q?t={MASK} failed; t={MASK}; {MASK}"


@pytest.mark.parametrize("env", [{}, {"TOKEN": ""}])
def test_an_unset_or_empty_variable_fails(env: dict[str, str]) -> None:
    with pytest.raises(SourceFailure) as failure:
        Secrets(env).expand("Bearer ${TOKEN}")
    assert failure.value.code == "E609"
    assert "${TOKEN}" in failure.value.message


def test_a_json_export_and_a_csv_export_give_the_newest_row_on_or_before_the_day(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.json").write_text(
        '[{"date": "2026-11-02T08:00:00Z", "v": 2}, {"date": "2026-10-01", "v": 1},'
        ' {"date": "2026-11-02", "v": 3}]'
    )
    table = load(tmp_path / "a.json", "a.json")
    assert table.value("v", dt.date(2026, 11, 1)) == 1
    assert table.value("v", dt.date(2026, 11, 2)) == 3  # same date: the later row of the file
    (tmp_path / "b.csv").write_bytes("\ufeffdate , v\r\n2026-10-01,7\r\n".encode())
    assert load(tmp_path / "b.csv", "b.csv").value("v", dt.date(2026, 12, 1)) == 7


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("x.csv", "day,v\n2026-10-01,1\n", "no `date` column"),
        ("x.csv", "date,v\n01/10/2026,1\n", "line 2: date '01/10/2026'"),
        ("x.json", "{", "not JSON"),
        ("x.json", '{"date": "2026-10-01"}', "a JSON list of rows"),
    ],
)
def test_an_export_that_cannot_be_read_says_where(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(SourceFailure) as failure:
        load(tmp_path / name, name)
    assert failure.value.code == "E604"
    assert says in failure.value.message
