"""`itokr smart` as a rich table, JSON (SPEC shape), GitHub annotations or SARIF 2.1.0."""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from itokr.render.workflow import annotation
from itokr.smart import LETTERS, RULES, Report, Rule, Violation

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _letter_name(letter: str) -> str:
    return LETTERS[letter].replace("_", "-").capitalize()


def _reason(violation: Violation) -> str:
    return f"{violation.code} {violation.message}"


def summary(reports: Sequence[Report]) -> str:
    """One line under the table: how many pass, the mean score, warnings, suppressions."""
    if not reports:
        return "No objectives to check."
    full = sum(1 for r in reports if r.score == 1)
    warnings = sum(len(r.warnings) for r in reports)
    suppressed = sum(1 for r in reports for v in r.violations if v.suppressed)
    mean = sum(r.score for r in reports) / len(reports)
    parts = [
        f"{len(reports)} objective{'s' if len(reports) != 1 else ''}, {full} fully SMART, "
        f"{len(reports) - full} with misses; mean score {mean:.2f}",
        f"{warnings} warning{'s' if warnings != 1 else ''}",
    ]
    if suppressed:
        parts.append(f"{suppressed} suppressed inline")
    return "; ".join(parts) + "."


def _misses(report: Report) -> RenderableType:
    """The objective's id, then each miss with its fix, hanging under a ✗ or !."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    name = Text(report.entry.id, style="bold")
    shown = report.errors + report.warnings
    if not shown:
        return name
    name.append(f"  {report.entry.path}", style="dim")
    misses = Table.grid(padding=(0, 1))
    misses.add_column(no_wrap=True)
    misses.add_column(ratio=1, overflow="fold")
    for violation in shown:
        error = violation.level == "error"
        text = Text(violation.code, style="red" if error else "yellow")
        text.append(f" {violation.message} (line {violation.line})")
        text.append(f"\n→ {violation.fix}", style="dim")
        misses.add_row(Text("✗" if error else "!", style="red" if error else "yellow"), text)
    return Group(name, misses)


def table(console: Console, reports: Sequence[Report], *, title: str = "") -> None:
    """One row per objective, ✓/✗ per letter, and under each miss its reason and fix."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    grid = Table(
        title=f"SMART check — {title}" if title else "SMART check",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
        expand=True,
    )
    grid.add_column("Objective", ratio=1, overflow="fold")
    for letter in LETTERS:
        grid.add_column(letter, justify="center", no_wrap=True)
    grid.add_column("Score", justify="right", no_wrap=True)
    for report in reports:
        marks = [
            Text("✓", style="green") if report.checks[name] else Text("✗", style="bold red")
            for name in LETTERS.values()
        ]
        score_style = "green" if report.score == 1 else "yellow" if report.score >= 0.6 else "red"
        grid.add_row(_misses(report), *marks, Text(f"{report.score:.2f}", style=score_style))
    console.print(grid)
    console.print(summary(reports))
    if any(report.violations for report in reports):
        console.print(
            "`itokr smart --explain CODE` shows a rule with a passing and a failing example.",
            style="dim",
        )


def explain_rule(rule: Rule) -> str:
    """A rule's documentation as plain text: its docstring, examples included."""
    head = f"{rule.code} ({_letter_name(rule.letter)}, {rule.level}): {rule.summary}"
    return f"{head}\n\n{inspect.cleandoc(rule.doc)}\n"


def _finding(violation: Violation) -> dict[str, Any]:
    return {
        "code": violation.code,
        "level": violation.level,
        "letter": LETTERS[violation.letter],
        "ref": violation.ref,
        "path": violation.path,
        "line": violation.line,
        "col": violation.col,
        "message": violation.message,
        "fix": violation.fix,
        "suppressed": violation.suppressed,
    }


def as_json(reports: Sequence[Report]) -> str:
    """SPEC §3's shape; `warnings`, `path` and the placed `findings` are additions."""
    document = {
        "objectives": [
            {
                "id": report.entry.id,
                "score": round(report.score, 2),
                "checks": dict(report.checks),
                "reasons": [_reason(v) for v in report.errors],
                "warnings": [_reason(v) for v in report.warnings],
                "path": report.entry.path,
                "findings": [_finding(v) for v in report.violations],
            }
            for report in reports
        ]
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github(reports: Sequence[Report]) -> str:
    """Workflow commands: each unsuppressed miss as an annotation on its line."""
    lines = []
    for report in reports:
        for v in report.errors + report.warnings:
            title = f"{v.code} ({_letter_name(v.letter)})"
            lines.append(
                annotation(
                    v.level,
                    f"{v.ref}: {v.message}. Fix: {v.fix}",
                    file=v.path,
                    line=v.line,
                    col=v.col,
                    title=title,
                )
            )
    return "".join(lines)


def _uri(path: str) -> str:
    """The file's real name percent-encoded, a `\\` or a control character in it too;
    a relative path stays relative (to the checkout, as code scanning expects)."""
    from itokr.rootfiles import real_path

    real = real_path(path)
    if real.is_absolute():
        return real.as_uri()
    return quote(os.fsencode(real.as_posix()))


def sarif(reports: Sequence[Report]) -> str:
    """SARIF 2.1.0, for code-scanning upload; inline suppressions are kept as such."""
    from itokr import __version__

    codes = list(RULES)
    rules = [
        {
            "id": code,
            "name": rule.check.__name__.title().replace("_", ""),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.doc.split("\n\n", 1)[0].split())},
            "defaultConfiguration": {"level": rule.level},
            "properties": {"tags": ["smart", LETTERS[rule.letter]]},
        }
        for code, rule in RULES.items()
    ]
    results = []
    for report in reports:
        for v in report.violations:
            result: dict[str, Any] = {
                "ruleId": v.code,
                "ruleIndex": codes.index(v.code),
                "level": v.level,
                "message": {"text": f"{v.ref}: {v.message}. Fix: {v.fix}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(v.path)},
                            "region": {"startLine": v.line, "startColumn": v.col},
                        },
                        "logicalLocations": [{"fullyQualifiedName": v.ref}],
                    }
                ],
            }
            if v.suppressed:
                result["suppressions"] = [{"kind": "inSource"}]
            results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "itokr", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Sequence[Report]], str]] = {
    "json": as_json,
    "github": github,
    "sarif": sarif,
}
