"""`itokr diff` on KPIs: changes by id, and the `eased` flag when a band gets lenient."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from gitrepo import (
    GitRepo,
    own_repository,  # noqa: F401 (autouse: each test its own repository)
)

AS_OF = "2026-11-21"
KPIS = """\
    owner: ops-team
    kpis:
      - id: mttr
        title: Mean time to repair
        unit: h
        good: 4
        bad: 8
        every: 1m
        checkins:
          - {date: 2026-10-31, value: 6}
      - id: on-time
        title: Projects delivered on time
        unit: "%"
        good: 85
        bad: 70
      - id: retired
        title: A KPI nobody reads any more
        good: 1
        bad: 2
"""
OKRS = """\
    period: 2026-Q4
    owner: ops-team
    objectives:
      - id: repairs
        title: Repair incidents faster
        key_results:
          - {id: mttr-down, title: Cut MTTR from 8 h to 4 h, baseline: 8, target: 4, kpi: mttr}
"""
Run = Callable[..., Result]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/kpis.yaml", KPIS)
    repo.write("okrs/2026-Q4/ops.yaml", OKRS)
    repo.commit("KPIs")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def _diff(run: Run, repo: GitRepo, *more: str, env: dict[str, str] | None = None) -> Result:
    return run("diff", "main", *more, "--as-of", AS_OF, cwd=repo.path, env=env)


def _changes(run: Run, repo: GitRepo) -> dict[str, dict[str, Any]]:
    result = _diff(run, repo, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {change["ref"]: change for change in json.loads(result.stdout)["changes"]}


@pytest.mark.parametrize(
    ("old", "new", "flag"),
    [
        ("good: 4", "good: 5", "eased"),  # lower is better: a higher good is lenient
        ("bad: 8", "bad: 10", "eased"),
        ("good: 4", "good: 3", "raised"),
        ("bad: 8", "bad: 6", "raised"),
        ("good: 85", "good: 80", "eased"),  # higher is better: a lower good is lenient
        ("bad: 70", "bad: 60", "eased"),
        ("bad: 70", "bad: 75", "raised"),
    ],
)
def test_a_band_moving_the_lenient_way_is_flagged_eased(
    run: Run, repo: GitRepo, old: str, new: str, flag: str
) -> None:
    repo.edit("okrs/kpis.yaml", old, new)
    kpi = "mttr" if old in KPIS.split("- id: on-time")[0] else "on-time"
    change = _changes(run, repo)[kpi]
    name, was, now = old.split(": ")[0], int(old.split(": ")[1]), int(new.split(": ")[1])
    assert (change["kind"], change["change"], change["score"]) == ("kpi", "modified", [None, None])
    assert change["fields"][name] == [was, now]
    assert change["flags"] == [flag]  # SPEC §6: "eased" among its flags
    assert change["flag_details"][0]["message"] == f"band {flag}: {name} {was} → {now}"


def test_eased_fails_the_gate_until_a_reason_explains_it(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/kpis.yaml", "good: 4", "good: 5")
    gated = _diff(run, repo, "--fail-on", "eased")
    assert gated.exit_code == 1
    assert "mttr: band eased: good 4 → 5" in gated.stderr
    repo.edit("okrs/kpis.yaml", "good: 5", "good: 5\n    reason: the new on-call rota")
    assert _diff(run, repo, "--fail-on", "eased").exit_code == 0


def test_a_reversed_direction_is_eased_too(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/kpis.yaml", "good: 4\n    bad: 8", "good: 8\n    bad: 4")
    (flag,) = _changes(run, repo)["mttr"]["flag_details"]
    assert (flag["flag"], flag["message"]) == ("eased", "direction reversed: higher is now better")


def test_a_reading_moves_the_kpi_and_its_key_results(run: Run, repo: GitRepo) -> None:
    repo.edit(
        "okrs/kpis.yaml",
        "- {date: 2026-10-31, value: 6}",
        "- {date: 2026-10-31, value: 6}\n      - {date: 2026-11-20, value: 5}",
    )
    changes = _changes(run, repo)
    assert changes["mttr"]["fields"] == {"value": [6, 5], "checkins": [1, 2]}
    assert changes["mttr"]["flags"] == []
    kr = changes["repairs/mttr-down"]
    assert kr["fields"]["current"] == [6, 5]
    assert kr["score"] == [0.5, 0.75]


def test_added_and_removed_kpis_are_one_entry_each(run: Run, repo: GitRepo) -> None:
    repo.edit(
        "okrs/kpis.yaml",
        "  - id: retired\n    title: A KPI nobody reads any more\n    good: 1\n    bad: 2\n",
        "  - {id: csat, title: Service desk satisfaction, unit: '%', good: 90, bad: 75}\n",
    )
    changes = _changes(run, repo)
    assert changes["csat"]["change"] == "added"
    assert changes["csat"]["fields"]["good"] == [None, 90]
    assert changes["retired"]["change"] == "removed"
    assert changes["retired"]["fields"]["bad"] == [2, None]
    assert set(changes) == {"csat", "retired"}


def test_text_markdown_and_github_name_the_kpi(run: Run, repo: GitRepo) -> None:
    repo.edit("okrs/kpis.yaml", "bad: 70", "bad: 60")
    text = _diff(run, repo).stdout
    assert "1 KPI changed (1 modified)" in text
    assert "~ KPI on-time  Projects delivered on time" in text
    assert "⚑ eased: band eased: bad 70 → 60 — needs a reason:" in text
    markdown = _diff(run, repo, "-f", "markdown").stdout
    assert (
        "| ✏️ modified | **KPI `on-time`** Projects delivered on time | bad: 70 → 60 |" in markdown
    )
    assert "#### ✏️ KPI `on-time` modified" in markdown
    github = _diff(run, repo, "-f", "github").stdout
    assert github.startswith("::warning file=okrs/kpis.yaml,line=15,")  # the line of `bad:`


def test_text_wraps_at_80_columns_and_says_to_write_the_reason_on_the_kpi(
    run: Run, repo: GitRepo
) -> None:
    long_title = "Mean time to repair an incident of any priority on every service we run"
    repo.edit("okrs/kpis.yaml", "title: Mean time to repair", f"title: {long_title}")
    repo.edit("okrs/kpis.yaml", "good: 4", "good: 5")
    result = _diff(run, repo, env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = " ".join(result.stdout.split())
    assert long_title in words  # wrapped between words, nothing lost or cut
    assert "needs a reason: write `reason:` on this KPI" in words
    start = next(i for i, line in enumerate(lines) if line.startswith("  ~ KPI mttr  "))
    assert lines[start + 1].startswith("    ")  # continued under a hanging indent
    assert lines[start + 2].startswith("      title  ")  # its fields beneath, as an objective's
