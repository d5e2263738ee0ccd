"""How `history` reads a long git log cheaply: which commits can have changed a plan,
and the streamed parse of `git log --raw -p -U0` behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from itokr.gitlog import FileChange, _changes
from itokr.history import measured_only, plan_commits


@pytest.mark.parametrize(
    "line",
    [
        b"          - {date: 2026-10-05, value: 99.6}",
        b"          - { date: 2026-10-05, value: 99.6, note: 'drill ok' }   # first",
        b"          - date: 2026-10-05",
        b"            value: 99.6",
        b"            confidence: 0.8",
        b"            note: failover drill",
        b"            by: prom",
        b"        checkins:",
        b"        checkins:   # since October",
        b"",
        b"   ",
        b"          # a comment about the check-ins",
        b"          - {date: 2026-10-05, value: 99.6}\r",  # CRLF files
    ],
)
def test_check_in_lines_leave_the_plan_alone(line: bytes) -> None:
    assert measured_only([line])


@pytest.mark.parametrize(
    "line",
    [
        b"        target: 99.8",
        b"        baseline: 99.5",
        b"        current: 230",
        b"      - id: uptime",
        b"          - {title: Site contract signed, done: true}",
        b"            done: true",
        b"        weight: 2",
        b"            note: |",  # a block scalar: its lines would follow unrecognised
        b"          - {date: 2026-10-05,",  # a flow item over several lines
        b"period: 2026-Q4",
        b"          -",
    ],
)
def test_any_other_line_may_change_the_plan(line: bytes) -> None:
    assert not measured_only([b"          - {date: 2026-10-05, value: 1}", line])


def test_no_text_diff_is_read_as_a_plan_change() -> None:
    assert not measured_only(None)
    assert measured_only(())  # a pure rename: nothing changed


def _change(commit: str, time: int, blob: str | None, *lines: bytes) -> FileChange:
    return FileChange(commit, time, commit, blob, lines)


def test_only_commits_that_change_the_plan_bring_a_new_file_to_read() -> None:
    day = 86_400
    file_log = [  # newest first, as git gives it
        _change("d", 4 * day, "f4", b"        target: 99.7"),
        _change("c", 3 * day, "f3", b"          - {date: 1970-01-03, value: 2}"),
        _change("b", 2 * day, "f2", b"          - {date: 1970-01-02, value: 1}"),
        _change("a", 1 * day, "f1", b"objectives:", b"  - id: x"),
    ]
    config_log = [FileChange("c2", 3 * day + 5, "config", "k1", None)]
    commits = plan_commits(file_log, config_log)
    assert [(c.commit, c.file, c.config) for c in commits] == [
        ("a", "f1", None),
        ("b", "f1", None),  # check-ins only: the plan is still a's file
        ("c", "f1", None),
        ("c2", "f1", "k1"),
        ("d", "f4", "k1"),
    ]
    assert commits[0].day == dt.date(1970, 1, 2)


def test_a_deleted_file_is_no_plan() -> None:
    commits = plan_commits(
        [_change("b", 20, None, b"  - id: x"), _change("a", 10, "f1", b"  - id: x")], []
    )
    assert [(c.commit, c.file) for c in commits] == [("a", "f1"), ("b", None)]


LOG = b"""\
\x01c2\x00200\x00second
:100644 100644 ONE TWO M\tokrs/a.yaml

diff --git a/okrs/a.yaml b/okrs/a.yaml
index 1111111..2222222 100644
--- a/okrs/a.yaml
+++ b/okrs/a.yaml
@@ -3 +3,2 @@ objectives:
--- a removed line that looks like a header
\\ No newline at end of file
+++ an added line that looks like a header
+          - {date: 2026-10-05, value: 1}
\\ No newline at end of file
\x01c1\x00100\x00first: the file, and a binary
:000000 100644 ZERO ONE A\tokrs/a.yaml

diff --git a/okrs/a.yaml b/okrs/a.yaml
new file mode 100644
Binary files /dev/null and b/okrs/a.yaml differ
"""
for name, digit in (b"ZERO", b"0"), (b"ONE", b"1"), (b"TWO", b"2"):
    LOG = LOG.replace(name, digit * 40)  # full object ids, as --no-abbrev gives them


def test_the_streamed_log_gives_each_commits_blob_and_changed_lines() -> None:
    changes = list(_changes(iter(LOG.splitlines(keepends=True)), patch=True))
    assert [(c.commit, c.time, c.subject, c.blob) for c in changes] == [
        ("c2", 200, "second", "2" * 40),
        ("c1", 100, "first: the file, and a binary", "1" * 40),
    ]
    assert changes[0].lines == (
        b"-- a removed line that looks like a header",
        b"++ an added line that looks like a header",
        b"          - {date: 2026-10-05, value: 1}",
    )
    assert changes[1].lines is None  # binary: nothing to read, so a plan change
