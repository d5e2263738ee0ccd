"""`itokr import --from csv --map`: any spreadsheet, and whatever spreadsheets get wrong."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, Result
from itokr.loader import load_root
from itokr.model.keyresults import Metric
from itokr.transfer import sheets

HAND_MADE = REPO / "examples" / "import" / "team-okrs.csv"
MAPS = ["--map", "Objective=objective_title", "--map", "Key Result=kr_title"]
MAPS += ["--map", "Quarter=period", "--map", "Start=baseline", "--map", "Now=current"]
SIMPLE = (
    "Objective,Key result,Owner,Period,Baseline,Target,Unit\n"
    "Cut the cost of IT,Cut cloud spend from 120 to 108,finops,2025-Q2,120,108,k$\n"
)


def _zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _import(run: Callable[..., Result], root: Path, source: Path, *args: str) -> Result:
    return run("--root", str(root), "import", str(source), *args)


def _simple(run: Callable[..., Result], root: Path, source: Path, *args: str) -> Result:
    maps = ["--map", "Objective=objective_title", "--map", "Key result=kr_title"]
    return _import(run, root, source, *maps, *args)


@pytest.fixture
def imported(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> Callable[..., tuple[Path, Result]]:
    """`imported(NAME, DATA, *ARGS)`: DATA (text as UTF-8) saved as NAME, imported with
    `_simple`'s maps and ARGS into a new empty root: that root and the run."""

    def go(name: str, data: str | bytes, *args: str) -> tuple[Path, Result]:
        root = make_root({})
        source = tmp_path / name
        source.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return root, _simple(run, root, source, *args)

    return go


def test_the_hand_made_example_imports_as_the_readme_shows(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    empty = make_root({})
    result = _import(run, empty, HAND_MADE, *MAPS)
    assert result.exit_code == 0, result.stdout + result.stderr
    entries = {e.id: e for e in load_root(empty, empty).entries}
    assert set(entries) == {"speed-up-the-delivery-of-new-features", "lower-the-cost-of-running-it"}
    cost = entries["lower-the-cost-of-running-it"]
    assert (cost.owner, cost.area, cost.period and cost.period.name) == (
        "finops-team",
        "finance",
        "2025-Q2",
    )
    spend, retire = cost.objective.key_results  # the second row continues the objective
    assert isinstance(spend, Metric)
    assert (spend.baseline, spend.target, spend.current, spend.unit) == (
        120000,
        108000,
        116500,
        "USD/month",
    )
    assert isinstance(retire, Metric) and retire.current == 1
    smart = run("--root", str(empty), "smart", "--format", "json")
    assert smart.exit_code == 0
    assert all(o["score"] == 1.0 for o in json.loads(smart.stdout)["objectives"])


def test_one_row_per_checkin(imported: Callable[..., tuple[Path, Result]]) -> None:
    maps = ["--map", "Date=checkin_date", "--map", "Value=checkin_value"]
    maps += ["--map", "Note=checkin_note"]
    empty, result = imported(
        "readings.csv",
        "Objective,Key result,Owner,Period,Baseline,Target,Unit,Date,Value,Note\n"
        "Cut the cost of IT,Cut cloud spend from 120 to 108,finops,2025-Q2,120,108,k$,"
        "2025-05-05,115,second\n"
        ",,,,,,,2025-04-07,118,first\n"
        "Cut the cost of IT,Cut cloud spend from 120 to 108,,,,,,2025-06-02,110,\n",
        *maps,
    )
    assert result.exit_code == 0, result.stdout
    kr = load_root(empty, empty).entries[0].objective.key_results[0]
    assert isinstance(kr, Metric) and kr.checkins is not None
    assert [(str(c.date), c.value, c.note) for c in kr.checkins] == [
        ("2025-04-07", 118, "first"),
        ("2025-05-05", 115, "second"),
        ("2025-06-02", 110, None),
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "Cut the cost of IT,Cut spend,finops,2025-Q2,lots,108,k$",
            ":3:5: I102 Baseline: is not a number: 'lots'",
        ),
        (
            'Cut the cost of IT,"=HYPERLINK(""http://x"",""y"")",finops,2025-Q2,120,108,k$',
            ":3:2: I103 Key result: holds a formula",
        ),
        (
            "Cut the cost of IT,Cut spend,finops,2025-Q2,=A1*2,108,k$",
            ":3:5: I103 Baseline: holds a formula ('=A1*2'): itokr imports values, not formulas",
        ),
        ("Cut the cost of IT,Cut spend,other,2025-Q2,120,108,k$", ":3:3: I105 owner is 'other'"),
        (
            "Cut the cost of IT,Cut spend,finops,2025-Q2,,108,k$",
            ":3:1: I101 key result 'Cut spend' is a metric without baseline",
        ),
        ("Fix the network,Cut spend,finops,bad-name,120,108,k$", ":3:4: I107 period 'bad-name'"),
        (
            ",Cut spend\x07,finops,2025-Q2,120,108,k$",
            ":3:2: I102 Key result: holds the control character",
        ),
    ],
)
def test_rows_that_cannot_be_mapped_are_listed_by_line_and_nothing_is_written(
    imported: Callable[..., tuple[Path, Result]], row: str, expected: str
) -> None:
    empty, result = imported("bad.csv", SIMPLE + row + "\n")
    assert result.exit_code == 1
    assert expected in result.stdout, result.stdout
    assert result.stdout.splitlines()[-1].startswith("Nothing written:")
    assert list(empty.iterdir()) == []


