"""`itokr report`: the numbers status shows, as markdown and as one self-contained page."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, Result, installed_itokr
from gitrepo import GitRepo, forget_git_variables, without_git_variables

Run = Callable[..., Result]
IT = EXAMPLES / "it-department"
AS_OF = "2026-11-21"

HOSTILE = """\
period: 2026-Q4
owner: "<b>ops</b>"
area: infrastructure
objectives:
  - id: hostile
    title: "<script>alert('x')</script> & friends"
    description: '<img src="https://evil.example/x.png">'
    key_results:
      - id: uptime
        title: "Uptime <svg onload=alert(1)>"
        unit: "%</text><script>"
        baseline: 99.5
        target: 99.9
        checkins:
          - {date: 2026-10-06, value: 99.6, note: "</td><script>alert(2)</script>"}
          - {date: 2026-11-06, value: 99.7, confidence: 0.8}
      - id: runbook
        title: Publish the runbook
        milestones:
          - {title: "draft <i>", done: true}
          - {title: review, done: false}
"""


def _report(run: Run, *args: str) -> Result:
    return run("--root", str(IT), "report", "--as-of", AS_OF, *args)


def _xml(page: str) -> ET.Element:
    """The page parsed as XML: it is written to be well-formed (polyglot) HTML."""
    assert page.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(page.split("\n", 1)[1])


def _fetched(root: ET.Element) -> list[str]:
    """Whatever the page would load or leave for: every src, every href but a #fragment."""
    return [
        value
        for e in root.iter()
        for name, value in e.attrib.items()
        if name == "src" or (name == "href" and not value.startswith("#"))
    ]


def _svgs(root: ET.Element, kind: str) -> list[ET.Element]:
    return [e for e in root.iter("svg") if e.get("class") == kind]


def test_markdown_summary_equals_status_json(run: Run) -> None:
    result = _report(run, "--period", "2026-Q4")
    assert result.exit_code == 0, result.stderr
    status = json.loads(
        run(
            "--root", str(IT), "status", "-f", "json", "--as-of", AS_OF, "--period", "2026-Q4"
        ).stdout
    )
    objectives = status["objectives"]
    text = result.stdout
    assert text.startswith("# Acme Corp IT — Review of 2026-Q4\n")
    assert f"{len(objectives)} objectives" in text
    # the summary line is status's own: the same counts, means and stale key results
    status_md = run(
        "--root", str(IT), "status", "-f", "markdown", "--as-of", AS_OF, "--period", "2026-Q4"
    ).stdout
    summary = re.search(r"mean score \d\.\d\d[^\n]*", text)
    assert summary is not None and summary[0] in status_md
    for objective in objectives:
        heading = f"### `{objective['id']}` "
        assert heading in text
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        assert f"Score: **{objective['score']:.2f}**" in section
        assert f"Health: **{objective['health']}**" in section
        for kr in objective["key_results"]:
            assert f"`{kr['ref']}`" in section
            assert f"| {kr['score']:.2f}" in section


def test_markdown_has_checkins_notes_forecasts_and_smart(run: Run) -> None:
    text = _report(run, "--period", "2026-Q4").stdout
    assert "images served from the CDN" in text  # a check-in note
    assert "→ 1.00" in text  # a forecast
    assert "mean SMART score" in text
    assert "| Area | Objectives | Mean score |" in text
    assert "| Owner | Objectives | Mean score |" in text
    assert "| committed | 1 |" in text


def test_default_selects_the_periods_running_on_as_of(run: Run) -> None:
    text = _report(run).stdout
    heading = text.splitlines()[0]
    assert "2026-Q4" in heading and "FY27" in heading and "2026-Q3" not in heading
    assert "q3-cloud-costs" not in text  # 2026-Q3 ended before 2026-11-21


