"""Publishing the site: `itokr init --pages` and the workflows docs/ci.md shows.

That docs/ci.md shows the workflow init writes, and that both pass actionlint, zizmor
and GitLab's schema, is tested with init's other CI files in test_ci_files.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import REPO, Result
from itokr import yamlio

Run = Callable[..., Result]
WORKFLOW = ".github/workflows/okrs-pages.yml"
DOCS = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")


def _written(run: Run, directory: Path) -> str:
    done = run("init", str(directory), "--pages", "--as-of", "2026-11-21")
    assert done.exit_code == 0, done.stderr
    assert f"created {directory / WORKFLOW}" in done.stdout
    return (directory / WORKFLOW).read_text(encoding="utf-8")


def test_only_with_pages(run: Run, tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--as-of", "2026-11-21").exit_code == 0
    assert not (tmp_path / WORKFLOW).exists()


def test_the_workflow_builds_the_site_and_deploys_it_with_least_privilege(
    run: Run, tmp_path: Path
) -> None:
    flow: dict[str, Any] = yamlio.read(_written(run, tmp_path).encode("utf-8"))
    assert flow["permissions"] == {}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    steps = {step.get("uses", step.get("run")).split("@")[0]: step for step in build["steps"]}
    install = [s for s in build["steps"] if s.get("name") == "Install itokr"]
    assert len(install) == 1 and 'python -m pip install "$ITOKR_SPEC"' in install[0]["run"]
    checkout = steps["actions/checkout"]["with"]
    assert checkout == {"fetch-depth": 0, "persist-credentials": False}
    assert build["env"] == {"ITOKR_SPEC": "${{ vars.ITOKR_SPEC }}"}
    assert "itokr site _site" in steps
    assert steps["actions/upload-pages-artifact"]["with"] == {"path": "_site"}
    uses = [s["uses"] for s in (*build["steps"], *deploy["steps"]) if "uses" in s]
    assert all(re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", u) for u in uses)  # pinned
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert {"push", "schedule", "workflow_dispatch"} <= set(flow["on"])


def test_the_gitlab_job_publishes_what_itokr_site_writes() -> None:
    section = DOCS.split("## Publishing the dashboard on GitLab Pages")[1]
    shown = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert shown is not None
    job = yamlio.read(shown[1].encode("utf-8"))["pages"]
    assert job["script"] == ['pip install "$ITOKR_SPEC"', "itokr site public"]
    assert job["artifacts"]["paths"] == ["public"]
    assert job["variables"]["GIT_DEPTH"] == 0
