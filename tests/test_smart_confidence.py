"""Attainable reads the objective's newest stated confidence, as SPEC §3 and status do."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result

TEMPLATE = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: fast-api
    title: Make the public API feel instant
    key_results:
      - id: p95
        title: Cut p95 from 250 to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins:
          - {{date: {p95_date}, value: 240, confidence: {p95_confidence}}}
      - id: mttr
        title: Cut MTTR from 9 h to 5 h
        unit: h
        baseline: 9
        target: 5
        checkins:
          - {{date: {mttr_date}, value: 8, confidence: {mttr_confidence}}}
"""


@pytest.mark.parametrize(
    ("p95", "mttr", "attainable"),
    [
        (("2026-11-02", 0.2), ("2026-11-09", 0.9), True),  # the old doubt was overtaken
        (("2026-11-09", 0.2), ("2026-11-02", 0.9), False),  # the newest word is doubt
        (("2026-11-02", 0.3), ("2026-11-01", 0.9), True),  # the bound is inclusive
    ],
)
def test_attainable_follows_the_newest_stated_confidence(
    run: Callable[..., Result],
    make_root: Callable[[dict[str, str]], Path],
    p95: tuple[str, float],
    mttr: tuple[str, float],
    attainable: bool,
) -> None:
    root = make_root(
        {
            "api.yaml": TEMPLATE.format(
                p95_date=p95[0],
                p95_confidence=p95[1],
                mttr_date=mttr[0],
                mttr_confidence=mttr[1],
            )
        }
    )
    result = run("--root", str(root), "smart", "--format", "json", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.stderr
    (objective,) = json.loads(result.stdout)["objectives"]
    assert objective["checks"]["attainable"] is attainable
    assert objective["score"] == (1.0 if attainable else 0.8)
