"""`itokr init`: a starter root that validates, and never a lost edit."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, installed_itokr
from itokr import yamlio

Run = Callable[..., Result]
CREATED = [
    ".github/workflows/okrs-weekly.yml",
    ".github/workflows/okrs.yml",
    ".pre-commit-config.yaml",
    "okrs/.gitignore",
    "okrs/2026-Q4/platform.yaml",
    "okrs/itokr.yaml",
]


def _files(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def test_creates_the_starter_files(run: Run, tmp_path: Path) -> None:
    result = run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    assert result.exit_code == 0
    assert _files(tmp_path) == CREATED
    assert [line.split()[0] for line in result.stdout.splitlines()[:6]] == ["created"] * 6
    assert result.stderr == ""


def test_the_created_root_validates(run: Run, tmp_path: Path) -> None:
    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    result = run("validate", "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout) == {"ok": True, "errors": [], "files": 2}
    assert result.exit_code == 0


def test_the_example_is_in_the_quarter_of_the_date(run: Run, tmp_path: Path) -> None:
    run("init", "--as-of", "2027-02-14", cwd=tmp_path)
    example = tmp_path / "okrs" / "2027-Q1" / "platform.yaml"
    data = yamlio.read(example.read_bytes())
    assert data["period"] == "2027-Q1"
    assert data["objectives"][0]["key_results"][0]["checkins"][0]["date"] == "2027-01-01"


def test_never_overwrites(run: Run, tmp_path: Path) -> None:
    """A second run keeps every byte the user wrote, and says so."""
    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    edited = {}
    for name in CREATED:
        path = tmp_path / name
        path.write_bytes(path.read_bytes() + b"# my edit\r\n")
        edited[name] = path.read_bytes()
    result = run("init", "--as-of", "2026-11-21", "--organization", "Other", cwd=tmp_path)
    assert result.exit_code == 0
    assert {name: (tmp_path / name).read_bytes() for name in CREATED} == edited
    assert "created" not in result.stdout
    assert result.stdout.count("kept") == 6


def test_adds_only_what_is_missing(run: Run, tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert "kept    .pre-commit-config.yaml (it exists)" in result.stdout
    assert _files(tmp_path) == CREATED


def test_no_example_beside_existing_objectives(run: Run, tmp_path: Path) -> None:
    """Its example objective would clash with a root that has ids of its own."""
    mine = tmp_path / "okrs" / "2026-Q4" / "team.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text(
        "objectives:\n  - id: reliable-platform\n    title: Ours\n    key_results:\n"
        "      - {id: k, title: Ship it, done: true}\n"
    )
    result = run("init", "--as-of", "2026-10-01", cwd=tmp_path)
    assert not (tmp_path / "okrs" / "2026-Q4" / "platform.yaml").exists()
    assert (tmp_path / "okrs" / "itokr.yaml").exists()
    assert "holds objective files" in result.stdout
    assert run("validate", cwd=tmp_path).exit_code == 0


def test_into_a_directory(run: Run, tmp_path: Path) -> None:
    result = run("init", "new/project", "--as-of", "2026-11-21", cwd=tmp_path)
    assert result.exit_code == 0
    assert _files(tmp_path / "new" / "project") == CREATED
    assert "cd new/project" in result.stdout
    assert run("--root", "new/project/okrs", "validate", cwd=tmp_path).exit_code == 0


def test_organization_is_quoted_safely(run: Run, tmp_path: Path) -> None:
    name = 'ACME "IT": {east}, #1 — Société'
    run("init", "--organization", name, "--as-of", "2026-11-21", cwd=tmp_path)
    config = yamlio.read((tmp_path / "okrs" / "itokr.yaml").read_bytes())
    assert config["organization"] == name
    assert run("validate", cwd=tmp_path).exit_code == 0


def test_config_template_states_the_defaults(tmp_path: Path, run: Run) -> None:
    from itokr.model.config import Config

    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    config = yamlio.read((tmp_path / "okrs" / "itokr.yaml").read_bytes())
    assert Config.model_validate(config) == Config()


def test_without_a_known_source_it_says_what_to_set(run: Run, tmp_path: Path) -> None:
    """A test run's itokr is installed from a directory: no git URL to pin the CI files to."""
    result = run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    assert "set the repository variable ITOKR_SPEC" in result.stdout
    workflow = (tmp_path / ".github/workflows/okrs.yml").read_text()
    assert "ITOKR_SPEC: ${{ vars.ITOKR_SPEC }}" in workflow
    hooks = yamlio.read((tmp_path / ".pre-commit-config.yaml").read_bytes())
    assert [hook["id"] for hook in hooks["repos"][0]["hooks"]] == ["itokr-validate", "itokr-smart"]
    again = run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    assert "ITOKR_SPEC" not in again.stdout  # nothing new written: nothing to set


def test_an_index_requirement_installs_but_cannot_feed_pre_commit(run: Run, tmp_path: Path) -> None:
    result = run("init", "--itokr-from", "itokr==0.1.0", "--as-of", "2026-11-21", cwd=tmp_path)
    assert (
        "vars.ITOKR_SPEC || 'itokr==0.1.0'" in (tmp_path / ".github/workflows/okrs.yml").read_text()
    )
    assert "set repo and rev in .pre-commit-config.yaml" in result.stdout


@pytest.mark.parametrize("spec", ["itokr @ git+https://h/i", "x'y", "${{ secrets.T }}", "a#b", ""])
def test_a_requirement_that_would_break_the_files_is_misuse(
    run: Run, tmp_path: Path, spec: str
) -> None:
    result = run("init", "--itokr-from", spec, cwd=tmp_path)
    assert result.exit_code == 2
    assert "--itokr-from" in result.stderr
    assert _files(tmp_path) == []


