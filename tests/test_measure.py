"""`itokr measure` against real sources on this machine: a loopback JSON API, CSV and
JSON exports, commands. (Prometheus has its own module.) Each test checks what the
files hold afterwards, since that is what a user keeps."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, installed_itokr
from gitrepo import GitRepo
from itokr.loader import load_root
from itokr.model.keyresults import Metric, Threshold
from sourceservers import JsonServer, csat, direct_to_loopback, json_server

__all__ = ["direct_to_loopback"]  # an autouse fixture: on for every test here
SECRET = "s3cr3t-MARKER-7f41"  # in the environment only; no output may ever show it
AS_OF = "2026-11-20"


@pytest.fixture(scope="module")
def api() -> Iterator[JsonServer]:
    with json_server(SECRET, delay=3.0) as server:
        yield server


def config(api_url: str, extra: str = "") -> str:
    return textwrap.dedent(
        f"""\
        sources:
          sd:
            http: {api_url}/stats?day={{as_of}}
            headers: {{Authorization: "Bearer ${{ITOKR_TEST_TOKEN}}"}}
          slow:
            http: {api_url}/slow
            timeout: 0.5
          trickle:
            http: {api_url}/trickle
            timeout: 1
          broken:
            http: {api_url}/error?key=${{ITOKR_TEST_TOKEN}}
          finance:
            file: ../data/spend.csv
          tickets:
            file: ../data/tickets.json
          count:
            command: [{sys.executable}, scripts/count.py]
            timeout: 5
        """
    ) + textwrap.indent(textwrap.dedent(extra), "  ")


def key_result(kr_id: str, source: str, **fields: Any) -> str:
    lines = [f"      - id: {kr_id}", f"        title: Measure {kr_id} from its source"]
    if fields.pop("threshold", False):
        lines += ["        kind: threshold", "        direction: at_least"]
    else:
        lines.append(f"        baseline: {fields.pop('baseline', 0)}")
    lines.append(f"        target: {fields.pop('target', 10)}")
    lines += [f"        {key}: {value}" for key, value in fields.items()]
    lines.append(f"        source: {source}")
    return "\n".join(lines) + "\n"


def objective_file(objective: str, *key_results: str, period: str = "2026-Q4") -> str:
    head = (
        f"# Service desk numbers, kept by hand until now.\nperiod: {period}\n"
        f"owner: service-desk\narea: support\n\nobjectives:\n  - id: {objective}\n"
        f"    title: Keep the service desk numbers moving\n    key_results:\n"
    )
    return head + "".join(key_results)


@pytest.fixture
def root(tmp_path: Path, api: JsonServer) -> Path:
    """okrs/ with one file of source-backed key results, data exports and a script."""
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "itokr.yaml").write_text(config(api.url))
    (okrs / "desk.yaml").write_text(
        objective_file(
            "desk",
            key_result(
                "csat", "{from: sd, path: stats.csat.average}", baseline=3.9, target=4.5, unit="pts"
            ),
            key_result("spend", "{from: finance, column: spend_vs_plan}", baseline=1.1, target=1),
            key_result("open", "{from: tickets, column: open}", baseline=120, target=60),
        )
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "spend.csv").write_text(
        "date,spend_vs_plan,note\n2026-10-01,1.08,\n2026-10-31,1.04,\n2026-11-15,1.02,x\n"
    )
    (data / "tickets.json").write_text(
        json.dumps([{"date": "2026-11-19", "open": 95}, {"date": "2026-10-30", "open": "110"}])
    )
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "count.py").write_text(
        "import os, pathlib, sys\n"
        "day = os.environ['ITOKR_AS_OF']\n"
        "if 'fail' in sys.argv: sys.exit('cannot reach the deploy log')\n"
        "if 'sleep' in sys.argv: import time; time.sleep(30)\n"
        "if 'text' in sys.argv: print('lots'); sys.exit()\n"
        "if 'zero' in sys.argv: print('0.0'); sys.exit()\n"
        "print(int(day[-2:]) + len(sys.argv) - 1 + pathlib.Path('data').is_dir() * 100)\n"
    )
    return okrs


@pytest.fixture
def measure(run: Callable[..., Result], root: Path) -> Callable[..., Result]:
    def invoke(*args: str, token: str | None = SECRET) -> Result:
        env = {"ITOKR_TEST_TOKEN": token} if token is not None else {"ITOKR_TEST_TOKEN": ""}
        return run("--root", str(root), "measure", *args, env=env, cwd=root.parent)

    return invoke


def checkins(root: Path, ref: str) -> list[tuple[str, float, str | None]]:
    """(date, value, by) of a key result, as the files now hold them."""
    tree = load_root(root, root.parent)
    assert tree.findings == (), tree.findings
    objective_id, _, kr_id = ref.partition("/")
    entry = next(e for e in tree.entries if e.id == objective_id)
    kr = next(k for k in entry.objective.key_results if k.id == kr_id)
    assert isinstance(kr, Metric | Threshold)
    return [(str(c.date), c.value, c.by) for c in kr.checkins or ()]


def add_key_results(root: Path, *key_results: str) -> None:
    path = root / "desk.yaml"
    path.write_text(path.read_text() + "".join(key_results))


# ---------------------------------------------------------------- recording


def test_records_what_each_source_says_on_the_day_with_by(
    measure: Callable[..., Result], root: Path, api: JsonServer
) -> None:
    result = measure("--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    day = dt.date.fromisoformat(AS_OF)
    assert checkins(root, "desk/csat") == [(AS_OF, csat(day), "sd")]
    assert checkins(root, "desk/spend") == [(AS_OF, 1.02, "finance")]  # the row of 2026-11-15
    assert checkins(root, "desk/open") == [(AS_OF, 95, "tickets")]  # the JSON's newest row
    assert f"recorded {csat(day)} for desk/csat on {AS_OF} (by sd)" in result.stdout
    path, headers = next(r for r in api.requests if r[0].startswith("/stats"))
    assert path == f"/stats?day={AS_OF}"  # {as_of} is the measured day
    assert headers["Authorization"] == f"Bearer {SECRET}"  # ${VAR} expanded for the request


def test_git_diff_holds_only_the_new_checkins(
    measure: Callable[..., Result], root: Path, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path)
    repo.commit("OKRs")
    assert measure("--as-of", AS_OF).exit_code == 0
    diff = repo.git("diff", "--unified=0", "--", "okrs/desk.yaml")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "+        checkins:",
        f"+          - {{date: {AS_OF}, value: {csat(dt.date(2026, 11, 20))}, by: sd}}",
        "+        checkins:",
        f"+          - {{date: {AS_OF}, value: 1.02, by: finance}}",
        "+        checkins:",
        f"+          - {{date: {AS_OF}, value: 95, by: tickets}}",
    ]


def test_backfill_measures_each_step_inside_the_period_in_date_order(
    measure: Callable[..., Result], root: Path, api: JsonServer
) -> None:
    path = root / "desk.yaml"
    path.write_text(
        path.read_text().replace(
            "target: 4.5\n",
            "target: 4.5\n        checkins:\n"
            "          - {date: 2026-10-08, value: 4.2, note: read by hand}\n",
        )
    )
    # from before the quarter: September days are outside 2026-Q4 and not measured
    result = measure("desk/csat", "--since", "2026-09-24", "--every", "2w", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    days = ["2026-10-08", "2026-10-22", "2026-11-05", "2026-11-19", AS_OF]
    expected: list[tuple[str, float, str | None]] = [
        (day, csat(dt.date.fromisoformat(day)), "sd") for day in days
    ]
    expected[0] = ("2026-10-08", 4.2, None)  # a person's check-in of that day wins
    assert checkins(root, "desk/csat") == expected
    assert "kept desk/csat on 2026-10-08" in result.stdout
    assert "/stats?day=2026-10-08" not in [path for path, _ in api.requests]  # not even read
    assert checkins(root, "desk/spend") == []  # not among the REFs


def test_a_second_run_records_nothing(measure: Callable[..., Result], root: Path) -> None:
    assert measure("--as-of", AS_OF).exit_code == 0
    before = (root / "desk.yaml").read_bytes()
    result = measure("--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["checkins"] == [] and document["files"] == []
    assert {k["ref"] for k in document["kept"]} == {"desk/csat", "desk/spend", "desk/open"}
    assert (root / "desk.yaml").read_bytes() == before


def test_one_write_per_file(
    measure: Callable[..., Result], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itokr.safewrite import replace_file as real

    (root / "second.yaml").write_text(
        objective_file("more", key_result("spend", "{from: finance, column: spend_vs_plan}"))
    )
    writes: list[Path] = []

    def counted(path: Path, old: bytes, new: bytes) -> None:
        writes.append(path)
        real(path, old, new)

    monkeypatch.setattr("itokr.checkin.replace_file", counted)  # where checkin calls it
    result = measure("--since", "2026-11-01", "--every", "7d", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in writes) == ["desk.yaml", "second.yaml"]
    assert len(checkins(root, "desk/csat")) == 4  # 11-01, 11-08, 11-15, 11-20


def test_dry_run_prints_the_diff_and_writes_nothing(
    measure: Callable[..., Result], root: Path
) -> None:
    before = (root / "desk.yaml").read_bytes()
    result = measure("--as-of", AS_OF, "--dry-run")
    assert result.exit_code == 0
    assert (root / "desk.yaml").read_bytes() == before
    assert f"+          - {{date: {AS_OF}, value: 1.02, by: finance}}" in result.stdout
    assert "dry run, nothing written" in result.stderr


def test_measured_checkins_are_shown_by_status_score_and_history(
    run: Callable[..., Result], measure: Callable[..., Result], root: Path
) -> None:
    assert measure("--as-of", AS_OF).exit_code == 0
    at = ["--root", str(root)]
    status = json.loads(run(*at, "status", "-f", "json", "--as-of", AS_OF).stdout)
    krs = {kr["ref"]: kr for kr in status["objectives"][0]["key_results"]}
    assert krs["desk/spend"]["measured_by"] == "finance"
    assert run(*at, "checkin", "desk/spend", "1.01", "--as-of", "2026-11-21").exit_code == 0
    status = json.loads(run(*at, "status", "-f", "json", "--as-of", "2026-11-21").stdout)
    krs = {kr["ref"]: kr for kr in status["objectives"][0]["key_results"]}
    assert krs["desk/spend"]["measured_by"] is None  # the newest is a person's
    assert krs["desk/csat"]["measured_by"] == "sd"
    table = run(*at, "status", "--as-of", "2026-11-21").stdout
    assert "↻: by itokr measure" in table
    rows = {line.split()[0]: line for line in table.splitlines() if line.startswith("  ")}
    assert "↻" in rows["csat"] and "↻" not in rows["spend"]
    markdown = run(*at, "status", "-f", "markdown", "--as-of", "2026-11-21").stdout
    assert f"{AS_OF} by sd" in markdown
    score = run(*at, "score", "desk/csat", "--as-of", AS_OF).stdout
    assert f"{AS_OF}, measured by sd" in score
    assert "sd, path: stats.csat.average" in score
    history = json.loads(run(*at, "history", "desk/csat", "-f", "json").stdout)
    assert history["points"][-1]["checkins"][0]["by"] == "sd"


# ---------------------------------------------------------------- failures


def test_each_failure_is_a_finding_at_its_source_and_the_others_are_recorded(
    measure: Callable[..., Result], root: Path
) -> None:
    add_key_results(
        root,
        key_result("slow", "{from: slow, path: value}"),
        key_result("trickle", "{from: trickle, path: value}"),
        key_result("broken", "{from: broken, path: value}"),
        key_result("many", "{from: sd, path: 'teams[].open'}"),
        key_result("none", "{from: sd, path: stats.nps}"),
        key_result("empty", "{from: sd, path: empty}"),
        key_result("text", "{from: sd, path: stats.note}"),
        key_result("nan", "{from: sd, path: nan}"),
        key_result("late", "{from: finance, column: spend_vs_plan}", due="2026-12-01"),
        key_result("nocolumn", "{from: finance, column: spend}"),
        key_result("emptycell", "{from: finance, column: note}"),
        key_result("badpath", "{from: sd, path: 'stats.[bad'}"),
    )
    result = measure("--as-of", "2026-11-01", "--format", "json")
    assert result.exit_code == 1, result.stderr
    errors = json.loads(result.stdout)["errors"]
    lines = (root / "desk.yaml").read_text().splitlines()  # as the run left it
    got = {}
    for error in errors:
        assert lines[error["line"] - 1][error["col"] - 1 :].startswith("source:"), error
        assert error["message"].startswith(f"{error['ref']} on 2026-11-01: source ")
        got[error["ref"]] = error["code"]
    assert got == {
        "desk/slow": "E602",
        "desk/trickle": "E602",  # `timeout` bounds the whole answer
        "desk/broken": "E603",
        "desk/many": "E606",
        "desk/none": "E605",
        "desk/empty": "E605",
        "desk/text": "E607",
        "desk/nan": "E608",
        "desk/emptycell": "E605",
        "desk/nocolumn": "E604",
        "desk/badpath": "E604",
    }
    # the failing key results got nothing; the others were recorded
    assert checkins(root, "desk/slow") == checkins(root, "desk/nan") == []
    assert checkins(root, "desk/late") == [("2026-11-01", 1.04, "finance")]
    assert checkins(root, "desk/csat") == [("2026-11-01", csat(dt.date(2026, 11, 1)), "sd")]


def test_failures_are_path_line_col_lines_on_stderr_and_github_annotations(
    measure: Callable[..., Result], root: Path
) -> None:
    add_key_results(root, key_result("broken", "{from: broken, path: value}"))
    result = measure("--as-of", AS_OF)
    assert result.exit_code == 1
    lines = (root / "desk.yaml").read_text().splitlines()  # with the check-ins just made
    line = lines.index("        source: {from: broken, path: value}") + 1
    assert (
        f"okrs/desk.yaml:{line}:9: E603 desk/broken on {AS_OF}: source broken: "
        "HTTP 500 Internal Server Error"
    ) in result.stderr
    assert "E603" not in result.stdout
    github = measure("--as-of", AS_OF, "-f", "github", "desk/broken")
    assert github.stdout.startswith(f"::error file=okrs/desk.yaml,line={line},col=9,")
    assert "::E603 desk/broken" in github.stdout


def test_a_file_or_row_that_is_not_there(measure: Callable[..., Result], root: Path) -> None:
    (root.parent / "data" / "spend.csv").unlink()
    result = measure("--as-of", "2026-10-15", "--format", "json")
    codes = {e["ref"]: e["code"] for e in json.loads(result.stdout)["errors"]}
    assert codes == {"desk/spend": "E601", "desk/open": "E605"}  # no row on or before
    assert "cannot read ../data/spend.csv" in result.stdout
    assert result.exit_code == 1


def test_an_unset_variable_is_one_finding_per_key_result_and_not_a_validate_problem(
    run: Callable[..., Result], measure: Callable[..., Result], root: Path
) -> None:
    assert run("--root", str(root), "validate").exit_code == 0  # ITOKR_TEST_TOKEN unset
    result = measure("--since", "2026-11-01", "--as-of", AS_OF, "--format", "json", token=None)
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["ref"], e["code"], e["date"]) for e in errors] == [("desk/csat", "E609", None)]
    assert "${ITOKR_TEST_TOKEN}" in errors[0]["message"]
    assert checkins(root, "desk/csat") == []
    assert len(checkins(root, "desk/spend")) == 4  # the others were measured


# ---------------------------------------------------------------- commands


def test_a_command_prints_the_number_for_the_day(
    measure: Callable[..., Result], root: Path
) -> None:
    add_key_results(
        root,
        key_result("deploys", "{from: count}"),
        key_result("with-args", "{from: count, args: [--team, platform]}"),
        key_result("fails", "{from: count, args: [fail]}"),
        key_result("hangs", "{from: count, args: [sleep]}"),
        key_result("words", "{from: count, args: [text]}"),
        key_result("zero", "{from: count, args: [zero]}"),
    )
    result = measure("--as-of", AS_OF, "--format", "json")
    # the script prints the day of the month, + 1 per argument, + 100 when cwd has data/
    assert checkins(root, "desk/deploys") == [(AS_OF, 120, "count")]
    assert checkins(root, "desk/with-args") == [(AS_OF, 122, "count")]
    assert checkins(root, "desk/zero") == [(AS_OF, 0, "count")]  # a number like any other
    errors = {e["ref"]: e for e in json.loads(result.stdout)["errors"]}
    assert {ref: e["code"] for ref, e in errors.items()} == {
        "desk/fails": "E603",
        "desk/hangs": "E602",
        "desk/words": "E607",
    }
    assert "cannot reach the deploy log" in errors["desk/fails"]["message"]


def test_what_a_source_says_is_shown_inert(measure: Callable[..., Result], root: Path) -> None:
    """A command's stderr or an export's header is anyone's text: in a finding it cannot
    drive the terminal or the CI log, in any format (SPEC §3)."""
    (root.parent / "scripts" / "hostile.py").write_text(
        "import sys\nsys.exit('\\x1b[2J\\u202eevil\\u200b \\x9b2J')\n"
    )
    (root.parent / "data" / "hostile.csv").write_text(
        "date,\x1b]0;owned\x07,\u202eevil\n2026-11-01,1,2\n", encoding="utf-8"
    )
    config = root / "itokr.yaml"
    config.write_text(
        config.read_text()
        + f"  hostile:\n    command: [{sys.executable}, scripts/hostile.py]\n"
        + "  export:\n    file: ../data/hostile.csv\n"
    )
    add_key_results(
        root,
        key_result("stderr", "{from: hostile}"),
        key_result("header", "{from: export, column: spend}"),  # lists the columns it has
    )
    for output in ("text", "json", "github"):
        result = measure("--as-of", AS_OF, "desk/stderr", "desk/header", "-f", output)
        assert result.exit_code == 1
        shown = result.stdout + result.stderr
        assert "E603" in shown and "E604" in shown
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u200b]", shown), shown
        assert "x1b]0;owned" in shown and "u202eevil" in shown  # escaped, as \x1b, \u202e


# ---------------------------------------------------------------- refusals and misuse


def test_an_invalid_root_is_refused_before_any_source_is_read(
    measure: Callable[..., Result], root: Path, api: JsonServer
) -> None:
    (root / "broken.yaml").write_text("objectives:\n  - id: Bad Id\n")
    asked = len(api.requests)
    before = (root / "desk.yaml").read_bytes()
    result = measure("--as-of", AS_OF)
    assert result.exit_code == 1
    assert "refusing to measure" in result.stderr and "itokr validate" in result.stderr
    assert len(api.requests) == asked
    assert (root / "desk.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--every", "7d"], "give --since too"),
        (["--since", "2026-11-01", "--every", "7"], "such as 7d or 2w"),
        (["--since", "2026-11-01", "--every", "0d"], "such as 7d or 2w"),
        (["--since", "2026-11-21"], "after --as-of"),
        (["--as-of", "2999-01-01"], "after today"),
        (["--since", "1066-10-14"], "1900 to 2999"),
        (["--since", "2026-02-30"], "real date"),
        (["nope/csat"], "unknown objective"),
        (["desk/nope"], "unknown key result"),
    ],
)
def test_misuse_exits_2_before_anything_is_read(
    measure: Callable[..., Result], api: JsonServer, args: list[str], says: str
) -> None:
    asked = len(api.requests)
    result = measure(*args, *([] if "--as-of" in args else ["--as-of", AS_OF]))
    assert result.exit_code == 2
    assert says in result.stderr
    assert len(api.requests) == asked


def test_a_ref_without_a_source_is_misuse(measure: Callable[..., Result], root: Path) -> None:
    path = root / "desk.yaml"
    path.write_text(
        path.read_text().replace("        source: {from: finance, column: spend_vs_plan}\n", "")
    )
    result = measure("desk/spend", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "desk/spend has no `source:`" in result.stderr


def test_a_root_without_sources_has_nothing_to_measure(
    run: Callable[..., Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"a.yaml": objective_file("plain", "      - {id: k, title: t, done: true}\n")})
    result = run("--root", str(root), "measure", "--as-of", AS_OF)
    assert (result.exit_code, result.stdout) == (
        0,
        "no key result or KPI has a `source:`: nothing to measure\n",
    )


def test_outside_the_period_nothing_is_measured(measure: Callable[..., Result], root: Path) -> None:
    result = measure("--as-of", "2026-09-30", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["checkins"] == []
    assert sorted(document["outside_period"]) == ["desk/csat", "desk/open", "desk/spend"]


def test_reads_run_concurrently_but_at_most_eight_at_once(
    tmp_path: Path, run: Callable[..., Result], api: JsonServer
) -> None:
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "itokr.yaml").write_text(f"sources:\n  paced:\n    http: {api.url}/paced\n")
    krs = [key_result(f"kr-{n}", "{from: paced, path: value}") for n in range(24)]
    (okrs / "many.yaml").write_text(objective_file("many", *krs))
    api.most_in_flight = 0
    result = run("--root", str(okrs), "measure", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert 2 <= api.most_in_flight <= 8


# ---------------------------------------------------------------- secrets


def _every_output(measure: Callable[..., Result], *args: str) -> str:
    outputs = []
    for fmt in ("text", "json", "github"):
        result = measure("--as-of", AS_OF, "--format", fmt, *args)
        outputs += [result.stdout, result.stderr]
    return "\n".join(outputs)


def test_no_secret_in_any_output_of_any_failure(
    measure: Callable[..., Result], root: Path, api: JsonServer
) -> None:
    (root / "itokr.yaml").write_text(
        config(
            api.url,
            f"""\
            refused:
              http: http://127.0.0.1:9/x?token=${{ITOKR_TEST_TOKEN}}
              headers: {{X-Api-Key: "${{ITOKR_TEST_TOKEN}}"}}
            echo:
              command:
                - {sys.executable}
                - -c
                - "import sys; sys.exit('token: ' + sys.argv[1])"
                - ${{ITOKR_TEST_TOKEN}}
            """,
        )
    )
    add_key_results(
        root,
        key_result("refused", "{from: refused, path: value}"),
        key_result("broken", "{from: broken, path: value}"),
        key_result("slow", "{from: slow, path: value}"),
        key_result("echo", "{from: echo}"),
    )
    seen = _every_output(measure, "--dry-run")
    assert SECRET in "".join(headers.get("X-Api-Key", "") for _, headers in api.requests) or any(
        SECRET in path for path, _ in api.requests
    )  # the secret did go out to the sources; it only never comes back
    assert "E601" in seen and "E603" in seen and "E602" in seen
    assert "token: ***" in seen  # the command said it; itokr masked it
    assert SECRET not in seen


def test_no_secret_in_an_internal_error_even_with_debug(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug while reading (here: forced) shows its traceback under --debug, and the
    message it carries has the secret masked."""
    import itokr.sources.jsonapi
    from itokr.cli import run as itokr_run

    def broken(session: Any, url: str, *args: Any, **kwargs: Any) -> float:
        raise RuntimeError(f"bug while reading {url} with {kwargs['headers']}")

    monkeypatch.setattr(itokr.sources.jsonapi, "read", broken)
    monkeypatch.setenv("ITOKR_TEST_TOKEN", SECRET)
    monkeypatch.chdir(root.parent)
    for debug in (["--debug"], []):
        code = itokr_run([*debug, "--root", str(root), "measure", "--as-of", AS_OF, "desk/csat"])
        captured = capsys.readouterr()
        assert code == 3
        assert "RuntimeError: bug while reading http://127.0.0.1" in captured.err
        assert ("Traceback" in captured.err) == bool(debug)
        assert SECRET not in captured.out + captured.err
        assert "'Authorization': '***'" in captured.err  # a header value is a secret whole


