"""Run the rules over a root: place each miss, honour inline suppressions, score letters.

Files are read again only when one of their objectives has a miss, for the
`# itokr: disable=CODE` comments, and for the line of each miss unless the loader
kept the file's marks (`itokr smart` asks it to); a clean root costs no extra
reading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from itokr import yamlio, yamlmarks
from itokr.acyclic import collector_paused
from itokr.asof import known_on
from itokr.crosscheck import Entry
from itokr.errors import ItokrError
from itokr.model.config import SmartConfig
from itokr.smart.base import LETTERS, RULES, Context, Level, Loc, Miss, Rule

_DISABLE = re.compile(r"#\s*itokr:\s*disable=([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Source = Callable[[str], bytes | None]
Marked = Callable[[str], yamlmarks.Marks | None]  # where the nodes of a file start, if kept


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule's miss, placed in its file."""

    code: str
    level: Level
    path: str
    line: int
    col: int
    ref: str  # the objective, or OBJECTIVE/KR when the miss is in one key result
    message: str
    fix: str
    suppressed: bool

    @property
    def letter(self) -> str:
        return self.code[0]


@dataclass(frozen=True, slots=True)
class Report:
    """One objective's SMART checks."""

    entry: Entry
    checks: dict[str, bool]  # specific, measurable, attainable, relevant, time_bound
    violations: tuple[Violation, ...]  # in file order, suppressed ones included

    @property
    def score(self) -> float:
        return sum(self.checks.values()) / len(self.checks)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "error" and not v.suppressed]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "warning" and not v.suppressed]


def enabled_rules(config: SmartConfig) -> list[Rule]:
    """The floor, and the warnings `smart.rules` leaves on (all by default)."""
    for code, on in config.rules.items():
        if code not in RULES:
            raise ItokrError(
                f"itokr.yaml: smart.rules names {code}, which is no rule; the warnings are "
                + ", ".join(c for c, r in RULES.items() if r.level == "warning")
            )
        if RULES[code].level == "error" and not on:
            raise ItokrError(
                f"itokr.yaml: smart.rules turns off {code}, part of the SMART floor; suppress "
                f"it where the team agreed with `# itokr: disable={code}` instead"
            )
    return [r for c, r in RULES.items() if r.level == "error" or config.rules.get(c, True)]


def owner_load(entries: Iterable[Entry]) -> dict[str, tuple[int, int]]:
    """Each objective's place among its owner's objectives in its period, and their count."""
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        if entry.owner is not None and entry.period is not None:
            groups.setdefault((entry.owner, entry.period.label), []).append(entry.id)
    return {id_: (place, len(ids)) for ids in groups.values() for place, id_ in enumerate(ids)}


@collector_paused()  # many objects, no cycles: the collector would only cost time
def check(
    entries: Sequence[Entry],
    config: SmartConfig,
    *,
    source: Source,
    as_of: dt.date,
    selected: Callable[[Entry], bool] = lambda entry: True,
    marks: Marked = lambda path: None,
) -> list[Report]:
    """SMART reports of the `selected` entries as known on `as_of` (the confidence rules
    read check-ins); the whole root is context (owner load). A file's findings are placed
    by its `marks` when kept, else by reading its `source` again."""
    rules = enabled_rules(config)
    context = Context(config, owner_load(entries))
    found: list[tuple[Entry, list[tuple[Rule, Miss]]]] = []
    for entry in entries:
        if selected(entry):
            # check-ins after `as_of` are a suffix: the indices that place misses still hold
            entry = known_on(entry, as_of)
            found.append((entry, [(r, miss) for r in rules for miss in r.check(entry, context)]))
    by_path: dict[str, list[tuple[Entry, Rule, Miss]]] = {}
    for entry, misses in found:
        if misses:  # a file whose objectives all pass is never read again
            by_path.setdefault(entry.path, []).extend((entry, r, miss) for r, miss in misses)
    placed: dict[tuple[str, int], list[Violation]] = {}
    for path, items in by_path.items():
        placed_here = _place(items, source(path), marks(path))
        for (entry, _, _), violation in zip(items, placed_here, strict=True):
            placed.setdefault((path, entry.index), []).append(violation)
    reports = []
    for entry, _ in found:
        violations = tuple(
            sorted(placed.get((entry.path, entry.index), ()), key=lambda v: (v.line, v.col, v.code))
        )
        failed = {v.letter for v in violations if v.level == "error" and not v.suppressed}
        checks = {name: letter not in failed for letter, name in LETTERS.items()}
        reports.append(Report(entry, checks, violations))
    return reports


def _disabled(lines: list[str], line: int) -> set[str]:
    """The codes a `# itokr: disable=CODE,...` comment on `line` names."""
    if not 1 <= line <= len(lines):
        return set()
    match = _DISABLE.search(lines[line - 1])
    return {code.strip().upper() for code in match[1].split(",")} if match else set()


def _kr_index(loc: Loc) -> int | None:
    if len(loc) >= 2 and loc[0] == "key_results" and isinstance(loc[1], int):
        return loc[1]
    return None


def _anchors(base: Loc) -> list[tuple[Loc, bool]]:
    """Where a suppression comment may sit: the item's first line, and its `id:` line."""
    return [(base, False), ((*base, "id"), True)]


def _place(
    items: list[tuple[Entry, Rule, Miss]], data: bytes | None, marks: yamlmarks.Marks | None
) -> list[Violation]:
    """Place the misses of one file (by its marks, else in one pass over it), and read
    its suppressions."""
    wanted: list[tuple[Loc, bool]] = []
    for entry, _, miss in items:
        base: Loc = ("objectives", entry.index)
        kr = _kr_index(miss.loc)
        wanted += [((*base, *miss.loc), True), *_anchors(base)]
        wanted += _anchors((*base, "key_results", kr) if kr is not None else base)
    if marks is not None:
        positions = marks.locate_all(wanted)
    elif data is not None:
        positions = yamlio.locate_all(data, wanted)
    else:
        positions = [yamlmarks.Position(1, 1)] * len(wanted)
    lines: list[str] = []  # a file without `itokr:` in it suppresses nothing: no need to split
    if data is not None and b"itokr:" in data:
        lines = _LINE_BREAK.split(data.decode("utf-8-sig", errors="replace"))
    violations = []
    for number, (entry, rule_, miss) in enumerate(items):
        where, *anchors = positions[5 * number : 5 * number + 5]
        kr = _kr_index(miss.loc)
        ref = entry.id
        if kr is None:
            anchors = anchors[:2]
        else:
            ref = f"{entry.id}/{entry.objective.key_results[kr].id}"
        off = set().union(*(_disabled(lines, anchor.line) for anchor in anchors if lines))
        violations.append(
            Violation(
                code=rule_.code,
                level=rule_.level,
                path=entry.path,
                line=where.line,
                col=where.col,
                ref=ref,
                message=miss.message,
                fix=miss.fix,
                suppressed=rule_.code in off,
            )
        )
    return violations


def letters_by_id(
    entries: Sequence[Entry],
    chosen: Sequence[Entry],
    config: SmartConfig,
    *,
    source: Source,
    as_of: dt.date,
) -> dict[str, dict[str, bool]]:
    """The SMART letters of each objective of `chosen` as known on `as_of`, by id, judged
    with all `entries` as context (what a review or the site shows beside each objective)."""
    picked = {id(entry.objective) for entry in chosen}
    reports = check(
        entries, config, source=source, as_of=as_of, selected=lambda e: id(e.objective) in picked
    )
    return {report.entry.id: report.checks for report in reports}
