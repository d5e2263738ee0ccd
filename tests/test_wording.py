"""pydantic's phrases never reach a user, in a finding or a usage error."""

from __future__ import annotations

import pytest

from itokr.problems import explain
from itokr.wording import plain


@pytest.mark.parametrize(
    ("pydantic", "ours"),
    [
        ("Value error, 'x' is not one of 'a', 'b'", "'x' is not one of 'a', 'b'"),
        (
            "Input should be a valid integer, unable to parse string as an integer",
            "expected a whole number",
        ),
        ("Input should be a valid number, unable to parse string as a number", "expected a number"),
        ("Input should be less than or equal to 1", "expected at most 1"),
        ("Input should be a valid dictionary", "expected a valid dictionary"),
    ],
)  # fmt: skip
def test_plain(pydantic: str, ours: str) -> None:
    assert plain(pydantic) == ours


def test_a_finding_without_a_message_of_its_own_speaks_plainly() -> None:
    error = {
        "type": "int_parsing",
        "loc": ("objectives", 0, "weight"),
        "msg": "Input should be a valid integer, unable to parse string as an integer",
        "input": "abc",
    }
    problem = explain(error)  # type: ignore[arg-type]
    assert "Input should" not in problem.message
    assert problem.message == "`weight` is not valid: expected a whole number"
