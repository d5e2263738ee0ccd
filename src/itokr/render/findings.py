"""Findings as text (`path:line:col: CODE message`), JSON, or GitHub annotations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from itokr.findings import Finding
from itokr.render.workflow import annotation
from itokr.wording import plural


def text(findings: Sequence[Finding], files: int) -> str:
    lines = [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]
    paths = len({f.path for f in findings})
    if findings:
        lines.append(
            f"Found {plural(len(findings), 'problem')} in {paths} of {plural(files, 'file')}."
        )
    else:
        lines.append(f"All good: {plural(files, 'file')} checked.")
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], files: int) -> str:
    import json  # here: a text run, the common one, does without it

    document = {"ok": not findings, "errors": [f.as_dict() for f in findings], "files": files}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github(findings: Sequence[Finding], files: int) -> str:
    """Workflow commands that GitHub Actions turns into annotations on the diff.

    Exactly the contract's `::error file=…,line=…,col=…::…`: the code leads the message.
    """
    return "".join(
        annotation("error", f"{f.code} {f.message}", file=f.path, line=f.line, col=f.col)
        for f in findings
    )


FORMATS: dict[str, Callable[[Sequence[Finding], int], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
}
