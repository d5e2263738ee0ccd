"""Markdown for pull requests and wikis renders hostile text as plain text.

Titles, owners, notes, reasons and descriptions are written by anyone with
push access and land in pull-request comments (`diff -f markdown`), job
summaries (`status`, `due -f markdown`) and wiki pages (`report`). Each output
is parsed with a CommonMark + GFM-tables parser (markdown-it, which rich
already brings) and must hold: no HTML of the data's, no link or image, no
`@mention` or `#123` that GitHub's post-processing would link (it works on
the rendered text nodes, skipping code, so neither a backslash nor `&#64;`
stops it, an empty comment `@<!-- -->team` does), and the same block
structure as for harmless text of the same shape: nothing leaves its table
cell, list item or heading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from conftest import Result
from gitrepo import GitRepo, forget_git_variables

Run = Callable[..., Result]
AS_OF = ("--as-of", "2026-11-01")
TITLE = (
    "Ship it @org/platform-team #12 ![pixel](https://evil.example/p.png) "
    "[click](https://evil.example) <img src=x onerror=alert(1)> **bold** `code` | pipe &amp;"
)
OWNER = "@everyone"
NOTE = "cc @sec-team <b>urgent</b>\n\n## Forged note heading"
REASON = "budget\n\n## Forged heading\n\n![x](https://evil.example/r.png)"
DESCRIPTION = (
    "Why:\n\n## Forged heading\n- forged item\n1. forged number\n> forged quote\n"
    "<details>\n===\n```\nfence\n    indented @ops"
)
OUR_HTML = re.compile(r"<!-- -->|</details>|<details><summary>Details of \d+ changes?</summary>")
_MENTION = re.compile(r"(?:^|\W)@[A-Za-z0-9]|#\d")  # what GitHub links in a text node


def objective_file(
    title: str, owner: str, note: str, reason: str, description: str, target: int = 10
) -> str:
    q = json.dumps  # a JSON string is a YAML double-quoted string
    return f"""\
period: 2026-Q4
owner: {q(owner)}
area: infrastructure
objectives:
  - id: a
    title: {q(title)}
    description: {q(description)}
    reason: {q(reason)}
    key_results:
      - id: k
        title: {q(title)}
        unit: {q(title[:20])}
        baseline: 0
        target: {target}
        reason: {q(reason)}
        checkins:
          - {{date: 2026-10-05, value: 3, note: {q(note)}}}
      - id: m
        title: Land the milestones here
        milestones:
          - {{title: {q(title)}, done: true}}
          - {{title: second step, done: false}}
kpis:
  - id: mttr
    title: {q(title)}
    unit: {q(title[:20])}
    owner: {q(owner)}
    reason: {q(reason)}
    good: 4
    bad: {8 + target}
    every: 1m
    checkins:
      - {{date: 2026-09-05, value: 5, note: {q(note)}}}
