"""`itokr init`: a starter OKR root, with CI and pre-commit set up."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import as_of_date, command
from itokr.errors import ItokrError, UsageError
from itokr.inert import terminal

if TYPE_CHECKING:
    from itokr.origin import Source

# Stand-ins when nobody said where itokr comes from: pre-commit then fails with
# "repository not found", naming the line to fix (init says so too).
_UNKNOWN_REPO = "https://github.com/OWNER/itokr"
_UNKNOWN_REV = "v0.1.0"
_WORKFLOW = Path(".github/workflows/okrs.yml")
_HOOKS = Path(".pre-commit-config.yaml")
_PAGES = Path(".github/workflows/okrs-pages.yml")
_WEEKLY = Path(".github/workflows/okrs-weekly.yml")
_CONFIG, _IGNORE = Path("okrs/itokr.yaml"), Path("okrs/.gitignore")


def _quarter(day: dt.date) -> tuple[str, dt.date]:
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{quarter}", dt.date(day.year, 3 * quarter - 2, 1)


def _template(name: str, **values: str) -> str:
    """A template's text, with `{name}` fields filled when values are given."""
    from importlib import resources  # here, not at start-up: it costs every command 3 ms

    text = resources.files("itokr").joinpath("templates", name).read_text(encoding="utf-8")
    return text.format(**values) if values else text


def _workflow(name: str, source: Source | None) -> str:
    """A GitHub workflow (okrs.yml, pages.yml); ITOKR_SPEC defaults to `source`, else the
    variable must be set. Both install itokr the same way."""
    fallback = f"vars.ITOKR_SPEC || '{source.spec}'" if source else "vars.ITOKR_SPEC"
    return _template(name).replace("@ITOKR_SPEC@", fallback)


def _weekly(source: Source | None, secrets: Sequence[str]) -> str:
    """The weekly workflow: `itokr measure` (which records nothing while no key result has
    a source), then `itokr due --notify`; `secrets`: the environment variables the root's
    sources name, passed to the measure step from repository secrets."""
    passed = "".join(f"          {name}: ${{{{ secrets.{name} }}}}\n" for name in secrets)
    env = "        env:\n" + passed if passed else ""
    return _workflow("weekly.yml", source).replace("@SECRETS@", env)


def _hooks(source: Source | None) -> str:
    """`.pre-commit-config.yaml`: the hook repository at a pinned revision, both hooks."""
    import json

    repo, rev = (source.repo, source.rev) if source and source.repo else (None, None)
    text = _template("pre-commit-config.yaml")
    # a JSON string is YAML too; a stand-in carries a comment saying what to write there
    return text.replace(
        "@REPO@", json.dumps(repo) if repo else f"{_UNKNOWN_REPO}  # <- where your team gets itokr"
    ).replace("@REV@", json.dumps(rev) if rev else f"{_UNKNOWN_REV}  # <- a tag or commit there")


def _measure_secrets(root: Path) -> list[str]:
    """The `${VAR}`s the sources of an existing root's itokr.yaml name (none when it has
    no sources, or none that can be read)."""
    from itokr import yamlio
    from itokr.model.config import Config
    from itokr.model.sources import VARIABLE

    try:
        config = Config.model_validate(yamlio.read((root / "itokr.yaml").read_bytes()) or {})
    except (OSError, ValueError, yamlio.YamlProblem):
        return []  # none yet, or `validate` will say what is wrong with it
    texts = [
        text
        for source in config.sources.values()
        for text in (
            source.prometheus,
            source.http,
            source.file,
            *(source.command or ()),
            *(source.headers or {}).values(),
        )
        if text is not None
    ]
    return sorted({name for text in texts for name in VARIABLE.findall(text)})


def _has_objective_files(root: Path) -> bool:
    """An existing root keeps its own objectives: a second example would only clash."""
    return root.is_dir() and any(
        path.suffix in (".yaml", ".yml") and path != root / "itokr.yaml" for path in root.rglob("*")
    )


class InitFormat(StrEnum):
    text = "text"
    json = "json"


@dataclass
class _Report:
    """What init did, told line by line as it goes (text) or as one document (json)."""

    output: InitFormat
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _say(self, line: str) -> None:
        if self.output is InitFormat.text:
            sys.stdout.write(terminal(line) + "\n")

    def create(self, path: Path) -> None:
        self.created.append(str(path))
        self._say(f"created {path}")

    def keep(self, path: Path, why: str) -> None:
        self.kept.append(str(path))
        self._say(f"kept    {path} {why}")

    def note(self, text: str) -> None:
        self.notes.append(text)
        self._say(text)

    def finish(self, directory: Path) -> None:
        if self.output is InitFormat.json:
            import json

            document = {
                "directory": str(directory),
                "created": self.created,
                "kept": self.kept,
                "notes": self.notes,
            }
            sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _write(target: Path, text: str, directory: Path, report: _Report) -> bool:
    """Create `target`, and whether it was; never touch a file that exists."""
    from itokr.safewrite import Exists, create_file

    try:
        create_file(target, text.encode("utf-8"), within=directory)
    except Exists:
        report.keep(target, "(it exists)")
        return False
    report.create(target)
    return True


