"""`itokr site`: a static dashboard of the root, for a browser, Pages, or a file share."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import (
    AsOf,
    as_of_date,
    check_filters,
    command,
    read_source,
    require_valid,
    root_path,
)
from itokr.errors import UsageError

if TYPE_CHECKING:
    from itokr.crosscheck import Entry
    from itokr.loader import Tree
    from itokr.report import Since


class SiteFormat(StrEnum):
    text = "text"
    json = "json"


@command()
def site(
    ctx: typer.Context,
    outdir: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR",
            help="The directory to write the site into: created when missing; refused "
            "when it holds other files than an earlier itokr site (see --force).",
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Only the objectives of this period, by name (2026-Q4, FY27); "
            "default: every objective of the root, all periods.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into OUTDIR even though it holds files of its own (same-named "
            "files are replaced; nothing else is touched).",
        ),
    ] = False,
    output_format: Annotated[
        SiteFormat,
        typer.Option("--format", "-f", help="text: where the site is; json: every file written."),
    ] = SiteFormat.text,
    as_of: AsOf = None,
) -> None:
    """A static website of the OKRs: open OUTDIR/index.html, or publish OUTDIR on
    GitHub or GitLab Pages.

    An overview of every objective (sortable and filterable by health, owner, area
    and period, with counts by health), a page per owner, and a page per objective
    with its key results, burn-up charts, check-ins with notes and confidence, and
    what changed in git since its period started (flags and their reasons first, as
    in `itokr report`); a KPI page when the root has KPIs. Every number is the one
    `itokr status` shows as of --as-of. The pages load nothing from anywhere else
    (no CDN, font or script from another host), work from file://, read well on a
    phone, print, and follow the system's dark mode.

    Writes each file atomically and never through a symbolic link; pages of an
    earlier build that are gone are removed. Refuses (exit 1) while any OKR file
    is invalid. SOURCE_DATE_EPOCH, when set, is the generation time the pages show.
    """
    from itokr.kpis import score_all as score_kpis
    from itokr.loader import load_root
    from itokr.render.site_html import files
    from itokr.report import build as review_of
    from itokr.report import select
    from itokr.scoring import score_all
    from itokr.site import build
    from itokr.sitedir import publish
    from itokr.smart import letters_by_id

    day = as_of_date(as_of)
    generated = _generated()
    root = root_path(ctx)
    tree = load_root(root, Path.cwd())
    require_valid(tree)
    check_filters(tree, period=period, note=output_format is not SiteFormat.json)
    if period is None:
        entries, label = list(tree.entries), "all periods"
    else:
        entries, label = select(tree.entries, period, day)
    scores = score_all(entries, tree.config, day)
    smart = letters_by_id(tree.entries, entries, tree.config.smart, source=read_source, as_of=day)
    kpis = score_kpis(tree.kpis, tree.entries, tree.config, day)  # KPIs outlive periods
    review = review_of(tree.config.organization, scores, smart, day, label, kpis=kpis)
    written = publish(
        outdir, files(build(review, _since(root, tree, entries, day), generated)), force=force
    )
    index = outdir / "index.html"
    if output_format is SiteFormat.json:
        import json

        document = {"outdir": str(outdir), "index": str(index), "as_of": day.isoformat()}
        sys.stdout.write(json.dumps({**document, "files": written}, ensure_ascii=False) + "\n")
        return
    pages = sum(1 for path in written if path.endswith(".html"))
    from itokr.inert import terminal

    sys.stdout.write(terminal(f"wrote {pages} pages to {outdir}; open {index}") + "\n")


def _generated() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH (reproducible builds: the same files from the same commit)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970-01-01 UTC"
        ) from None


def _since(root: Path, tree: Tree, entries: Sequence[Entry], day: dt.date) -> dict[dt.date, Since]:
    """The git comparison for each period start, as `report` makes it: the root at the
    last commit before it (else at the first commit holding those objectives) against
    the working tree, flags and their reasons with it."""
    from itokr.report.since import changes_since

    starts: dict[dt.date, list[Entry]] = {}
    for entry in entries:
        if entry.period is not None:
            starts.setdefault(entry.period.start, []).append(entry)
    return {
        start: changes_since(root, tree, start, day, group, Path.cwd())
        for start, group in sorted(starts.items())
    }
