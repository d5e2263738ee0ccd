"""`itokr init`: a starter OKR root, with CI and pre-commit set up."""

from __future__ import annotations

import datetime as dt
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command
from itokr.errors import UsageError


def _quarter(day: dt.date) -> tuple[str, dt.date]:
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{quarter}", dt.date(day.year, 3 * quarter - 2, 1)


def _template(name: str, **values: str) -> str:
    text = resources.files("itokr").joinpath("templates", name).read_text(encoding="utf-8")
    return text.format(**values)


def _pages_workflow() -> str:
    """The Pages workflow, read as it is (GitHub's `${{ }}` are no format fields); it
    installs itokr from the ITOKR_SPEC repository variable."""
    text = resources.files("itokr").joinpath("templates", "pages.yml").read_text(encoding="utf-8")
    return text.replace("@ITOKR_SPEC@", "vars.ITOKR_SPEC")


def _has_objective_files(root: Path) -> bool:
    """An existing root keeps its own objectives: a second example would only clash."""
    return root.is_dir() and any(
        path.suffix in (".yaml", ".yml") and path != root / "itokr.yaml" for path in root.rglob("*")
    )


def _write(target: Path, text: str) -> str:
    """Create `target`; never touch a file that exists, whatever it holds."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        return f"kept    {target} (it exists)"
    except OSError as error:
        raise UsageError(f"cannot create {target}: {error.strerror or error}") from None
    return f"created {target}"


@command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="The project directory to set up (default: here).")
    ] = Path("."),
    organization: Annotated[
        str, typer.Option(help="Your organization's name, shown in titles.")
    ] = "",
    pages: Annotated[
        bool,
        typer.Option(
            "--pages",
            help="Also add .github/workflows/okrs-pages.yml, which publishes `itokr site` "
            "on GitHub Pages (daily and on every push to main).",
        ),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Start an OKR root: okrs/ with a config and an example, plus CI and pre-commit.

    Writes okrs/itokr.yaml, okrs/<this quarter>/platform.yaml, a GitHub Actions
    workflow (.github/workflows/okrs.yml) and .pre-commit-config.yaml; with --pages,
    a workflow that publishes the dashboard on GitHub Pages. Files that exist are
    never overwritten, and no example is added to an okrs/ that already holds
    objective files. Run it again at any time to add what is missing.
    """
    period, start = _quarter(as_of_date(as_of))
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    root = directory / "okrs"
    example = Path(f"okrs/{period}/platform.yaml")
    quoted = json.dumps(organization, ensure_ascii=False)  # a JSON string is YAML too
    files = {
        Path("okrs/itokr.yaml"): _template("itokr.yaml", organization=quoted),
        example: _template("example.yaml", period=period, start=start.isoformat()),
        Path(".github/workflows/okrs.yml"): _template("okrs.yml"),
        Path(".pre-commit-config.yaml"): _template("pre-commit-config.yaml", root="okrs"),
    }
    if pages:
        files[Path(".github/workflows/okrs-pages.yml")] = _pages_workflow()
    if _has_objective_files(root):
        del files[example]
        sys.stdout.write(f"kept    {root} as it is (it holds objective files)\n")
    for relative, text in files.items():
        sys.stdout.write(_write(directory / relative, text) + "\n")
    where = "" if directory == Path(".") else f"cd {directory}, "
    sys.stdout.write(
        f"Next: {where}edit the objective file, then run `itokr validate` and `itokr status`.\n"
    )