def test_a_period_whose_dates_disagree_with_its_name(
    imported: Callable[..., tuple[Path, Result]],
) -> None:
    _, result = imported(
        "dated.csv",
        SIMPLE.replace("Unit\n", "Unit,From,To\n").replace("k$\n", "k$,2025-04-01,2025-05-31\n"),
        "--map",
        "From=start",
        "--map",
        "To=end",
    )
    assert result.exit_code == 1
    assert (
        ":2:4: I105 period 2025-Q2 runs 2025-04-01..2025-06-30, but this row says "
        "2025-04-01..2025-05-31"
    ) in result.stdout


def test_a_huge_cell_is_a_finding(imported: Callable[..., tuple[Path, Result]]) -> None:
    _, result = imported("huge.csv", SIMPLE.replace("Cut the cost of IT", "x" * 40_000))
    assert result.exit_code == 1
    assert ":2:1: I104 Objective: holds 40,000 characters" in result.stdout


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # Excel's "Unicode text", with its BOM
        lambda text: text.replace(",", ";").encode("utf-8"),  # a European Excel
        lambda text: ("sep=;\n" + text.replace(",", ";")).encode("utf-8"),
        lambda text: text.replace(",", "\t").replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8", "bom", "utf-16", "semicolons", "sep-line", "tabs-crlf"],
)
def test_what_spreadsheets_save_reads_the_same(
    imported: Callable[..., tuple[Path, Result]], encode: Callable[[str], bytes]
) -> None:
    empty, result = imported("saved.csv", encode(SIMPLE.replace("Cut the cost", "Cut the cöst")))
    assert result.exit_code == 0, result.stdout + result.stderr
    entry = load_root(empty, empty).entries[0]
    assert entry.objective.title == "Cut the cöst of IT"
    assert entry.objective.key_results[0].title == "Cut cloud spend from 120 to 108"


