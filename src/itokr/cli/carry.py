"""`itokr carry`: next period's file from this one's unfinished objectives, to review."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, complain, root_path
from itokr.errors import ItokrError
from itokr.inert import terminal

if TYPE_CHECKING:
    from itokr.carry import Plan, ToFix
    from itokr.loader import Tree
    from itokr.rootfiles import Document


class CarryFormat(StrEnum):
    text = "text"
    json = "json"


def _checked(
    plan: Plan, tree: Tree, config: Document | None, documents: list[Document], shown: str
) -> Tree:
    """The root with the new file, which must load cleanly, as it would be committed."""
    from itokr.loader import load_documents
    from itokr.rootfiles import Document

    if not tree.ok:
        count = len(tree.findings)
        raise ItokrError(
            f"refusing to carry while the OKR root has {count} problem{'s' if count != 1 else ''}: "
            "run `itokr validate`"
        )
    others = [document for document in documents if document.path != shown]
    after = load_documents([*others, Document(shown, plan.text.encode())], config)
    if not after.ok:
        finding = after.findings[0]
        raise ItokrError(
            f"{shown}: the carried file would not validate ({finding.code} {finding.message}); "
            "nothing written (please report this)"
        )
    return after


def _summary(
    plan: Plan, shown: str, to_fix: Mapping[str, Sequence[ToFix]], *, written: bool
) -> str:
    lines = [
        f"{'Wrote' if written else 'Would write'} {shown}: {len(plan.carried)} "
        f"objective{'s' if len(plan.carried) != 1 else ''} "
        f"of {plan.source} unfinished at {plan.as_of}, for {plan.target}."
    ]
    for item in plan.carried:
        renamed = f" as {item.new_id}" if item.new_id != item.old_id else ""
        left = f"; done, left behind: {', '.join(item.dropped)}" if item.dropped else ""
        lines.append(f"  {item.old_id}{renamed} ({item.score:.2f}){left}")
        for fix in to_fix.get(item.new_id, ()):
            lines.append(f"    to fix: {fix.ref} {fix.code}: {fix.message}; {fix.fix}")
    if plan.finished:
        lines.append(f"Done, not carried: {', '.join(plan.finished)}")
    if to_fix:
        count = len(to_fix)
        lines.append(
            f"{count} carried objective{'s' if count != 1 else ''} would not pass as written: "
            "fix what is listed, then run `itokr smart`."
        )
    if written:
        lines += ["Review it (targets, owners), then:", f"  git add {shown} && itokr diff"]
    return terminal("\n".join(lines), lines=True) + "\n"  # FROM and TO are arguments


def _target_path(root: Path, source: str, target: str, output: str | None) -> Path:
    if output not in (None, "-"):
        return Path(output)
    from itokr.carry import slug

    # The folder is named as the period is written, when that makes a safe name.
    plain = all("/" not in name and not name.startswith(".") for name in (source, target))
    folder, name = (target, source) if plain else (slug(target), slug(source))
    return root / folder / f"carried-from-{name}.yaml"


@command()
def carry(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FROM", help="The period to carry from.")],
    target: Annotated[
        str,
        typer.Argument(metavar="TO", help="The next period: YYYY-Qn, YYYY-Hn, YYYY or a name."),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write (default ROOT/TO/carried-from-FROM.yaml); - prints it.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the new file; write nothing.")
    ] = False,
    as_of: AsOf = None,
    fmt: Annotated[
        CarryFormat, typer.Option("--format", "-f", help="text or json (a summary).")
    ] = CarryFormat.text,
) -> None:
    """Start the next period from this one's unfinished objectives, as a file to review.

    Objectives of FROM scoring below 1 at --as-of go to a new file for TO, with
    new ids where theirs are taken, each baseline set to its latest value, and
    check-ins, done key results and done milestones left behind. It refuses to
    overwrite a file; the new file is checked together with the root first, and
    what a carried objective would miss in SMART (one key result left, a lone
    milestone, a title naming the old baseline) is listed with the fix.
    """
    from itokr.carry import plan as make_plan
    from itokr.carry import review
    from itokr.loader import load_documents, read_root
    from itokr.rootfiles import display_path

    root = root_path(ctx)
    config, documents = read_root(root, Path.cwd())
    tree = load_documents(documents, config)
    plan = make_plan(tree.entries, tree.config, source, target, as_of_date(as_of))
    printing = dry_run or output == "-"
    path = _target_path(root, source, target, output)
    shown = display_path(path, Path.cwd())
    to_fix: dict[str, tuple[ToFix, ...]] = {}
    if not plan.carried:
        complain(f"nothing to carry: every objective of {source} is done")
        printing = True  # nothing is written; json still gets its document
    elif not printing and path.exists():
        raise ItokrError(f"{shown} exists; nothing written: review or remove it first")
    else:
        after = _checked(plan, tree, config, documents, shown)
        new_file = plan.text.encode()
        sources = {document.path: document.data for document in documents} | {shown: new_file}
        to_fix = review(
            plan, tree.entries, after.entries, tree.config, path=shown, source=sources.get
        )
    if not printing:
        from itokr.safewrite import create_file, root_lock

        inside = Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))
        with root_lock(root):  # a file meant for the root stays in it, links or not
            create_file(path, plan.text.encode(), within=root if inside else None)
    if fmt is CarryFormat.json:
        import json

        document = {
            "from": plan.source,
            "to": plan.target,
            "as_of": plan.as_of.isoformat(),
            "path": shown,
            "written": not printing,
            "objectives": [
                {
                    "id": item.new_id,
                    "from": item.old_id,
                    "score": round(item.score, 2),
                    "key_results": list(item.kept),
                    "left_behind": list(item.dropped),
                    "to_fix": [
                        {"ref": fix.ref, "code": fix.code, "message": fix.message, "fix": fix.fix}
                        for fix in to_fix.get(item.new_id, ())
                    ],
                }
                for item in plan.carried
            ],
            "finished": list(plan.finished),
            "text": plan.text if printing and plan.carried else None,
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif not plan.carried:
        return
    elif printing:
        sys.stdout.write(plan.text)
        sys.stderr.write(_summary(plan, shown, to_fix, written=False))
    else:
        sys.stdout.write(_summary(plan, shown, to_fix, written=True))