def test_milestones_and_reasons_are_listed(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root(
        {
            "q4.yaml": HOSTILE.replace(
                "        target: 99.9\n", "        target: 99.9\n        reason: budget cut\n"
            )
        }
    )
    text = run("--root", str(root), "report", "--as-of", AS_OF).stdout
    assert "- `runbook` milestones: [x] draft &lt;i&gt;; [ ] review" in text  # no HTML
    assert "- `uptime` why it last changed: budget cut" in text


def test_an_empty_root_is_an_empty_review(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root({"empty.yaml": "# nothing planned yet\n"})
    result = run("--root", str(root), "report", "--as-of", AS_OF)
    assert result.exit_code == 0 and "No objectives to show." in result.stdout
    page = run("--root", str(root), "report", "--as-of", AS_OF, "-f", "html").stdout
    assert not _svgs(_xml(page), "burnup")
    filtered = run("--root", str(IT), "report", "--as-of", AS_OF, "--owner", "nobody")
    assert filtered.exit_code == 2 and "--owner nobody: no objective" in filtered.stderr


def test_unknown_period_exits_2_and_names_the_known_ones(run: Run) -> None:
    result = _report(run, "--period", "2031-Q9")
    assert result.exit_code == 2
    assert "2026-Q4" in result.stderr and result.stdout == ""


def test_a_real_period_no_objective_has_is_an_empty_review(run: Run) -> None:
    result = _report(run, "--period", "2031-Q1")
    assert result.exit_code == 0
    assert "0 objectives" in result.stdout
    assert result.stderr.startswith("itokr: --period 2031-Q1: no objective has this period; ")


def test_owner_and_area_that_do_not_meet_are_an_empty_review(run: Run) -> None:
    """Each exists, as `status` takes them: together they select nothing, no misuse."""
    result = _report(run, "--owner", "security-team", "--area", "finance")
    assert result.exit_code == 0 and "0 objectives" in result.stdout


def test_invalid_root_refuses_with_exit_1(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root({"bad.yaml": "objectives:\n  - id: Bad Id\n"})
    result = run("--root", str(root), "report", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "run itokr validate" in result.stderr and result.stdout == ""


def test_html_is_one_well_formed_self_contained_page(run: Run) -> None:
    result = _report(run, "--period", "2026-Q4", "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    root = _xml(page)
    HTMLParser().feed(page)
    status = json.loads(
        run(
            "--root", str(IT), "status", "-f", "json", "--as-of", AS_OF, "--period", "2026-Q4"
        ).stdout
    )
    metrics = sum(
        1 for o in status["objectives"] for k in o["key_results"] if k["kind"] == "metric"
    )
    assert len(_svgs(root, "burnup")) == metrics > 0
    assert len(_svgs(root, "scorebar")) == len(status["objectives"])
    assert 'name="viewport"' in page and "@media print" in page
    assert "<script" not in page.lower()
    assert not _fetched(root)
    assert "http://" not in page and "https://" not in page
    assert "url(" not in page and "@import" not in page  # the CSS fetches nothing either
    for burnup in _svgs(root, "burnup"):
        assert burnup.find("polyline") is not None  # the values
        assert any(line.get("class") == "expected" for line in burnup.iter("line"))


def test_hostile_strings_are_escaped(run: Run, make_root: Callable[..., Path]) -> None:
    root = make_root({"hostile.yaml": HOSTILE})
    for output in ("html", "markdown"):
        result = run("--root", str(root), "report", "--as-of", AS_OF, "-f", output)
        assert result.exit_code == 0, result.stderr
    page = run("--root", str(root), "report", "--as-of", AS_OF, "-f", "html").stdout
    tree = _xml(page)  # nothing hostile broke the structure
    assert "<script" not in page and "<img" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; friends" in page
    assert not _fetched(tree)
    texts = "".join(tree.itertext())
    assert "<script>alert('x')</script> & friends" in texts
    assert len(_svgs(tree, "burnup")) == 1


def test_output_writes_the_file_and_prints_its_path(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "review.html"
    target.write_text("old", encoding="utf-8")
    result = _report(run, "-f", "html", "--output", str(target))
    assert result.exit_code == 0
    assert result.stdout.strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in tmp_path.iterdir() if p.name != "review.html"]


def test_output_into_a_missing_directory_exits_1(run: Run, tmp_path: Path) -> None:
    result = _report(run, "--output", str(tmp_path / "nowhere" / "r.md"))
    assert result.exit_code == 1 and "nothing written" in result.stderr


def _commit_at(repo: GitRepo, date: str, message: str) -> None:
    env = {
        **without_git_variables(),
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@e.x",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@e.x",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "add", "-A"], cwd=repo.path, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo.path, check=True, env=env)


def test_what_changed_since_the_period_started(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/q4.yaml", HOSTILE.replace("target: 99.9", "target: 99.95"))
    _commit_at(repo, "2026-09-20T12:00:00", "plan Q4")
    repo.write("okrs/q4.yaml", HOSTILE)
    _commit_at(repo, "2026-10-20T12:00:00", "ease the uptime target")
    result = run("report", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    assert "## What changed since 2026-10-01" in result.stdout
    assert "`hostile/uptime` modified: target 99.95 → 99.9" in result.stdout
    html = run("report", "--as-of", AS_OF, "-f", "html", cwd=repo.path).stdout
    assert "target 99.95 → 99.9" in html


def test_outside_git_or_before_the_first_commit_the_changes_are_skipped(
    run: Run, tmp_path: Path, make_root: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    root = make_root({"q4.yaml": HOSTILE})
    outside = run("--root", str(root), "report", "--as-of", AS_OF)
    assert (
        outside.exit_code == 0
        and "Not compared: the OKR root is not in a git repository" in outside.stdout
    )
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "plans to come\n")
    _commit_at(repo, "2026-09-20T12:00:00", "a repository without the plan")
    repo.write("okrs/q4.yaml", HOSTILE)  # not committed yet
    young = run("report", "--as-of", AS_OF, cwd=repo.path)
    assert "Not compared: no commit holds these objectives yet" in young.stdout


PLAN = """\
period: 2026-Q4
owner: platform-team
area: infrastructure
objectives:
  - id: reliable
    title: Make the platform reliable
    key_results:
      - id: uptime
        title: Reach 99.9% uptime
        unit: "%"
        baseline: 99.5
        target: 99.9
        checkins:
          - {date: 2026-10-08, value: 99.6}
      - id: latency
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins:
          - {date: 2026-10-08, value: 240}
      - id: runbook
        title: Publish the DR runbook
        done: false
"""


def test_a_period_planned_after_it_started_shows_its_eased_targets_and_reasons_first(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/q4.yaml", PLAN)
    _commit_at(repo, "2026-10-09T12:00:00", "plan Q4, a week late")
    eased = PLAN.replace(
        "target: 99.9\n", "target: 99.8\n        reason: the provider's new SLA caps us at 99.8\n"
    )
    churn = eased.replace(
        "value: 240}\n", "value: 240}\n          - {date: 2026-10-19, value: 230}\n"
    )
    repo.write("okrs/q4.yaml", churn.split("      - id: runbook")[0])
    _commit_at(repo, "2026-10-20T12:00:00", "ease uptime, drop the runbook, a check-in")
    result = run("report", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Not compared" not in out
    assert (
        "), the first to hold these objectives, 8 days after it started "
        "(no earlier commit holds them): 0 added, 1 modified, 1 removed." in out
    )
    flags = out.index("**Flags for the reviewer**")
    eased_flag = out.index(
        "- ⚑ eased: `reliable/uptime` target eased: 99.9 → 99.8, towards the baseline 99.5 "
        "— reason: the provider's new SLA caps us at 99.8"
    )
    removed_flag = out.index(
        "- ⚑ removed: `reliable/runbook` removed after its period 2026-Q4 started on "
        "2026-10-01 — no reason given"
    )
    assert flags < eased_flag < removed_flag < out.index("## Objectives")
    # check-ins are progress, not a change of plan
    assert "`reliable/latency` modified" not in out and "checkins 1 → 2" not in out
    html = run("report", "--as-of", AS_OF, "-f", "html", cwd=repo.path).stdout
    assert "Flags for the reviewer" in html and "reason: the provider&#x27;s new SLA" in html


def test_installed_itokr_writes_html_and_usage_errors_exit_2(tmp_path: Path) -> None:
    itokr = installed_itokr()
    target = tmp_path / "r.html"
    done = subprocess.run(
        [itokr, "--root", str(IT), "report", "--as-of", AS_OF, "-f", "html", "-o", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == str(target) and done.stderr == ""
    bad = subprocess.run(
        [itokr, "--root", str(IT), "report", "--as-of", "2026-02-30"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == "" and "--as-of" in bad.stderr


HOSTILE_KPI = """\
owner: "<b>ops</b>"
kpis:
  - id: mttr
    title: "MTTR <script>alert(3)</script>"
    unit: "h</td>"
    good: 4
    bad: 8
    checkins:
      - {date: 2026-10-31, value: 9}
"""


def test_the_kpi_section_shows_what_kpis_shows(run: Run) -> None:
    kpis = json.loads(
        run("--root", str(IT), "kpis", "-f", "json", "--as-of", AS_OF, "--owner", "it-pmo").stdout
    )["kpis"]
    text = _report(run, "--owner", "it-pmo").stdout
    section = text.split("## KPIs\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| **`")]
    assert [row.split("`")[1] for row in rows] == [kpi["id"] for kpi in kpis]
    on_time = next(kpi for kpi in kpis if kpi["id"] == "projects-on-time")
    assert f"| {on_time['value']}% | {on_time['band']} | ≥ 85 | < 70 |" in rows[0]
    assert "`annual-project-delivery/on-time`" in rows[0]
    page = _report(run, "--owner", "it-pmo", "-f", "html").stdout
    table = next(e for e in _xml(page).iter("section") if e.get("id") == "kpis")
    assert len(table.findall(".//tbody/tr")) == len(kpis)


def test_kpi_strings_are_escaped_and_a_root_without_kpis_has_no_section(
    run: Run, make_root: Callable[..., Path]
) -> None:
    root = make_root({"hostile.yaml": HOSTILE, "kpis.yaml": HOSTILE_KPI})
    page = run("--root", str(root), "report", "--as-of", AS_OF, "-f", "html").stdout
    tree = _xml(page)
    assert "<script>alert(3)" not in page
    assert "MTTR <script>alert(3)</script>" in "".join(tree.itertext())
    (root / "kpis.yaml").unlink()
    plain = run("--root", str(root), "report", "--as-of", AS_OF).stdout
    assert "## KPIs" not in plain


def test_a_kpi_band_eased_during_the_period_is_in_the_review(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/q4.yaml", HOSTILE)
    repo.write("okrs/kpis.yaml", HOSTILE_KPI)
    _commit_at(repo, "2026-09-20T12:00:00", "plan Q4")
    repo.write("okrs/kpis.yaml", HOSTILE_KPI.replace("bad: 8", "bad: 10"))
    _commit_at(repo, "2026-10-20T12:00:00", "ease MTTR")
    result = run("report", "--as-of", AS_OF, cwd=repo.path)
    assert "- `mttr` modified: bad 8 → 10; band red → yellow ⚑ band eased: bad 8 → 10" in (
        result.stdout
    )


def test_a_kpi_whose_readings_alone_moved_is_no_change_of_plan(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readings are progress, as check-ins are: a new one, even one that moves the band,
    lists nothing under the changes since the period started."""
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "repo")
    repo.write("okrs/q4.yaml", HOSTILE)
    repo.write("okrs/kpis.yaml", HOSTILE_KPI)
    _commit_at(repo, "2026-09-20T12:00:00", "plan Q4")
    reading = "      - {date: 2026-11-15, value: 3}\n"
    repo.write("okrs/kpis.yaml", HOSTILE_KPI + reading)
    _commit_at(repo, "2026-11-15T12:00:00", "a green reading")
    result = run("report", "--as-of", AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    assert "`mttr`" not in result.stdout.split("## KPIs", 1)[1].split("\n## ", 1)[1]


def test_burnups_stay_inside_their_period(run: Run) -> None:
    """The example's key results tracking a KPI have readings from before 2026: the
    chart starts at the period, with the baseline standing for them."""
    page = _report(run, "--period", "2026", "-f", "html").stdout
    charts = _svgs(_xml(page), "burnup")
    assert charts
    for chart in charts:
        for dot in chart.iter("circle"):
            assert float(dot.get("cx", "0")) >= 56, chart.findtext("title")


def test_tooltip_numbers_are_rounded_like_the_table(run: Run) -> None:
    """The trend's end is computed: two decimals, as every computed number is shown."""
    page = run("--root", str(IT), "report", "--as-of", AS_OF, "-f", "html").stdout
    trends = re.findall(r"<title>trend at the end: ([^<]*)</title>", page)
    assert trends
    for text in trends:
        number = text.split()[0].rstrip("%")
        assert re.fullmatch(r"-?\d+(\.\d{1,2})?", number), text
