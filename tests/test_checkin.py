"""`itokr checkin`: refusals write nothing, writes are whole, the lock holds."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from itokr import checkin as core
from itokr import checkin_verify, roundtrip, safewrite
from itokr.checkin_args import Request, make_request
from itokr.errors import ItokrError

AS_OF = ("--as-of", "2026-11-21")

TEAM = """\
period: 2026-Q4
owner: platform-team
objectives:
  - id: reliable
    title: Create a highly reliable platform
    key_results:
      - id: uptime
        title: Achieve 99.9% system uptime
        baseline: 99.5
        target: 99.9
        checkins:
          - {date: 2026-10-05, value: 99.6}
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
      - id: second-site
        title: Build a second data centre site
        milestones:
          - {title: Site contract signed, done: true}
          - {title: Replication live, done: false}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    (okrs / "team.yaml").write_text(TEAM)
    return okrs


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below the root, with its bytes and mtime."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nowhere/uptime", "99.7"), "unknown objective 'nowhere'"),
        (("reliable/uptme", "99.7"), "did you mean reliable/uptime"),
        (("reliable", "99.7"), "OBJECTIVE_ID/KR_ID"),
        (("reliable/uptime", "high"), "VALUE 'high' is not a number"),
        (("reliable/uptime", "1e999"), "is not a number"),
        (("reliable/uptime", ".nan"), "is not a number"),
        (("reliable/uptime", "99.7", "--confidence", "1.5"), "between 0 and 1"),
        (("reliable/uptime", "99.7", "--confidence", "sure"), "--confidence 'sure'"),
        (("reliable/uptime", "99.7", "--date", "2026-02-30"), "real date"),
        (("reliable/uptime", "99.7", "--date", "20261101"), "YYYY-MM-DD"),
        (("reliable/uptime", "99.7", "--date", "2026-11-22"), "is after 2026-11-21"),
        (("reliable/uptime", "99.7", "--date", "2026-09-30"), "before reliable's period"),
        (("reliable/uptime",), "give the VALUE"),
        (("reliable/uptime", "--done"), "metric key result: --done"),
        (("reliable/uptime", "--milestone", "Replication live"), "--milestone is for"),
        (("reliable/runbook", "1"), "--done"),
        (("reliable/runbook", "--done", "--note", "x"), "--note describe a check-in"),
        (("reliable/second-site", "1"), "--milestone TITLE"),
        (("reliable/second-site", "--milestone", "Replication"), "did you mean 'Replication live'"),
        (("reliable/second-site", "--milestone", "x", "--done"), "exclude each other"),
        (("reliable/uptime", "--undo"), "--undo reverses"),
        (("reliable/uptime", "1", "--note", "ring\x07"), "control character '\\x07'"),
        (("reliable/uptime", "1", "--note", "abc\u202edef"), "U+202E RIGHT-TO-LEFT OVERRIDE"),
        (("reliable/uptime", "1", "--note", "zero\u200bwidth"), "U+200B ZERO WIDTH SPACE (E108)"),
        (("reliable/runbook", "--done", "1"), "takes no VALUE"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    root: Path, run: Callable[..., Result], args: tuple[str, ...], says: str
) -> None:
    before = snapshot(root)
    result = run("--root", str(root), "checkin", *args, *AS_OF)
    assert (result.exit_code, result.stdout) == (2, "")
    assert says in result.stderr
    assert snapshot(root) == before


def test_an_invalid_root_is_refused_with_exit_1(root: Path, run: Callable[..., Result]) -> None:
    (root / "broken.yaml").write_text("objectives:\n  - id: Bad Id\n")
    before = snapshot(root)
    result = run("--root", str(root), "checkin", "reliable/uptime", "99.7", *AS_OF)
    assert result.exit_code == 1
    problems = len(json.loads(run("--root", str(root), "validate", "-f", "json").stdout)["errors"])
    assert f"the OKR root has {problems} problems: run `itokr validate`" in result.stderr
    assert snapshot(root) == before


def test_bad_arguments_are_reported_before_an_invalid_root(
    root: Path, run: Callable[..., Result]
) -> None:
    (root / "broken.yaml").write_text("objectives: [")
    result = run("--root", str(root), "checkin", "reliable/uptime", "high", *AS_OF)
    assert result.exit_code == 2
    result = run("--root", str(root), "checkin", "reliable/uptime", "--done", *AS_OF)
    assert result.exit_code == 2


