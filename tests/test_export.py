"""`itokr export`: a spreadsheet that `itokr import` turns back into the same OKRs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from conftest import EXAMPLES, Result, installed_itokr
from itokr.loader import load_root
from itokr.model.keyresults import Metric
from itokr.transfer.exporting import Export

IT = EXAMPLES / "it-department"
END = ("--as-of", "2026-12-31")


def okrs(root: Path) -> dict[str, Any]:
    """Every objective as its owner, area, period and content, and every KPI with its
    readings, by id: what a round trip must keep (not which level of a file states the
    owner, nor key order). A key result that tracks a KPI keeps its `kpi` link."""
    tree = load_root(root, root)
    assert tree.ok, tree.findings
    objectives = {
        entry.id: (
            entry.owner,
            entry.area,
            entry.period and (entry.period.name, entry.period.start, entry.period.end),
            entry.objective.model_dump(exclude={"owner", "area", "period", "start", "end"}),
        )
        for entry in tree.entries
    }
    kpis = {
        kpi.id: (kpi.owner, kpi.area, kpi.kpi.model_dump(exclude={"owner", "area"}))
        for kpi in tree.kpis
    }
    return {"objectives": objectives, "kpis": kpis}


def shown(root: Path, *command: str) -> dict[str, Any]:
    """`itokr COMMAND --format json` of the installed entry point, its lists by id: the
    import lays out its files by period and owner, and the order follows the paths."""
    done = subprocess.run(
        [installed_itokr(), "--root", str(root), *command, "--as-of", "2026-11-20", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    key = "objectives" if "objectives" in document else "kpis"
    document[key] = sorted(document[key], key=lambda item: item["id"])
    return document


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_root_gives_the_same_okrs(
    run: Callable[..., Result], tmp_path: Path, suffix: str
) -> None:
    sheet = tmp_path / f"okrs.{suffix}"
    extra = (
        ["--checkins", str(tmp_path / "checkins.csv"), "--kpis", str(tmp_path / "kpis.csv")]
        if suffix == "csv"
        else []
    )
    exported = run("--root", str(IT), "export", "-o", str(sheet), *extra, *END)
    assert exported.exit_code == 0, exported.stderr
    # 163 check-ins of key results, 63 readings of the 11 KPIs
    assert "33 objectives, 82 key results, 11 KPIs, 226 check-ins" in exported.stdout
    empty = tmp_path / "okrs"
    empty.mkdir()
    # a `source:` names a source of itokr.yaml, which an export does not carry (URLs,
    # secrets): the new root defines the example's, so its key results keep theirs
    sources = yaml.safe_load((IT / "itokr.yaml").read_text())["sources"]
    (empty / "itokr.yaml").write_text(yaml.safe_dump({"sources": sources}))
    imported = run("--root", str(empty), "import", str(sheet), *extra)
    assert imported.exit_code == 0, imported.stdout + imported.stderr
    assert okrs(empty) == okrs(IT)
    # what a user sees is the same, to the stale flag of a key result tracking a KPI
    # and the `1.0` written in a file
    for command in ("status", "kpis"):
        assert shown(empty, command) == shown(IT, command)
    assert "kpis.yaml: 0 objectives, 0 key results, 11 KPIs, 63 check-ins" in imported.stdout
    # the named period the example defines is defined in the new root from its dates
    assert "FY27: {start: 2026-07-01, end: 2027-06-30}" in imported.stdout


def test_csv_has_the_contract_columns_and_one_row_per_key_result(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "q4.csv"
    result = run("--root", str(IT), "export", "-o", str(out), "--period", "2026-Q4", *END)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 after a BOM
    rows = read_csv(out)
    contract = ["objective_id", "objective_title", "owner", "area", "period", "type"]
    contract += ["kind", "unit", "baseline", "target", "current", "score", "health", "confidence"]
    rebuild = ["direction", "weight", "due", "aligns_to", "milestones", "reason"]
    assert set(contract + rebuild) <= set(rows[0])
    assert {row["period"] for row in rows} == {"2026-Q4"}
    uptime = next(row for row in rows if row["objective_id"] == "reliable-platform")
    assert (uptime["baseline"], uptime["target"], uptime["kind"]) == ("99.5", "99.9", "metric")
    centres = next(row for row in rows if row["kr_id"] == "redundant-data-centres")
    assert centres["milestones"].splitlines() == [
        "[x] Secondary site contract signed",
        "[x] Dark fibre between the sites lit",
        "[x:2] Storage replication live for tier-1 systems",
        "[ :2] Full site failover test passed",
    ]
    assert (centres["due"], centres["weight"], centres["current"]) == ("2026-12-18", "1", "")
    assert "check-ins not written: add --checkins FILE" in result.stdout


def test_formula_like_text_is_text_in_both_formats_and_reads_back(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    hostile = {
        "title": '=HYPERLINK("http://evil.example","click")',
        "owner": "@ops",
        "unit": "-",
        "note": "+1 from the CIO",
        "kr": " =1+1 with a blank first",
        "quote": "'=already quoted",
    }
    root = make_root(
        {
            "a.yaml": f"""\
            period: 2026-Q4
            owner: '{hostile["owner"]}'
            objectives:
              - id: hostile
                title: '{hostile["title"]}'
                key_results:
                  - id: one
                    title: '{hostile["kr"]}'
                    unit: '{hostile["unit"]}'
                    baseline: -5
                    target: 5
                    checkins:
                      - {{date: 2026-10-05, value: -2, note: '{hostile["note"]}'}}
                  - id: two
                    title: "{hostile["quote"]}"
                    done: false
            """
        }
    )
    out, checkins = tmp_path / "x.csv", tmp_path / "c.csv"
    assert run("--root", str(root), "export", "-o", str(out), "--checkins", str(checkins), *END)
    text = out.read_text(encoding="utf-8-sig") + checkins.read_text(encoding="utf-8-sig")
    for line in csv.reader(io.StringIO(text)):
        for cell in line:
            assert not cell.lstrip(" \t\r\n").startswith(("=", "+", "@")), cell
    row = read_csv(out)[0]
    assert row["objective_title"] == "'" + hostile["title"]
    assert row["baseline"] == "-5"  # a number stays a number
    book = tmp_path / "x.xlsx"
    assert run("--root", str(root), "export", "-o", str(book), *END).exit_code == 0
    sheet = openpyxl.load_workbook(book)["key_results"]
    typed = sheet.cell(row=2, column=2)
    assert (typed.value, typed.data_type, typed.quotePrefix) == (hostile["title"], "s", True)
    for source, extra in ((out, ["--checkins", str(checkins)]), (book, [])):
        target = tmp_path / f"back-{source.suffix[1:]}"
        target.mkdir()
        result = run("--root", str(target), "import", str(source), "--from", "itokr", *extra)
        assert result.exit_code == 0, result.stdout + result.stderr
        assert okrs(target) == okrs(root)


def test_as_of_leaves_later_checkins_out_and_says_so(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out, checkins = tmp_path / "x.csv", tmp_path / "c.csv"
    result = run(
        "--root", str(IT), "export", "-o", str(out), "--checkins", str(checkins),
        "--as-of", "2026-10-15",
    )  # fmt: skip
    assert result.exit_code == 0
    dates = [row["date"] for row in read_csv(checkins)]
    assert dates and max(dates) <= "2026-10-15"
    assert "check-ins dated after 2026-10-15 are left out" in result.stdout
    uptime = next(
        row
        for row in read_csv(out)
        if (row["objective_id"], row["kr_id"]) == ("reliable-platform", "uptime")
    )
    latest = max(
        (row for row in read_csv(checkins) if row["ref"] == "reliable-platform/uptime"),
        key=lambda row: row["date"],
    )
    assert uptime["current"] == latest["value"]


def test_the_summary_counts_in_words(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root(
        {
            "a.yaml": """\
            period: 2026-Q4
            objectives:
              - id: one
                title: Keep the one service up
                key_results:
                  - id: up
                    title: Keep uptime at 99.9%
                    baseline: 99
                    target: 99.9
                    checkins:
                      - {date: 2026-10-05, value: 99.2}
                      - {date: 2026-11-05, value: 99.5}
            """
        }
    )
    out = tmp_path / "x.csv"
    result = run("--root", str(root), "export", "-o", str(out), "--as-of", "2026-10-20")
    assert result.stdout.splitlines() == [
        "Wrote " + str(out) + ": 1 objective, 1 key result, 1 check-in as of 2026-10-20.",
        "1 check-in dated after 2026-10-20 is left out.",
        "1 check-in not written: add --checkins FILE.",
    ]


def test_csv_to_stdout_puts_the_summary_on_stderr(run: Callable[..., Result]) -> None:
    result = run("--root", str(IT), "export", "-o", "-", "--owner", "security-team", *END)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert rows and {row["owner"] for row in rows} == {"security-team"}
    assert result.stderr.startswith("Wrote stdout:")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "x.xlsx", "--checkins", "c.csv"], "second sheet"),
        (["-o", "x.csv", "--checkins", "x.csv"], "give each its own"),
        (["-o", "x.csv", "--checkins", "c.csv", "--kpis", "c.csv"], "give each its own"),
        (["-o", "x.xlsx", "--kpis", "k.csv"], "third sheet"),
        # as every view: an unknown period, owner or area names the ones that exist
        (["-o", "x.csv", "--period", "1999-Q5"], "no such period (write YYYY-Qn, "),
        (["-o", "x.csv", "--owner", "nobody"], "the owners in this root: "),
        (["-o", "x.csv", "--area", "nowhere"], "the areas in this root: "),
        (["-o", "x.csv", "--as-of", "2026-02-30"], "real date"),
    ],
)
def test_misuse_exits_2_and_writes_nothing(
    run: Callable[..., Result], tmp_path: Path, args: list[str], words: str
) -> None:
    result = run("--root", str(IT), "export", *args, cwd=tmp_path)
    assert result.exit_code == 2
    assert words in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_invalid_root_is_refused(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root({"a.yaml": "objectives: [{id: Bad}]\n"})
    result = run("--root", str(root), "export", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert "itokr validate" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_workbook_has_typed_cells_a_checkins_and_a_kpis_sheet(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    book = tmp_path / "q4.xlsx"
    assert run("--root", str(IT), "export", "-o", str(book), *END).exit_code == 0
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["key_results", "checkins", "kpis"]
    rows = list(workbook["key_results"].iter_rows(values_only=True))
    assert list(rows[0]) == list(Export.header)
    uptime = dict(zip(rows[0], next(r for r in rows if r[0] == "reliable-platform"), strict=True))
    assert (uptime["baseline"], uptime["target"], uptime["due"]) == (99.5, 99.9, None)
    roi = dict(zip(rows[0], next(r for r in rows if r[8] == "it-roi"), strict=True))
    assert (roi["kpi"], roi["current"]) == ("it-roi", 1.46)  # the KPI's newest reading
    checkins = list(workbook["checkins"].iter_rows(values_only=True))
    assert list(checkins[0]) == ["ref", "value", "date", "confidence", "note", "by"]
    assert len(checkins) == 227  # a header, 163 check-ins and 63 KPI readings (as above)
    # a KPI's readings go once, under its id: not again under each key result tracking it
    assert not [row for row in checkins if row[0] == "annual-spend-and-value/it-roi"]
    assert [row[1] for row in checkins if row[0] == "it-roi"][-1] == 1.46
    kpis = list(workbook["kpis"].iter_rows(values_only=True))
    assert list(kpis[0]) == list(Export.kpi_header)
    mttr = dict(zip(kpis[0], next(r for r in kpis if r[0] == "mttr"), strict=True))
    assert (mttr["good"], mttr["bad"], mttr["every"], mttr["owner"]) == (
        4,
        8,
        "1m",
        "it-operations",
    )
    assert workbook["key_results"].freeze_panes == "A2"


def test_installed_entry_point_exit_codes(tmp_path: Path) -> None:
    itokr = installed_itokr()
    base = [itokr, "--root", str(IT), "export"]
    good = subprocess.run([*base, "-o", str(tmp_path / "a.xlsx")], capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout.startswith("Wrote") and good.stderr == ""
    misuse = subprocess.run(
        [*base, "-o", str(tmp_path / "b.csv"), "--period", "nope"], capture_output=True, text=True
    )
    assert misuse.returncode == 2 and misuse.stdout == ""
    assert misuse.stderr.startswith("itokr: --period nope: no such period")


def test_a_source_the_new_root_lacks_is_left_out_and_said(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    """Where a number comes from goes out (a `source` column, check-ins' `by`), and comes
    back where the root defines that source; elsewhere the import says what it left out."""
    sheet = tmp_path / "okrs.xlsx"
    assert run("--root", str(IT), "export", "-o", str(sheet), *END).exit_code == 0
    rows = list(openpyxl.load_workbook(sheet)["key_results"].iter_rows(values_only=True))
    spend = next(
        row
        for row in (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
        if (row["objective_id"], row["kr_id"]) == ("optimize-it-costs", "cloud-spend")
    )
    assert spend["source"] == '{"from": "cost-export", "column": "monthly_run_rate_usd"}'
    empty = tmp_path / "okrs"
    empty.mkdir()
    imported = run("--root", str(empty), "import", str(sheet))
    assert imported.exit_code == 0, imported.stdout + imported.stderr
    assert "source 'cost-export' is not defined in this root's itokr.yaml" in imported.stdout
    tree = load_root(empty, empty)
    assert tree.ok, tree.findings
    kr = next(
        kr
        for entry in tree.entries
        for kr in entry.objective.key_results
        if (entry.id, kr.id) == ("optimize-it-costs", "cloud-spend")
    )
    assert isinstance(kr, Metric) and kr.source is None
    assert kr.checkins is not None and kr.checkins[-1].by == "cost-export"  # `by` is data
