"""The diff renderers on their own: a pull-request comment stays postable."""

from __future__ import annotations

import datetime as dt

from itokr.diffing import compare
from itokr.loader import load_documents
from itokr.render.diff import MARKDOWN_BUDGET, Report, markdown
from itokr.rootfiles import Document


def _file(objectives: int, target: int) -> bytes:
    lines = ["period: 2026-Q4", "owner: ops", "objectives:"]
    for number in range(objectives):
        lines += [
            f"  - id: objective-{number}",
            f"    title: Objective number {number} with a long enough title",
            "    key_results:",
            "      - {id: kr, title: Move the number, baseline: 0, current: 5, target: "
            f"{target}}}",
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_huge_change_is_cut_to_fit_a_github_comment() -> None:
    base = load_documents([Document("okrs/a.yaml", _file(800, 10))], None)
    head = load_documents([Document("okrs/a.yaml", _file(800, 8))], None)
    diff = compare(base, head, dt.date(2026, 11, 21))
    assert len(diff.changes) == 1600
    text = markdown(Report(diff, "main", "WORKTREE", "0" * 40, None))
    assert len(text) < 65_536 and len(text) > MARKDOWN_BUDGET // 2
    assert "more changes: run `itokr diff`." in text
    assert text.rstrip().endswith("</details>")
    assert "**800 objectives and 800 key results changed (1600 modified)" in text