def test_success_says_what_where_and_the_new_score(root: Path, run: Callable[..., Result]) -> None:
    result = run("--root", str(root), "checkin", "reliable/uptime", "99.7", *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"recorded 99.7 on 2026-11-21 for reliable/uptime in {root}/team.yaml; "
        "score 0.50 (was 0.25)\n"
    )
    status = run("--root", str(root), "status", "--format", "json", *AS_OF)
    kr = json.loads(status.stdout)["objectives"][0]["key_results"][0]
    assert (kr["current"], kr["last_checkin"]) == (99.7, "2026-11-21")


def test_marking_what_is_already_done_writes_nothing(
    root: Path, run: Callable[..., Result]
) -> None:
    before = snapshot(root)
    args = ("reliable/second-site", "--milestone", "site contract signed")
    result = run("--root", str(root), "checkin", *args, *AS_OF)
    assert result.exit_code == 0
    assert "already: nothing written" in result.stdout
    assert snapshot(root) == before


def test_dry_run_prints_the_diff_and_writes_nothing(root: Path, run: Callable[..., Result]) -> None:
    before = snapshot(root)
    result = run("--root", str(root), "checkin", "reliable/uptime", "99.7", "--dry-run", *AS_OF)
    assert result.exit_code == 0
    changed = [line for line in result.stdout.splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+          - {date: 2026-11-21, value: 99.7}"]
    assert result.stdout.startswith("--- a/")
    assert "nothing written" in result.stderr
    assert snapshot(root) == before


def test_json_output(root: Path, run: Callable[..., Result]) -> None:
    args = ("reliable/runbook", "--done", "--format", "json")
    result = run("--root", str(root), "checkin", *args, *AS_OF)
    document = json.loads(result.stdout)
    assert list(document) == [
        "ref",
        "path",
        "action",
        "date",
        "value",
        "milestone",
        "done",
        "replaced_current",
        "changed",
        "written",
        "score",
        "band",
        "moved",
        "diff",
    ]
    assert (document["action"], document["done"], document["score"]) == ("done", True, [0, 1])
    assert (document["band"], document["moved"]) == (None, [])  # a KPI's, see test_checkin_kpi
    changed = [line for line in document["diff"].splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["-        done: false", "+        done: true"]


def _request(**changes: object) -> Request:
    options: dict[str, object] = dict(
        date=None,
        confidence=None,
        note=None,
        milestone=None,
        done=False,
        undo=False,
        as_of=dt.date(2026, 11, 21),
    )
    options.update(changes)
    return make_request("reliable/uptime", "99.7", **options)  # type: ignore[arg-type]


def test_a_held_lock_makes_a_checkin_wait_then_give_up(root: Path) -> None:
    before = snapshot(root)
    with safewrite.root_lock(root), pytest.raises(ItokrError, match="held the lock") as caught:
        core.record(_request(), root, root, lock_timeout=0.2)
    assert caught.value.exit_code == 1
    assert snapshot(root) == before


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(root)

    def crash(*_: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr("itokr.safewrite.os.replace", crash)
    with pytest.raises(ItokrError, match=r"cannot write .*: disk on fire; nothing written"):
        core.record(_request(), root, root)
    assert snapshot(root) == before


def test_temporaries_left_by_a_killed_checkin_are_swept(root: Path) -> None:
    stale = root / f".team.yaml.x1y2{safewrite.TEMP_SUFFIX}"
    stale.write_text("half a fi")
    core.record(_request(), root, root)
    assert not stale.exists()


def test_an_unwritable_directory_is_exit_1_not_a_crash(
    root: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    before = snapshot(root)
    monkeypatch.setattr("itokr.safewrite.tempfile.mkstemp", refuse)
    result = run("--root", str(root), "checkin", "reliable/uptime", "99.7", *AS_OF)
    assert result.exit_code == 1
    assert result.stderr.endswith("team.yaml: Permission denied; nothing written\n")
    assert snapshot(root) == before


def test_file_mode_and_symlinks_are_kept(root: Path) -> None:
    (root / ".store").mkdir()
    real = root / ".store" / "team.yaml"
    (root / "team.yaml").rename(real)
    (root / "team.yaml").symlink_to(real)
    real.chmod(0o640)
    core.record(_request(), root, root)
    assert (root / "team.yaml").is_symlink()
    assert real.stat().st_mode & 0o777 == 0o640
    assert "2026-11-21" in real.read_text()


def test_an_edit_that_does_not_read_back_as_intended_is_not_written(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(root)
    monkeypatch.setattr(
        roundtrip, "add_checkin", lambda body, *_: (body.replace("99.6", "99.0"), None)
    )
    with pytest.raises(ItokrError, match="did not read back as intended"):
        core.record(_request(), root, root)
    assert snapshot(root) == before


def test_a_file_changed_by_someone_else_meanwhile_is_not_overwritten(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    verify = checkin_verify.verify

    def meddle(*args: object) -> object:
        (root / "team.yaml").write_text(TEAM + "# edited in an editor\n")
        return verify(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("itokr.checkin.verify", meddle)  # where checkin calls it
    with pytest.raises(ItokrError, match="changed while checking in"):
        core.record(_request(), root, root)
    assert (root / "team.yaml").read_text().endswith("# edited in an editor\n")
    assert not [name for name in os.listdir(root) if name.endswith(safewrite.TEMP_SUFFIX)]


@pytest.mark.parametrize("name", ["examples/it-department", "examples/okr-practice", "okrs"])
def test_every_key_result_of_our_roots_takes_a_checkin(name: str) -> None:
    """Real files, real layouts: each key result accepts its kind of check-in cleanly."""
    from conftest import REPO
    from itokr.loader import load_root
    from itokr.model.keyresults import Binary, MilestoneKR

    root = REPO / name
    tree = load_root(root, root)
    for entry in tree.entries:
        for kr in entry.objective.key_results:
            day = entry.period.start if entry.period else dt.date(2026, 11, 21)
            options: dict[str, object] = dict(
                date=None,
                confidence=None,
                note=None,
                milestone=None,
                done=False,
                undo=False,
                as_of=max(day, dt.date(2026, 11, 21)),
            )
            value: str | None = None
            if getattr(kr, "kpi", None) is not None:
                continue  # its KPI takes the check-ins, below
            if isinstance(kr, MilestoneKR):
                options.update(milestone=kr.milestones[-1].title, undo=kr.milestones[-1].done)
            elif isinstance(kr, Binary):
                options.update(done=True, undo=kr.done)
            else:
                value = "42.5"
                options.update(date=str(day), note="smoke: test")
            request = make_request(f"{entry.id}/{kr.id}", value, **options)  # type: ignore[arg-type]
            outcome = core.record(request, root, root, dry_run=True)
            changed = [line for line in outcome.diff.splitlines()[2:] if line[:1] in "+-"]
            removed = [line for line in changed if line.startswith("-")]
            assert len(removed) <= 1, changed
            assert all("current:" in line or "done:" in line for line in removed), changed
            assert outcome.written is False
    for kpi in tree.kpis:
        request = make_request(
            kpi.id,
            "42.5",
            date="2026-11-21",
            confidence=None,
            note="smoke: test",
            milestone=None,
            done=False,
            undo=False,
            as_of=dt.date(2026, 11, 21),
        )
        outcome = core.record(request, root, root, dry_run=True)
        changed = [line for line in outcome.diff.splitlines()[2:] if line[:1] in "+-"]
        assert [line[:1] for line in changed] == ["+"], changed


def test_a_negative_value_needs_no_double_dash(
    run: Callable[..., Result], make_root: Callable[[dict[str, str]], Path]
) -> None:
    root = make_root({"nps.yaml": NEGATIVE_NPS})
    result = run(
        "--root", str(root), "checkin", "customer-nps/score", "-3", "--as-of", "2026-11-21"
    )
    assert result.exit_code == 0, result.stderr
    assert "- {date: 2026-11-21, value: -3}" in (root / "nps.yaml").read_text()


NEGATIVE_NPS = """\
period: 2026-Q4
owner: service-desk
objectives:
  - id: customer-nps
    title: Win back the trust of our internal users
    key_results:
      - id: score
        title: Raise the service desk NPS from -20 to 10
        unit: points
        baseline: -20
        target: 10
        checkins:
          - {date: 2026-10-05, value: -18}
"""