def test_another_encoding_needs_to_be_named(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = tmp_path / "windows.csv"
    source.write_bytes(SIMPLE.replace("Cut the cost", "Cut the cöst").encode("cp1252"))
    refused = _simple(run, empty, source)
    assert refused.exit_code == 2
    assert "windows.csv:2: not UTF-8 text (byte 0xf6)" in refused.stderr
    assert "--encoding cp1252" in refused.stderr
    named = _simple(run, empty, source, "--encoding", "cp1252")
    assert named.exit_code == 0, named.stdout
    assert load_root(empty, empty).entries[0].objective.title == "Cut the cöst of IT"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b" \n\n", "is empty"),
        (b"\x00\x01\x02binary", "NUL bytes"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "old .xls workbook"),
        (b"PK\x03\x04not really a zip", "damaged zip"),
        (b"a,b\n1,2\n", "no header row with the columns Key result, Objective"),
        (
            SIMPLE.replace("Cut the cost of IT", "x" * 200_000).encode(),
            "odd.csv:2: not a CSV table: field larger than field limit",
        ),
        (_zipped("hello.txt", b"not a workbook"), "not an xlsx workbook itokr can read"),
    ],
    ids=str.split("empty blank binary xls damaged-zip no-header huge-cell zip"),
)
def test_files_that_are_no_such_table_exit_2(
    imported: Callable[..., tuple[Path, Result]], data: bytes, words: str
) -> None:
    _, result = imported("odd.csv", data)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_two_row_header_names_its_columns_by_place(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root({})
    source = tmp_path / "two-rows.csv"
    source.write_text(
        "Objective,,Key result,,\n"
        "Title,Owner,Title,From,To\n"
        "Cut the cost of IT,finops,Cut cloud spend from 120 to 108,120,108\n",
        encoding="utf-8",
    )
    maps = ["--map", "From=baseline", "--map", "To=target", "--map", "#1=objective_title"]
    ambiguous = _import(run, root, source, *maps, "--map", "Title=kr_title")
    assert ambiguous.exit_code == 2
    assert "2 columns named 'Title' (#1 and #3)" in ambiguous.stderr
    assert "--map '#3=kr_title'" in ambiguous.stderr
    result = _import(run, root, source, *maps, "--map", "#3=kr_title")
    assert result.exit_code == 0, result.stdout + result.stderr
    entry = load_root(root, root).entries[0]
    assert (entry.objective.title, entry.owner) == ("Cut the cost of IT", "finops")
    assert entry.objective.key_results[0].title == "Cut cloud spend from 120 to 108"


def test_a_table_without_rows_imports_nothing(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root({})
    source = tmp_path / "header.csv"
    source.write_text("objective_title,kr_title\n\n", encoding="utf-8")
    result = _import(run, root, source)
    assert result.exit_code == 0
    assert "nothing to import: " in result.stderr and result.stdout == ""
    assert list(root.iterdir()) == []


def test_without_a_map_an_unknown_sheet_exits_2_and_says_how(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = tmp_path / "plain.csv"
    source.write_text(SIMPLE, encoding="utf-8")
    result = _import(run, empty, source)
    assert result.exit_code == 2
    assert "--map COLUMN=FIELD" in result.stderr
    bad = _import(run, empty, source, "--map", "Objective=headline")
    assert bad.exit_code == 2 and "no field 'headline'" in bad.stderr
    missing = _import(run, empty, source, "--map", "Goal=objective_title")
    assert missing.exit_code == 2 and "no header row with the columns Goal" in missing.stderr


def _workbook(path: Path, rows: list[list[object]], merges: list[str]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    book.save(path)


def test_a_workbook_with_a_banner_merged_objectives_and_typed_cells(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = tmp_path / "okrs.xlsx"
    _workbook(
        source,
        [
            ["IT OKRs, second quarter", None, None, None, None, None, None],
            ["Objective", "Key result", "Owner", "Period", "Baseline", "Target", "Unit"],
            [
                "Cut the cost of IT",
                "Cut cloud spend from 120 to 108",
                "finops",
                "2025-Q2",
                120,
                108,
                "k$",
            ],
            [None, "Retire 2 legacy apps", None, None, 0, 2, "apps"],
        ],
        ["A1:G1", "A3:A4", "C3:C4", "D3:D4"],
    )
    result = _simple(run, empty, source)
    assert result.exit_code == 0, result.stdout + result.stderr
    entry = load_root(empty, empty).entries[0]
    assert [kr.title for kr in entry.objective.key_results] == [
        "Cut cloud spend from 120 to 108",
        "Retire 2 legacy apps",
    ]


def test_a_formula_in_a_workbook_is_a_finding(
    run: Callable[..., Result], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    empty = make_root({})
    source = tmp_path / "okrs.xlsx"
    _workbook(
        source,
        [
            ["Objective", "Key result", "Owner", "Period", "Baseline", "Target", "Unit"],
            ["Cut the cost of IT", "Cut spend", "finops", "2025-Q2", "=100+20", 108, "k$"],
        ],
        [],
    )
    result = _simple(run, empty, source)
    assert result.exit_code == 1
    # a formula is I103 in any column, as the README says: not "not a number"
    assert "okrs.xlsx[Sheet]:2:5: I103 Baseline: holds a formula ('=100+20')" in result.stdout


def test_a_workbook_that_unpacks_past_the_limit_exits_2(
    run: Callable[..., Result],
    make_root: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 2**20)  # a zip bomb, at a smaller scale
    source = tmp_path / "bomb.xlsx"
    source.write_bytes(_zipped("xl/sharedStrings.xml", b"\0" * (2 * 2**20)))
    result = _simple(run, make_root({}), source)
    assert result.exit_code == 2
    assert "unpacks to 2 MiB: not a workbook of OKRs (a zip bomb?)" in result.stderr
