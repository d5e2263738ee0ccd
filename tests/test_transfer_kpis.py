"""KPIs through `itokr export` and `itokr import`: the links of the key results that
track them hold, and a KPI is never written over."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from itokr.loader import load_root

IT = EXAMPLES / "it-department"
END = ("--as-of", "2026-12-31")
TRACKING = "annual-spend-and-value/it-roi"  # tracks the KPI it-roi


@pytest.fixture
def exported(run: Callable[..., Result], tmp_path: Path) -> dict[str, Path]:
    """The example as CSV: key results, check-ins (KPI readings among them), KPIs."""
    files = {name: tmp_path / f"{name}.csv" for name in ("okrs", "checkins", "kpis")}
    args = ["-o", str(files["okrs"]), "--checkins", str(files["checkins"])]
    done = run("--root", str(IT), "export", *args, "--kpis", str(files["kpis"]), *END)
    assert done.exit_code == 0, done.stderr
    return files


def _empty(tmp_path: Path, *, kpis: bool = False) -> Path:
    root = tmp_path / "target" / "okrs"
    root.mkdir(parents=True)
    if kpis:  # and the itokr.yaml that defines their sources
        for name in ("kpis.yaml", "itokr.yaml"):
            shutil.copy(IT / name, root / name)
    return root


def _kpi_links(root: Path) -> dict[str, str | None]:
    tree = load_root(root, root)
    assert tree.ok, tree.findings
    return {
        f"{e.id}/{kr.id}": getattr(kr, "kpi", None)
        for e in tree.entries
        for kr in e.objective.key_results
    }


def _import_without_kpis(
    run: Callable[..., Result], root: Path, exported: dict[str, Path]
) -> Result:
    """The key results and check-ins (KPI readings among them), but not the KPIs."""
    sheet, checkins = str(exported["okrs"]), str(exported["checkins"])
    return run("--root", str(root), "import", sheet, "--checkins", checkins)


def test_without_the_kpis_every_link_and_reading_is_named_and_nothing_written(
    run: Callable[..., Result], tmp_path: Path, exported: dict[str, Path]
) -> None:
    root = _empty(tmp_path)
    result = _import_without_kpis(run, root, exported)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    tracked = [line for line in lines if "tracks the KPI" in line]
    assert len(tracked) == 8 and all(" I106 " in line for line in tracked)
    assert any(
        "tracks the KPI it-roi, which is neither imported nor in the root" in line
        for line in tracked
    )
    assert any(
        "a reading of mttr, but no KPIs were read: give --kpis FILE" in line for line in lines
    )
    assert list(root.iterdir()) == []


def test_into_a_root_with_the_kpis_the_links_hold(
    run: Callable[..., Result], tmp_path: Path, exported: dict[str, Path]
) -> None:
    """The KPIs are in the root already: the key results link to them, and the readings
    in the check-ins file are left out (the KPI's file is not the import's to change)."""
    root = _empty(tmp_path, kpis=True)
    result = _import_without_kpis(run, root, exported)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _kpi_links(root) == _kpi_links(IT)
    assert "KPI mttr: 11 readings left out: the KPI is in the root already" in result.stdout
    status = run("--root", str(root), "status", "--as-of", "2026-11-20", "-f", "json")
    kr = next(
        kr
        for o in json.loads(status.stdout)["objectives"]
        for kr in o["key_results"]
        if kr["ref"] == TRACKING
    )
    assert (kr["current"], kr["stale"]) == (1.46, False)


def test_a_kpi_the_root_has_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """Through the installed entry point: exit 1, each KPI named by its row (I202) on
    stdout, nothing on stderr, and the root as it was."""
    itokr = installed_itokr()
    book = tmp_path / "okrs.xlsx"
    done = subprocess.run(
        [itokr, "--root", str(IT), "export", "-o", str(book), *END], capture_output=True
    )
    assert done.returncode == 0
    root = _empty(tmp_path, kpis=True)
    before = (root / "kpis.yaml").read_bytes()
    result = subprocess.run(
        [itokr, "--root", str(root), "import", str(book)], capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stderr == ""
    refused = [line for line in result.stdout.splitlines() if " I202 " in line]
    assert len(refused) == 11
    assert refused[0].startswith(
        f"{book}[kpis]:2:1: I202 KPI projects-on-time is already in the root in "
    )
    assert sorted(p.name for p in root.iterdir()) == ["itokr.yaml", "kpis.yaml"]
    assert (root / "kpis.yaml").read_bytes() == before