"""


def hostile(target: int = 10) -> str:
    return objective_file(TITLE, OWNER, NOTE, REASON, DESCRIPTION, target)


def harmless(target: int = 10, letter: str = "x") -> str:
    """The same text with every ASCII punctuation character made a letter: same lines."""

    def plain(text: str) -> str:
        return re.sub(r"[^\w\s]|_", letter, text)

    return objective_file(
        plain(TITLE), plain(OWNER), plain(NOTE), plain(REASON), plain(DESCRIPTION), target
    )


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).parse(text)


def blocks(text: str) -> list[str]:
    """The block structure: headings, tables, rows, cells, lists, quotes, paragraphs."""
    return [token.type for token in parse(text) if token.type != "inline"]


def problems(text: str) -> list[str]:
    """What would not render as plain text on GitHub."""
    found = []
    for token in parse(text):
        if token.type == "html_block":
            if not OUR_HTML.fullmatch(token.content.strip()):
                found.append(f"HTML block {token.content!r}")
            continue
        node = ""  # adjacent text tokens are one text node in the rendered HTML
        for child in [*(token.children or []), Token("softbreak", "", 0)]:
            if child.type == "text":
                node += child.content
                continue
            if _MENTION.search(node):
                found.append(f"a mention or reference in {node!r}")
            node = ""
            if child.type in ("image", "link_open"):
                found.append(f"{child.type} {child.attrs}")
            elif child.type == "html_inline" and not OUR_HTML.fullmatch(child.content):
                found.append(f"inline HTML {child.content!r}")
    return found


def rendered_text(text: str) -> str:
    """All text a reader sees, comments dropped, as one string."""
    return "".join(
        child.content
        for token in parse(text)
        for child in token.children or []
        if child.type in ("text", "code_inline")
    )


@pytest.fixture
def root_of(make_root: Callable[..., Path]) -> Callable[[str], Path]:
    def make(text: str) -> Path:
        return make_root({"team.yaml": text})

    return make


@pytest.mark.parametrize(
    "args",
    [
        ("status", "-f", "markdown"),
        ("status", "-f", "markdown", "--objectives"),
        ("report",),
        ("due", "-f", "markdown", "--within", "60"),
        ("kpis", "-f", "markdown"),
    ],
    ids=" ".join,
)
def test_markdown_views_render_hostile_text_as_text(
    run: Run, root_of: Callable[[str], Path], args: tuple[str, ...]
) -> None:
    evil = run("--root", str(root_of(hostile())), *args, *AS_OF)
    assert evil.exit_code == 0, evil.stderr
    assert problems(evil.stdout) == []
    plain = run("--root", str(root_of(harmless())), *args, *AS_OF)
    assert blocks(evil.stdout) == blocks(plain.stdout)
    shown = rendered_text(evil.stdout)
    assert "@org/platform-team #12 ![pixel](https://evil.example/p.png)" in shown
    assert "<img src=x onerror=alert(1)> **bold** `code` | pipe &amp;" in shown


def test_the_report_keeps_every_text_where_it_belongs(
    run: Run, root_of: Callable[[str], Path]
) -> None:
    text = run("--root", str(root_of(hostile())), "report", *AS_OF).stdout
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not [line for line in headings if "Forged" in line]
    shown = rendered_text(text)
    assert "## Forged heading" in shown and "cc @sec-team <b>urgent</b> ## Forged" in shown


def test_diff_markdown_renders_hostile_text_as_text(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)

    def comment(changed: str) -> str:
        repo = GitRepo(tmp_path / str(len(list(tmp_path.iterdir()))))
        repo.write("okrs/team.yaml", harmless(target=10))
        repo.commit("plan")
        repo.write("okrs/team.yaml", changed)
        result = run("diff", "HEAD", "-f", "markdown", *AS_OF, cwd=repo.path)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    evil = comment(hostile(target=12))
    assert problems(evil) == []
    assert blocks(evil) == blocks(comment(harmless(target=12, letter="y")))
    assert "![pixel](https://evil.example/p.png)" in rendered_text(evil)


def test_a_branch_name_in_the_diff_heading_cannot_ping(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", harmless())
    repo.commit("plan")
    repo.git("branch", "@org/team")
    result = run("diff", "@org/team", "-f", "markdown", *AS_OF, cwd=repo.path)
    assert result.exit_code == 0, result.stderr
    assert problems(result.stdout) == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@org/team", "@<!-- -->org/team"),
        ("a#12", "a\\#<!-- -->12"),
        ("![x](https://e.example/p.png)", "!\\[x\\](https://e.example/p.png)"),
        ("<script>&lt;", "&lt;script&gt;&amp;lt;"),
        ("a\n\n## h\r\nb", "a \\#\\# h b"),
        ("x\x1b[2J\u202ey", "x\\\\x1b\\[2J\\\\u202ey"),
        ("mail me@example.com", "mail me@<!-- -->example.com"),
    ],
)
def test_inert_markdown(text: str, shown: str) -> None:
    from itokr.inert import markdown

    assert markdown(text) == shown


def test_the_reports_flags_and_their_reasons_are_inert(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The changes since the period began lead with each flag and its `reason:`."""
    forget_git_variables(monkeypatch)
    repo = GitRepo(tmp_path / "project")
    repo.write("okrs/team.yaml", harmless(target=10))
    repo.commit_on("2026-09-20", "plan")
    repo.write("okrs/team.yaml", hostile(target=8))  # eased, with REASON
    text = run("report", *AS_OF, cwd=repo.path).stdout
    assert "**Flags for the reviewer**" in text
    assert problems(text) == []
    assert not [line for line in text.splitlines() if line.startswith("#") and "Forged" in line]
    assert "reason: budget ## Forged heading ![x](https://evil.example/r.png)" in rendered_text(
        text
    )