def test_a_file_as_directory_is_misuse(run: Run, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    result = run("init", "plain", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "itokr: plain is not a directory\n"


def test_an_okrs_file_in_the_way_is_reported(run: Run, tmp_path: Path) -> None:
    (tmp_path / "okrs").write_text("not a directory")
    result = run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("itokr: cannot write okrs/")
    assert "okrs is not a directory" in result.stderr
    assert (tmp_path / "okrs").read_text() == "not a directory"


def test_json_lists_what_was_created_and_what_was_kept(run: Run, tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = run("init", "--as-of", "2026-11-21", "--format", "json", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert list(document) == ["directory", "created", "kept", "notes"]
    assert document["directory"] == "."
    assert sorted(document["created"]) == [name for name in CREATED if "pre-commit" not in name]
    assert document["kept"] == [".pre-commit-config.yaml"]
    assert any(note.startswith("Next: edit the objective file") for note in document["notes"])
    again = json.loads(run("init", "--as-of", "2026-11-21", "-f", "json", cwd=tmp_path).stdout)
    assert again["created"] == []
    assert sorted(again["kept"]) == sorted(["okrs", *CREATED[:4], *CREATED[5:]])


def test_json_names_the_paths_below_the_directory(run: Run, tmp_path: Path) -> None:
    result = run("init", "new", "--as-of", "2026-11-21", "-f", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["directory"] == "new"
    assert sorted(document["created"]) == [f"new/{name}" for name in CREATED]


def test_an_unknown_format_is_misuse_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    result = run("init", "--format", "xml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert _files(tmp_path) == []


def _installed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`itokr ARGS` as the installed entry point runs it."""
    return subprocess.run(
        [installed_itokr(), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_installed_init_json_is_one_document_on_stdout(tmp_path: Path) -> None:
    made = _installed("init", "--as-of", "2026-11-21", "--format", "json", cwd=tmp_path)
    assert (made.returncode, made.stderr) == (0, "")
    assert sorted(json.loads(made.stdout)["created"]) == CREATED


def test_a_bad_date_is_misuse_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    result = run("init", "--as-of", "2026-02-30", cwd=tmp_path)
    assert result.exit_code == 2
    assert _files(tmp_path) == []


@pytest.mark.parametrize("args", [(), ("sub",)])
def test_installed_init_then_validate(tmp_path: Path, args: tuple[str, ...]) -> None:
    made = _installed("init", *args, "--as-of", "2026-11-21", cwd=tmp_path)
    assert (made.returncode, made.stderr) == (0, "")
    checked = _installed("validate", cwd=tmp_path / Path(*args))
    assert (checked.returncode, checked.stdout) == (0, "All good: 2 files checked.\n")


def _weekly(directory: Path) -> dict:  # type: ignore[type-arg]
    import yaml

    text = (directory / ".github" / "workflows" / "okrs-weekly.yml").read_text()
    document: dict = yaml.safe_load(text)  # type: ignore[type-arg]
    return document


def test_the_weekly_workflow_measures_then_reminds_each_owner(run: Run, tmp_path: Path) -> None:
    """SPEC §7: it runs `itokr measure` and `itokr due --notify`, also for a root without
    sources yet (measure then records nothing), so sources added later are measured."""
    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    workflow = _weekly(tmp_path)
    assert workflow[True]["schedule"] == [{"cron": "0 6 * * 1"}]  # PyYAML reads `on` as True
    job = workflow["jobs"]["weekly"]
    assert job["permissions"] == {"contents": "write"}
    names = [step.get("name") for step in job["steps"]]
    assert names[-3:] == ["Measure", "Commit what was measured", "Remind each owner of what is due"]
    measure, _, remind = job["steps"][-3:]
    assert measure["run"].startswith("itokr measure --as-of")
    assert "env" not in measure  # no source names a secret yet
    assert remind["env"]["ITOKR_NOTIFY_URL"] == "${{ secrets.ITOKR_NOTIFY_URL }}"
    assert "itokr due --notify" in remind["run"]


def test_the_weekly_measure_step_passes_quietly_without_sources(run: Run, tmp_path: Path) -> None:
    """What the step runs, on the root init made: exit 0, nothing written, one line."""
    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in CREATED}
    result = run("measure", "--as-of", "2026-11-20", "--format", "github", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "no key result or KPI has a `source:`: nothing to measure\n"
    assert {name: (tmp_path / name).read_bytes() for name in CREATED} == before


def test_with_sources_the_weekly_workflow_measures_first(run: Run, tmp_path: Path) -> None:
    """The secrets itokr.yaml's sources name come from repository secrets; what was
    measured is committed and pushed before the owners are reminded."""
    (tmp_path / "okrs").mkdir()
    (tmp_path / "okrs" / "itokr.yaml").write_text(
        "sources:\n"
        "  prom: {prometheus: https://prom:9090, headers: {X-Token: '${PROM_TOKEN}'}}\n"
        "  costs: {file: ../data/costs.csv}\n"
    )
    run("init", "--as-of", "2026-11-21", cwd=tmp_path)
    job = _weekly(tmp_path)["jobs"]["weekly"]
    assert job["permissions"] == {"contents": "write"}
    names = [step.get("name") for step in job["steps"]]
    assert names[-3:] == ["Measure", "Commit what was measured", "Remind each owner of what is due"]
    measure = job["steps"][-3]
    assert measure["env"] == {"PROM_TOKEN": "${{ secrets.PROM_TOKEN }}"}
    assert measure["run"].startswith("itokr measure --as-of")
    assert "git push" in job["steps"][-2]["run"]