@command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="The project directory to set up (default: here).")
    ] = Path("."),
    organization: Annotated[
        str, typer.Option(metavar="NAME", help="Your organization's name, shown in titles.")
    ] = "",
    itokr_from: Annotated[
        str | None,
        typer.Option(
            "--itokr-from",
            metavar="REQUIREMENT",
            help="The pip requirement your team installs itokr from, such as "
            "git+https://github.com/OWNER/itokr@v0.1.0: the workflows install it and, for a "
            "git URL, pre-commit takes its hooks from there (default: the git URL and commit "
            "this itokr was installed from, when pip recorded one).",
        ),
    ] = None,
    pages: Annotated[
        bool,
        typer.Option(
            "--pages",
            help="Also add .github/workflows/okrs-pages.yml, which publishes `itokr site` "
            "on GitHub Pages (daily and on every push to main).",
        ),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="The day whose quarter the example objective is for (default: today).",
        ),
    ] = None,
    output: Annotated[
        InitFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a line per file; json: one document listing the files created, "
            "those kept as they were, and the notes.",
        ),
    ] = InitFormat.text,
) -> None:
    """Start an OKR root: okrs/ with a config and an example, plus CI and pre-commit.

    Writes okrs/itokr.yaml, okrs/<this quarter>/platform.yaml, okrs/.gitignore (for
    itokr's temporary files), a GitHub Actions workflow (.github/workflows/okrs.yml)
    and .pre-commit-config.yaml; with --pages, a workflow that publishes the
    dashboard on GitHub Pages. Files that exist are never overwritten, no example
    is added to an okrs/ that already holds objective files, and nothing is written
    through a symbolic link that leads out of DIRECTORY. Run it again at any time
    to add what is missing.

    The workflows install itokr from the ITOKR_SPEC repository variable, else from
    --itokr-from; pre-commit takes its hooks from that git repository at that revision.
    """
    import json

    from itokr import origin

    period, start = _quarter(as_of_date(as_of))
    source = origin.parse(itokr_from) if itokr_from is not None else origin.installed()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    root = directory / "okrs"
    example = Path(f"okrs/{period}/platform.yaml")
    quoted = json.dumps(organization, ensure_ascii=False)  # a JSON string is YAML too
    files = {
        _CONFIG: _template("itokr.yaml", organization=quoted),
        example: _template("example.yaml", period=period, start=start.isoformat()),
        _WORKFLOW: _workflow("okrs.yml", source),
        _HOOKS: _hooks(source),
        _IGNORE: _template("gitignore"),
        _WEEKLY: _weekly(source, _measure_secrets(root)),
    }
    if pages:
        files[_PAGES] = _workflow("pages.yml", source)
    report = _Report(output)
    if _has_objective_files(root):
        del files[example]
        report.keep(root, "as it is (it holds objective files)")
    from itokr.safewrite import check_inside

    created = set()
    try:
        for relative in files:  # before anything is written: a link out of DIRECTORY stops all
            check_inside(directory / relative, directory)
        for relative, text in files.items():
            if _write(directory / relative, text, directory, report):
                created.add(relative)
    except ItokrError as error:  # the tree is in the way (a file for a folder, a link out)
        raise UsageError(str(error)) from None
    if (source is None or source.repo is None) and created - {example, _CONFIG, _IGNORE}:
        report.note(_unknown_source_note(source))
    where = "" if directory == Path(".") else f"cd {directory}, "
    report.note(
        f"Next: {where}edit the objective file, then run `itokr validate` and `itokr status`."
    )
    report.finish(directory)


def _unknown_source_note(source: Source | None) -> str:
    hooks = "set repo and rev in .pre-commit-config.yaml to the git repository of itokr"
    if source is not None:  # a requirement pip understands, but no git URL for pre-commit
        return f"Note: {hooks} (the workflow installs {source.spec})."
    return (
        "Note: this itokr was not installed from a git URL, so init cannot tell where your "
        "team gets it: set the repository variable ITOKR_SPEC (a pip requirement such as "
        f"git+https://github.com/OWNER/itokr@v0.1.0) and {hooks}, or run init with "
        "--itokr-from before the files exist."
    )
