"""`itokr init`: a starter OKR root, with CI and pre-commit set up."""

from __future__ import annotations

import datetime as dt
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command


def _quarter(day: dt.date) -> tuple[str, dt.date]:
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{quarter}", dt.date(day.year, 3 * quarter - 2, 1)


def _template(name: str, **values: str) -> str:
    text = resources.files("itokr").joinpath("templates", name).read_text(encoding="utf-8")
    return text.format(**values)


@command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="The project directory to set up (default: here).")
    ] = Path("."),
    organization: Annotated[
        str, typer.Option(help="Your organization's name, shown in titles.")
    ] = "",
    as_of: AsOf = None,
) -> None:
    """Start an OKR root: okrs/ with a config and an example, plus CI and pre-commit.

    Writes okrs/itokr.yaml, okrs/<this quarter>/platform.yaml, a GitHub Actions
    workflow (.github/workflows/okrs.yml) and .pre-commit-config.yaml. Files that
    exist are never overwritten.
    """
    period, start = _quarter(as_of_date(as_of))
    files = {
        Path("okrs/itokr.yaml"): _template("itokr.yaml", organization=organization),
        Path(f"okrs/{period}/platform.yaml"): _template(
            "example.yaml", period=period, start=start.isoformat()
        ),
        Path(".github/workflows/okrs.yml"): _template("okrs.yml"),
        Path(".pre-commit-config.yaml"): _template("pre-commit-config.yaml", root="okrs"),
    }
    for relative, text in files.items():
        target = directory / relative
        if target.exists():
            sys.stdout.write(f"kept     {target} (it exists)\n")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
        sys.stdout.write(f"created  {target}\n")
    sys.stdout.write(
        "Next: edit the objective file, then run `itokr validate` and `itokr status`.\n"
    )