def test_the_installed_command_keeps_stdout_for_the_report(root: Path) -> None:
    itokr = installed_itokr()
    env = {"PATH": "/usr/bin:/bin", "ITOKR_TEST_TOKEN": SECRET}
    done = subprocess.run(
        [itokr, "--root", str(root), "measure", "--as-of", AS_OF, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root.parent,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert done.stderr == ""
    add_key_results(root, key_result("broken", "{from: broken, path: value}"))
    done = subprocess.run(
        [itokr, "--root", str(root), "measure", "--as-of", AS_OF, "desk/broken"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root.parent,
        timeout=60,
    )
    assert done.returncode == 1
    assert "E603" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.startswith("measure ")  # the summary; nothing was recorded


def test_a_checkin_made_while_sources_were_read_wins(
    measure: Callable[..., Result], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The root is read again under the lock: a person's check-in of the day, made
    while the sources answered, is kept and the measured number is dropped."""
    from itokr.checkin import record_checkins as real

    def person_first(requests: Any, okrs: Path, cwd: Path, **options: Any) -> Any:
        path = okrs / "desk.yaml"
        path.write_text(
            path.read_text().replace(
                "source: {from: finance, column: spend_vs_plan}\n",
                "source: {from: finance, column: spend_vs_plan}\n        checkins:\n"
                f"          - {{date: {AS_OF}, value: 1.5, note: from the finance call}}\n",
            )
        )
        return real(requests, okrs, cwd, **options)

    monkeypatch.setattr("itokr.measure.record_checkins", person_first)  # where measure calls it
    result = measure("--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0
    assert checkins(root, "desk/spend") == [(AS_OF, 1.5, None)]
    assert json.loads(result.stdout)["kept"] == [{"ref": "desk/spend", "date": AS_OF}]
    assert checkins(root, "desk/open") == [(AS_OF, 95, "tickets")]


def test_a_file_that_cannot_be_edited_in_place_is_a_finding_and_the_others_are_written(
    measure: Callable[..., Result], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import itokr.roundtrip

    (root / "second.yaml").write_text(
        objective_file("more", key_result("spend", "{from: finance, column: spend_vs_plan}"))
    )
    real = itokr.roundtrip.add_checkin

    def refuse_desk(body: str, *args: Any) -> Any:
        if "id: desk" in body:
            raise itokr.roundtrip.EditError("a layout it cannot splice")
        return real(body, *args)

    monkeypatch.setattr(itokr.roundtrip, "add_checkin", refuse_desk)
    before = (root / "desk.yaml").read_bytes()
    result = measure("--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {(e["ref"], e["code"]) for e in errors} == {
        ("desk/csat", "E610"),
        ("desk/spend", "E610"),
        ("desk/open", "E610"),
    }
    assert "cannot edit this file in place" in errors[0]["message"]
    assert (root / "desk.yaml").read_bytes() == before
    assert checkins(root, "more/spend") == [(AS_OF, 1.02, "finance")]


# ---------------------------------------------------------------- the README


def _readme_section() -> str:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Key results that measure themselves")
    return readme[start : readme.index("\n## ", start + 1)]


def test_every_measure_code_is_documented() -> None:
    from itokr.measure import CODES

    section = _readme_section()
    assert [code for code in CODES if f"| {code} |" not in section] == []


def test_the_readmes_sources_and_workflow_are_valid() -> None:
    import yaml

    from itokr import yamlio
    from itokr.model.config import Config

    blocks = _readme_section().split("```yaml\n")[1:]
    sources, workflow = blocks[0].split("```")[0], blocks[-1].split("```")[0]
    config = Config.model_validate(yamlio.read(sources.encode()))
    assert {name: s.type for name, s in config.sources.items()} == {
        "prom": "prometheus",
        "servicedesk": "http",
        "finance": "file",
        "deploys": "command",
    }
    steps = yaml.safe_load(workflow)["jobs"]["measure"]["steps"]
    assert any("itokr measure --as-of" in step.get("run", "") for step in steps)


def _changes_since_head(run: Callable[..., Result], repo: Path) -> dict[str, Any]:
    """`itokr diff HEAD`'s changes, by ref."""
    result = run("diff", "HEAD", "--format", "json", "--as-of", AS_OF, cwd=repo)
    return {c["ref"]: c for c in json.loads(result.stdout)["changes"]}


def test_a_changed_source_shows_in_diff(
    run: Callable[..., Result], root: Path, tmp_path: Path
) -> None:
    """Where a number comes from is part of the goal: a reviewer sees it move."""
    repo = GitRepo(tmp_path)
    repo.commit("OKRs")
    repo.edit("okrs/desk.yaml", "column: spend_vs_plan", "column: note")
    changes = _changes_since_head(run, tmp_path)
    assert changes["desk/spend"]["fields"] == {
        "source": ["finance, column: spend_vs_plan", "finance, column: note"]
    }
    text = run("diff", "HEAD", "--as-of", AS_OF, cwd=tmp_path).stdout
    assert "finance, column: note" in text


# ---------------------------------------------------------------- KPIs (SPEC §6)

KPI_FILE = """\
# Service desk KPIs, read every week.
owner: service-desk
kpis:
  - id: desk-csat
    title: Service desk satisfaction
    unit: pts
    good: 4.3
    bad: 3.8
    every: 1w
    source: {from: sd, path: stats.csat.average}
    checkins:
      - {date: 2026-09-10, value: 4.0, note: survey by hand}
  - id: desk-backlog
    title: Open tickets at the end of the day
    good: 60
    bad: 120
    source: {from: tickets, column: open}
  - id: desk-errors
    title: Failed requests to the desk's API
    good: 0
    bad: 10
    source: {from: broken, path: value}
  - id: desk-handled
    title: Tickets handled per technician
    good: 45
    bad: 35
objectives:
  - id: happier
    title: Make service desk users happier this quarter
    period: 2026-Q4
    key_results:
      - id: csat-up
        title: Raise desk satisfaction from 4.0 to 4.5
        baseline: 4.0
        target: 4.5
        kpi: desk-csat
      - id: handled-up
        title: Handle 45 tickets per technician, up from 35
        baseline: 35
        target: 45
        kpi: desk-handled
"""


def kpi_readings(root: Path, kpi_id: str) -> list[tuple[str, float, str | None]]:
    """(date, value, by) of a KPI, as the files now hold them."""
    tree = load_root(root, root.parent)
    assert tree.findings == (), tree.findings
    kpi = next(entry.kpi for entry in tree.kpis if entry.id == kpi_id)
    return [(str(c.date), c.value, c.by) for c in kpi.checkins or ()]


@pytest.fixture
def kpi_root(root: Path) -> Path:
    """The root with a file of source-backed KPIs and key results that track them."""
    (root / "kpis.yaml").write_text(KPI_FILE)
    return root


def test_a_kpi_is_measured_on_every_day_and_moves_the_key_results_tracking_it(
    run: Callable[..., Result], measure: Callable[..., Result], kpi_root: Path, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path)
    repo.commit("OKRs")
    # from before the quarter: a KPI has no period, so September is measured for it,
    # while the key result desk/csat (2026-Q4) starts in October
    result = measure("--since", "2026-09-24", "--every", "2w", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 1  # some sources fail: see below
    days = ["2026-09-24", "2026-10-08", "2026-10-22", "2026-11-05", "2026-11-19", AS_OF]
    assert kpi_readings(kpi_root, "desk-csat") == [
        ("2026-09-10", 4.0, None),
        *((day, csat(dt.date.fromisoformat(day)), "sd") for day in days),
    ]
    assert [day for day, _, _ in checkins(kpi_root, "desk/csat")] == days[1:]
    assert kpi_readings(kpi_root, "desk-backlog")[-1] == (AS_OF, 95, "tickets")
    document = json.loads(result.stdout)
    assert "desk-csat" not in document["outside_period"]
    failed: dict[tuple[str, str], list[str]] = {}
    for error in document["errors"]:
        failed.setdefault((error["ref"], error["code"]), []).append(error["date"])
    assert (
        failed
        == {
            ("desk-errors", "E603"): days,  # its source answers 500
            ("desk-backlog", "E605"): days[:3],  # the export's first row is of 2026-10-30
            ("desk/open", "E605"): days[1:3],
        }
    )
    error = next(e for e in document["errors"] if e["ref"] == "desk-errors")
    lines = (kpi_root / "kpis.yaml").read_text().splitlines()  # as the run left it
    assert error["path"].endswith("kpis.yaml")
    assert lines[error["line"] - 1][error["col"] - 1 :] == "source: {from: broken, path: value}"
    assert kpi_readings(kpi_root, "desk-errors") == []
    # the file's diff holds the new readings and nothing else
    diff = repo.git("diff", "--unified=0", "--", "okrs/kpis.yaml")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert all(line.startswith("+") for line in changed)
    assert f"+      - {{date: {AS_OF}, value: {csat(dt.date(2026, 11, 20))}, by: sd}}" in changed
    # the key result tracking the KPI moves, and shows its value was measured
    at = ["--root", str(kpi_root)]
    status = json.loads(run(*at, "status", "-f", "json", "--as-of", AS_OF).stdout)
    tracking = next(
        kr
        for o in status["objectives"]
        for kr in o["key_results"]
        if kr["ref"] == "happier/csat-up"
    )
    assert (tracking["current"], tracking["measured_by"]) == (csat(dt.date(2026, 11, 20)), "sd")
    kpis = json.loads(run(*at, "kpis", "-f", "json", "--as-of", AS_OF).stdout)
    assert next(k for k in kpis["kpis"] if k["id"] == "desk-csat")["value"] == csat(
        dt.date(2026, 11, 20)
    )
    history = json.loads(run(*at, "history", "desk-csat", "-f", "json", "--as-of", AS_OF).stdout)
    assert history["points"][-1]["checkins"][0]["by"] == "sd"


def test_measured_by_is_of_the_checkins_known_on_the_day(
    run: Callable[..., Result], measure: Callable[..., Result], kpi_root: Path
) -> None:
    """At --as-of D, a check-in dated after D does not exist: not for measured_by either."""
    assert measure("desk-csat", "--as-of", AS_OF).exit_code == 0
    at = ["--root", str(kpi_root)]
    assert run(*at, "checkin", "desk-csat", "4.4", "--as-of", "2026-11-21").exit_code == 0

    def measured_by(day: str) -> str | None:
        status = json.loads(run(*at, "status", "-f", "json", "--as-of", day).stdout)
        by: str | None = next(
            kr["measured_by"]
            for o in status["objectives"]
            for kr in o["key_results"]
            if kr["ref"] == "happier/csat-up"
        )
        return by

    assert measured_by("2026-11-21") is None  # the newest is a person's
    assert measured_by(AS_OF) == "sd"  # on D, the measured one was the newest
    assert measured_by("2026-11-19") is None  # before it: the reading by hand of 09-10
    score = run(*at, "score", "happier/csat-up", "--as-of", AS_OF).stdout
    assert f"{AS_OF}, measured by sd" in score


def test_a_kpi_reading_of_the_day_is_kept(measure: Callable[..., Result], kpi_root: Path) -> None:
    path = kpi_root / "kpis.yaml"
    path.write_text(
        path.read_text().replace(
            "      - {date: 2026-09-10, value: 4.0, note: survey by hand}\n",
            "      - {date: 2026-09-10, value: 4.0, note: survey by hand}\n"
            f"      - {{date: {AS_OF}, value: 4.1}}\n",
        )
    )
    result = measure("desk-csat", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert f"kept desk-csat on {AS_OF}" in result.stdout
    assert kpi_readings(kpi_root, "desk-csat")[-1] == (AS_OF, 4.1, None)


def test_refs_name_kpis_and_a_tracking_key_result_measures_its_kpi(
    measure: Callable[..., Result], kpi_root: Path
) -> None:
    result = measure("happier/csat-up", "--as-of", AS_OF, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [c["ref"] for c in json.loads(result.stdout)["checkins"]] == ["desk-csat"]
    result = measure("happier", "desk-backlog", "--as-of", "2026-11-21", "-f", "json")
    assert result.exit_code == 0, result.stderr
    refs = sorted(c["ref"] for c in json.loads(result.stdout)["checkins"])
    assert refs == ["desk-backlog", "desk-csat"]  # the objective's KPI with a source, and one
    assert checkins(kpi_root, "desk/csat") == []  # not asked for


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("desk-handled", "KPI desk-handled has no `source:`"),
        ("happier/handled-up", "tracks the KPI desk-handled, which has no `source:`"),
        ("desk-csta", "unknown objective or KPI 'desk-csta'; did you mean desk-csat"),
    ],
)
def test_a_kpi_ref_without_a_source_or_unknown_is_misuse(
    measure: Callable[..., Result], kpi_root: Path, ref: str, says: str
) -> None:
    result = measure(ref, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert says in result.stderr


def test_a_kpis_changed_source_shows_in_diff(
    run: Callable[..., Result], kpi_root: Path, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path)
    repo.commit("OKRs")
    repo.edit("okrs/kpis.yaml", "column: open}", "column: closed}")
    changes = _changes_since_head(run, tmp_path)
    assert changes["desk-backlog"]["fields"] == {
        "source": ["tickets, column: open", "tickets, column: closed"]
    }
