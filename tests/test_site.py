"""`itokr site`: the pages, their numbers, links and safety, and how OUTDIR is written.

The browser's view (scripts, layout, printing) is in test_site_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, Result, installed_itokr
from gitrepo import forget_git_variables
from itokr.cli.app import app
from itokr.render.plain import number
from sitepages import local_target, pages, parse
from test_history import DatedRepo  # commits on the dates a test names
from test_report import PLAN  # a Q4 plan: uptime, latency, runbook

if TYPE_CHECKING:
    from itokr.crosscheck import Entry

Run = Callable[..., Result]
IT = EXAMPLES / "it-department"
AS_OF = "2026-11-21"
EPOCH = "1795000000"  # 2026-11-18 11:06:40 UTC


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example root's site, built once for the tests that only read it."""
    out = tmp_path_factory.mktemp("site") / "public"
    done = CliRunner().invoke(
        app,
        ["--root", str(IT), "site", str(out), "--as-of", AS_OF],
        env={"SOURCE_DATE_EPOCH": EPOCH},
        catch_exceptions=False,
    )
    assert done.exit_code == 0, done.stderr
    return out


def _status(run: Run, *args: str) -> dict[str, dict[str, Any]]:
    result = run("--root", str(IT), "status", "-f", "json", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.stderr
    return {o["id"]: o for o in json.loads(result.stdout)["objectives"]}


def _rows(page: Path) -> dict[str, dict[str, str]]:
    """The objectives table of an overview page: per objective id, its cells as shown."""
    html = page.read_text(encoding="utf-8")
    rows = {}
    for row in re.findall(r'<tr role="row" data-health=.*?</tr>', html, re.S):
        ident = re.search(r"<code>([a-z0-9-]+)</code>", row)
        assert ident is not None
        shown = {}
        for attrs, text in re.findall(r"<td ([^>]*)>(.*?)</td>", row, re.S):
            label = re.search(r'data-label="([^"]*)"', attrs)
            shown[label[1] if label else "Objective"] = re.sub(r"<[^>]+>", " ", text).split()
        rows[ident[1]] = {
            "health": re.search(r'data-health="([^"]*)"', row)[1],  # type: ignore[index]
            "score": shown["Score"][-1],
            "expected": shown["Expected"][-1],
            "confidence": shown["Confidence"][-1],
        }
    return rows


def _two(value: object) -> str:
    return "—" if value is None else f"{value:.2f}"


def test_every_number_on_the_overview_is_the_one_status_shows(site: Path, run: Run) -> None:
    status = _status(run)
    rows = _rows(site / "index.html")
    assert set(rows) == set(status)  # all periods by default: every objective of the root
    for ident, objective in status.items():
        row = rows[ident]
        assert row["score"] == _two(objective["score"]), ident
        assert row["expected"] == _two(objective["expected"]), ident
        assert row["confidence"] == _two(objective["confidence"]), ident
        assert row["health"] == (objective["health"] or "no-period"), ident


def test_the_health_chart_counts_what_status_counts(site: Path, run: Run) -> None:
    counted: dict[str, int] = {}
    for objective in _status(run).values():
        key = str(objective["health"] or "no-period")
        counted[key] = counted.get(key, 0) + 1
    chart = (site / "index.html").read_text(encoding="utf-8").split('class="healthchart"')[1]
    chart = chart.split("</figure>")[0]
    shown = dict(
        (health, int(count))
        for health, count in re.findall(
            r'data-filter-health="([a-z-]+)".*?<td class="num">(\d+)</td>', chart, re.S
        )
    )
    assert shown == counted


def test_each_objective_page_shows_its_key_results_as_status_does(site: Path, run: Run) -> None:
    for ident, objective in _status(run).items():
        page = site / "objectives" / f"{ident}.html"
        text = parse(page).text
        assert objective["title"].strip() in text
        for kr in objective["key_results"]:
            assert kr["title"].strip() in text
            row = page.read_text(encoding="utf-8").split(f'id="kr-{kr["ref"].split("/")[1]}"')[1]
            row = re.sub(r"<[^>]+>", " ", row.split("</tr>")[0])
            assert _two(kr["score"]) in row.split(), (ident, kr["ref"])


def test_the_kpi_page_shows_what_kpis_shows(site: Path, run: Run) -> None:
    """SPEC §9: a KPI page when the root has KPIs, its numbers those of `itokr kpis`, each
    tracking key result linked to its objective's page; every page's header links it."""
    result = run("--root", str(IT), "kpis", "-f", "json", "--as-of", AS_OF)
    kpis = {kpi["id"]: kpi for kpi in json.loads(result.stdout)["kpis"]}
    html = (site / "kpis.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr role="row" id="kpi-([a-z0-9-]+)">(.*?)</tr>', html, re.S)
    assert [ident for ident, _ in rows] == list(kpis)
    for ident, row in rows:
        kpi, words = kpis[ident], re.sub(r"<[^>]+>", " ", row).split()
        assert (kpi["band"] or "no") in words, ident
        assert ("stale" in words) is kpi["stale"], ident
        assert (kpi["last_checkin"] or "—") in words, ident
        if kpi["value"] is not None:
            assert number(kpi["value"]) in " ".join(words), ident
        linked = re.findall(r'<a href="objectives/([a-z0-9-]+)\.html"><code>([^<]+)</code>', row)
        assert [ref for _, ref in linked] == kpi["key_results"], ident
        assert all(ref.startswith(f"{page}/") for page, ref in linked)
    for page in pages(site):  # the header of every page links it
        assert any(href.endswith("kpis.html") for href in parse(page).hrefs()), page.name


def test_a_root_without_kpis_has_no_kpi_page(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "q4.yaml").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "public"
    assert run("--root", str(root), "site", str(out), "--as-of", AS_OF).exit_code == 0
    assert not (out / "kpis.html").exists()
    assert "kpis.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_every_objective_and_owner_is_reached_by_links_from_the_index(site: Path) -> None:
    seen, todo = set(), [site / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for href in parse(page).hrefs():
            target = local_target(page, href)
            if target is not None and target.suffix == ".html":
                assert target.is_file(), f"{page.name} links to missing {href}"
                todo.append(target)
    assert seen == set(pages(site))
    ids = {e.id for e in _entries()}
    assert {p.stem for p in (site / "objectives").glob("*.html")} == ids


def _entries() -> list[Entry]:
    from itokr.loader import load_root

    return list(load_root(IT, Path.cwd()).entries)


def test_links_never_leave_the_site_and_nothing_is_fetched(site: Path) -> None:
    for page in pages(site):
        parsed = parse(page)
        for href in parsed.hrefs():
            assert not re.match(r"[a-z][a-z0-9+.-]*:|//", href), (page, href)
        assert not any("src" in e.attrs and e.tag != "script" for e in parsed.elements)
        scripts = [e.attrs.get("src") for e in parsed.all("script")]
        assert len(scripts) == 1 and scripts[0].endswith("site.js")  # type: ignore[union-attr]
        csp = parsed.all("meta", http_equiv="Content-Security-Policy")
        assert csp and "default-src 'none'" in csp[0].attrs["content"]
        assert "style=" not in page.read_text(encoding="utf-8")  # the CSP allows no inline style


def test_every_page_has_the_as_of_and_generation_dates_and_its_landmarks(site: Path) -> None:
    for page in pages(site):
        parsed = parse(page)
        html = page.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
        assert f'As of <time datetime="{AS_OF}">{AS_OF}</time>' in html
        assert 'Generated <time datetime="2026-11-18T11:06:40Z">2026-11-18 11:06 UTC</time>' in html
        for landmark in ("header", "nav", "main", "footer"):
            assert parsed.all(landmark), (page.name, landmark)
        assert len(parsed.all("main")) == 1 and len(parsed.all("h1")) == 1
        assert parsed.all("title")[0].text.strip()
        for table in re.findall(r"<table.*?</table>", html, re.S):
            headers = re.findall(r"<th\b[^>]*>", table)
            assert headers and all("scope=" in h for h in headers), page.name


def test_owner_pages_list_exactly_their_objectives(site: Path) -> None:
    owners: dict[str, set[str]] = {}
    for entry in _entries():
        if entry.owner:
            owners.setdefault(entry.owner, set()).add(entry.id)
    links = parse(site / "owners" / "index.html").links()
    assert set(links) == set(owners)
    for owner, ids in owners.items():
        page = site / "owners" / links[owner]
        assert set(_rows(page)) == ids, owner


def test_period_picks_one_period_and_an_unknown_one_exits_2(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "q4"
    done = run("--root", str(IT), "site", str(out), "--period", "2026-Q4", "--as-of", AS_OF)
    assert done.exit_code == 0, done.stderr
    q4 = {e.id for e in _entries() if e.period is not None and e.period.name == "2026-Q4"}
    assert set(_rows(out / "index.html")) == q4
    assert {p.stem for p in (out / "objectives").glob("*.html")} == q4
    unknown = run("--root", str(IT), "site", str(tmp_path / "x"), "--period", "2031-Q9")
    assert unknown.exit_code == 2 and "--period 2031-Q9" in unknown.stderr
    assert not (tmp_path / "x").exists()


# HTML and links from the files; a bidirectional control in a title is E108 (an invalid
# root, which `site` refuses), so the templates' own [U+202E] is tested on its own below.
HOSTILE = """\
period: 2026-Q4
owner: "\\"><script>alert(1)</script>"
area: ops
objectives:
  - id: hostile
    title: "<script>alert('x')</script> gnp.exe & friends"
    description: '<img src="https://evil.example/x.png" onerror=alert(1)>'
    key_results:
      - id: uptime
        title: "javascript:alert(1) <a href=javascript:alert(2)>click</a>"
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


def test_text_from_the_files_renders_inert(
    run: Run, tmp_path: Path, make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": HOSTILE})
    out = tmp_path / "site"
    done = run("--root", str(root), "site", str(out), "--as-of", AS_OF)
    assert done.exit_code == 0, done.stderr
    for page in pages(out):
        html = page.read_text(encoding="utf-8")
        parsed = parse(page)
        assert "<script>" not in html and "<img" not in html and "<a href=javascript" not in html
        assert len(parsed.all("script")) == 1  # only the site's own
        assert not [h for h in parsed.hrefs() if "javascript" in h.lower()]
        assert "\u202e" not in html and "\u2066" not in html
        assert not any(k.startswith("on") for e in parsed.elements for k in e.attrs)
    hostile = parse(out / "objectives" / "hostile.html")
    assert "<script>alert('x')</script> gnp.exe & friends" in hostile.text
    assert "</td><script>alert(2)</script>" in hostile.text  # the note, shown as text
    assert "draft <i>" in hostile.text
    owners = parse(out / "owners" / "index.html").links()
    assert owners == {'"><script>alert(1)</script>': "script-alert-1-script.html"}


def test_a_bidirectional_control_is_e108_and_the_site_refuses_the_root(
    run: Run, tmp_path: Path, make_root: Callable[..., Path]
) -> None:
    """Issue #19: a hidden or reordering character in a title is a finding; a site,
    like a report, must be complete. Were one to reach a page, it shows as a code."""
    from itokr.render.site_html import inert

    bidi = HOSTILE.replace("gnp.exe", "\\u202Egnp.exe")
    root = make_root({"q4.yaml": bidi})
    done = run("--root", str(root), "site", str(tmp_path / "site"), "--as-of", AS_OF)
    assert done.exit_code == 1
    assert "1 problem in the OKR files" in done.stderr
    assert not (tmp_path / "site").exists()
    assert inert("\u202egnp.exe draft \u2066") == "[U+202E]gnp.exe draft [U+2066]"


def test_owners_whose_names_clash_get_pages_of_their_own(
    run: Run, tmp_path: Path, make_root: Callable[..., Path]
) -> None:
    objective = """\
    period: 2026-Q4
    owner: {owner}
    objectives:
      - id: {ident}
        title: Keep the lights on everywhere
        key_results:
          - {{id: done, title: Lights are on, done: false}}
    """
    owners = {"a": "Platform Team", "b": "platform-team", "c": "Index", "d": "Ünïcode Team"}
    root = make_root(
        {f"{k}.yaml": objective.format(owner=f'"{o}"', ident=f"obj-{k}") for k, o in owners.items()}
    )
    out = tmp_path / "site"
    assert run("--root", str(root), "site", str(out), "--as-of", AS_OF).exit_code == 0
    hrefs = parse(out / "owners" / "index.html").links()
    assert set(hrefs) == set(owners.values())
    assert len(set(hrefs.values())) == len(owners) and "index.html" not in hrefs.values()
    assert hrefs["Ünïcode Team"] == "unicode-team.html"
    for owner, href in hrefs.items():
        assert parse(out / "owners" / href).all("h1")[0].text == owner


def test_the_changes_since_each_period_started_come_from_git(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = DatedRepo(tmp_path / "repo")
    plan = HOSTILE.replace("target: 99.9", "target: 99.95")
    repo.write("okrs/q4.yaml", plan)
    repo.write("okrs/q3.yaml", plan.replace("2026-Q4", "2026-Q3").replace("hostile", "summer"))
    repo.commit_on("2026-06-20", "plan Q3 and Q4")
    repo.write("okrs/q4.yaml", HOSTILE)
    repo.commit_on("2026-10-20", "ease the uptime target")
    out = tmp_path / "site"
    done = run("site", str(out), "--as-of", AS_OF, cwd=repo.path)
    assert done.exit_code == 0, done.stderr
    q4 = parse(out / "objectives" / "hostile.html").text
    assert "hostile/uptime modified: target 99.95 → 99.9" in " ".join(q4.split())
    q3 = " ".join(parse(out / "objectives" / "summer.html").text.split())
    assert "No change since 2026-07-01" in q3
    outside = tmp_path / "outside"
    root = tmp_path / "plain" / "okrs"
    root.mkdir(parents=True)
    (root / "q4.yaml").write_text(HOSTILE, encoding="utf-8")
    assert run("--root", str(root), "site", str(outside), "--as-of", AS_OF).exit_code == 0
    page = " ".join(parse(outside / "objectives" / "hostile.html").text.split())
    assert "Not compared: the OKR root is not in a git repository." in page


def _words(page: Path) -> str:
    return " ".join(parse(page).text.split())


def test_a_period_planned_after_it_started_shows_its_flags_and_reasons_first(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `itokr report`: no commit before 2026-10-01 holds the plan, so the first that
    does is the base; the flags lead, each with its reason or "no reason given"."""
    forget_git_variables(monkeypatch)
    repo = DatedRepo(tmp_path / "repo")
    repo.write("okrs/q4.yaml", PLAN)
    first = repo.commit_on("2026-10-09", "plan Q4, a week late")
    eased = PLAN.replace(
        "target: 99.9\n", "target: 99.8\n        reason: the provider's new SLA caps us at 99.8\n"
    )
    churn = eased.replace(
        "value: 240}\n", "value: 240}\n          - {date: 2026-10-19, value: 230}\n"
    )
    repo.write("okrs/q4.yaml", churn.split("      - id: runbook")[0])
    repo.commit_on("2026-10-20", "ease uptime, drop the runbook, a check-in")
    out = tmp_path / "site"
    done = run("site", str(out), "--as-of", AS_OF, cwd=repo.path)
    assert done.exit_code == 0, done.stderr
    page = _words(out / "objectives" / "reliable.html")
    assert (
        f"Since 2026-10-01, against commit {first[:12]} (2026-10-09), the first to hold these "
        "objectives, 8 days after it started (no earlier commit holds them):" in page
    )
    eased_flag = page.index(
        "⚑ eased reliable/uptime target eased: 99.9 → 99.8, towards the baseline 99.5 "
        "— reason: the provider's new SLA caps us at 99.8"
    )
    removed_flag = page.index(
        "⚑ removed reliable/runbook removed after its period 2026-Q4 started on 2026-10-01 "
        "— no reason given"
    )
    flags = page.index("Flags for the reviewer")
    assert flags < eased_flag < removed_flag < page.index("Every change")
    assert "reliable/runbook removed: Publish the DR runbook" in page
    # check-ins are progress, not a change of plan
    assert "reliable/latency" not in page.split("Changes in git", 1)[1]
    overview = parse(out / "index.html")
    text = _words(out / "index.html")
    assert text.index("Changed since their period started") < text.index(
        "⚑ eased reliable/uptime target eased"
    )
    assert "— reason: the provider's new SLA caps us at 99.8" in text
    assert "objectives/reliable.html" in overview.hrefs()


def test_the_same_commit_and_epoch_build_the_same_bytes(run: Run, tmp_path: Path) -> None:
    built = []
    for name in ("one", "two"):
        out = tmp_path / name
        done = run(
            "--root", str(IT), "site", str(out), "--as-of", AS_OF, env={"SOURCE_DATE_EPOCH": EPOCH}
        )
        assert done.exit_code == 0, done.stderr
        built.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert built[0] == built[1]
    bad = run("--root", str(IT), "site", str(tmp_path / "x"), env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.exit_code == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


def test_json_names_every_file_written(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = run("--root", str(IT), "site", str(out), "--as-of", AS_OF, "-f", "json")
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) == {"outdir", "index", "as_of", "files"}
    assert document["index"] == str(out / "index.html") and document["as_of"] == AS_OF
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted([*document["files"], ".itokr-site"]) == on_disk


def test_an_invalid_root_writes_nothing(
    run: Run, tmp_path: Path, make_root: Callable[..., Path]
) -> None:
    root = make_root({"bad.yaml": "objectives:\n  - id: Not A Slug\n"})
    out = tmp_path / "site"
    done = run("--root", str(root), "site", str(out))
    assert done.exit_code == 1 and "run itokr validate" in done.stderr
    assert not out.exists()


def test_a_directory_of_other_files_is_refused_unless_forced(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.md").write_text("mine", encoding="utf-8")
    refused = run("--root", str(IT), "site", str(out), "--as-of", AS_OF)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert [p.name for p in out.iterdir()] == ["notes.md"]
    forced = run("--root", str(IT), "site", str(out), "--as-of", AS_OF, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (out / "index.html").is_file() and (out / "notes.md").read_text() == "mine"
    again = run("--root", str(IT), "site", str(out), "--as-of", AS_OF)  # now a site: no --force
    assert again.exit_code == 0, again.stderr
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    not_dir = run("--root", str(IT), "site", str(a_file))
    assert not_dir.exit_code == 2 and "not a directory" in not_dir.stderr


def test_pages_that_are_gone_are_removed_and_nothing_else(
    run: Run, tmp_path: Path, make_root: Callable[..., Path]
) -> None:
    root = make_root({"q4.yaml": HOSTILE, "more.yaml": HOSTILE.replace("hostile", "second")})
    out = tmp_path / "site"
    assert run("--root", str(root), "site", str(out), "--as-of", AS_OF).exit_code == 0
    (out / "CNAME").write_text("okrs.example.com\n", encoding="utf-8")  # a Pages custom domain
    assert (out / "objectives" / "second.html").is_file()
    (root / "more.yaml").unlink()
    assert run("--root", str(root), "site", str(out), "--as-of", AS_OF).exit_code == 0
    assert not (out / "objectives" / "second.html").exists()
    assert (out / "objectives" / "hostile.html").is_file()
    assert (out / "CNAME").read_text(encoding="utf-8") == "okrs.example.com\n"


def test_the_installed_command_writes_the_site_and_misuse_exits_2(tmp_path: Path) -> None:
    itokr = installed_itokr()
    out = tmp_path / "public"
    done = subprocess.run(
        [itokr, "--root", str(IT), "site", str(out), "--as-of", AS_OF],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == f"wrote {len(pages(out))} pages to {out}; open {out / 'index.html'}\n"
    assert (out / "site.css").is_file() and (out / "site.js").is_file()
    bad = subprocess.run(
        [itokr, "--root", str(IT), "site", str(tmp_path / "x"), "--as-of", "2026-02-30"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == "" and "--as-of" in bad.stderr
    missing = subprocess.run(
        [itokr, "--root", str(IT), "site"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and "OUTDIR" in missing.stderr


@pytest.mark.slow
def test_slow_a_built_wheel_ships_the_templates_and_its_site_works(tmp_path: Path) -> None:
    """What `pip install .` installs (not this editable checkout) has every template."""
    import shutil
    import sys
    import zipfile

    from conftest import REPO

    source = tmp_path / "source"
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("itokr-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    templates = REPO / "src" / "itokr" / "templates" / "site"
    assert {f"itokr/templates/site/{t.name}" for t in templates.iterdir()} <= shipped
    lib = tmp_path / "lib"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(lib)
    env = {**os.environ, "PYTHONPATH": str(lib)}
    where = subprocess.run(
        [sys.executable, "-c", "import itokr; print(itokr.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert where.stdout.startswith(str(lib))  # the wheel's itokr, not this checkout's
    out = tmp_path / "public"
    done = subprocess.run(
        [sys.executable, "-m", "itokr", "--root", str(IT), "site", str(out), "--as-of", AS_OF],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "site.css").read_bytes() == (templates / "site.css").read_bytes()
    assert (out / "objectives" / "reliable-platform.html").is_file()
