"""What the static site shows: its pages, and what each page holds.

Pure: built from the review model (`report.build`, so every score, expected
value, health and burn-up is the one `status` and `report` compute), the git
comparison for each period start, and the dates, which come in as arguments.
`render.site_html` gives each page its template.

A page kind is a frozen dataclass with `path`, `title` and `template`, and a
builder in `BUILDERS` that yields its pages from the `Parts`; a kind listed in
`NAV` is linked from every page's header. The KPI page (SPEC §6) is one such
kind: the review holds the root's KPIs as known on its date, and `_kpis` yields
`kpis.html` when there are any (nothing otherwise).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from itokr.changes import Change
from itokr.kpis import BANDS, KpiScore
from itokr.render.plain import summary
from itokr.report import Flagged, Review, Section, Since
from itokr.scoring import HEALTHS, ObjectiveScore
from itokr.site.names import objective_names, owner_names

NO_PERIOD = "no-period"  # the health key of an objective without a period (health null)


def health_key(health: str | None) -> str:
    """A health as the site's filters and colours name it."""
    return health or NO_PERIOD


def health_label(health: str | None) -> str:
    """A health (or its key) as a person reads it."""
    return "no period" if health in (None, NO_PERIOD) else health


@dataclass(frozen=True, slots=True)
class Link:
    """A link to another page; `href` is relative to the top of the site."""

    href: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """One objective in an overview table."""

    score: ObjectiveScore
    href: str
    owner: Link | None

    @property
    def period_start(self) -> dt.date | None:
        period = self.score.entry.period
        return None if period is None else period.start


@dataclass(frozen=True, slots=True)
class Tally:
    """Objectives counted by health (in status's order) and their mean scores."""

    objectives: int
    counts: tuple[tuple[str, int], ...]  # (health key, count), zero counts left out
    mean: float | None
    committed: tuple[int, float | None]
    aspirational: tuple[int, float | None]
    stale: int  # key results

    @classmethod
    def of(cls, scores: Sequence[ObjectiveScore]) -> Tally:
        facts = summary(scores)
        by_health = {
            health_key(None if k == "no period" else k): n for k, n in facts["health"].items()
        }
        order = (*HEALTHS, NO_PERIOD)
        return cls(
            objectives=facts["objectives"],
            counts=tuple((h, by_health[h]) for h in order if by_health.get(h)),
            mean=facts["mean"],
            committed=facts["committed"],
            aspirational=facts["aspirational"],
            stale=facts["stale"],
        )

    @property
    def largest(self) -> int:
        return max((n for _, n in self.counts), default=0)


@dataclass(frozen=True, slots=True)
class Filter:
    """A choice the overview can be narrowed by: `data-NAME` on each row."""

    name: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True)
class Overview:
    """`index.html`: every objective, its counts by health, filters and sorting."""

    template: ClassVar[str] = "index.html"
    path: str
    title: str
    rows: tuple[Row, ...]
    tally: Tally
    filters: tuple[Filter, ...]
    # every flag since the objectives' periods started, with its reason, as `report`
    # leads its changes; the href of the objective's page, None for one that is gone
    flags: tuple[tuple[Flagged, str | None], ...]
    removed: tuple[Change, ...]  # objectives gone since their period started: no page of their own


@dataclass(frozen=True)
class OwnerIndex:
    """`owners/index.html`: every owner, how many objectives, how they stand."""

    template: ClassVar[str] = "owners.html"
    path: str
    title: str
    owners: tuple[tuple[Link, Tally], ...]


@dataclass(frozen=True)
class OwnerPage:
    """`owners/NAME.html`: one owner's objectives."""

    template: ClassVar[str] = "owner.html"
    path: str
    title: str
    rows: tuple[Row, ...]
    tally: Tally


@dataclass(frozen=True)
class ObjectivePage:
    """`objectives/ID.html`: one objective with its key results, charts, check-ins, changes."""

    template: ClassVar[str] = "objective.html"
    path: str
    title: str
    section: Section
    owner: Link | None
    parents: tuple[Link | str, ...]  # a parent outside the site is shown by its id
    children: tuple[Link, ...]
    since: Since | None  # the comparison for its period; None without a period


@dataclass(frozen=True, slots=True)
class KpiRow:
    """One KPI on the KPI page: as known on the site's date, with where to read more."""

    score: KpiScore
    owner: Link | None  # None: no owner, or one without objectives (so without a page)
    key_results: tuple[tuple[str, str | None], ...]  # (ref, href of its objective's page)


@dataclass(frozen=True)
class KpiPage:
    """`kpis.html`: every KPI of the root, banded, with the key results that track it."""

    template: ClassVar[str] = "kpis.html"
    path: str
    title: str
    rows: tuple[KpiRow, ...]
    counts: tuple[tuple[str, int], ...]  # (band, count), zero counts left out; no data last
    stale: int


Page = Overview | OwnerIndex | OwnerPage | ObjectivePage | KpiPage
NAV: dict[type, str] = {  # pages the header links
    Overview: "Overview",
    OwnerIndex: "Owners",
    KpiPage: "KPIs",
}


@dataclass(frozen=True)
class Parts:
    """What the builders share: the review, the comparisons, and every page's address."""

    review: Review
    since: Mapping[dt.date, Since]  # by period start
    objective_href: Mapping[str, str]
    owner_href: Mapping[str, str]

    def owner_link(self, owner: str | None) -> Link | None:
        return None if owner is None else Link(self.owner_href[owner], owner)

    @cached_property
    def rows(self) -> tuple[Row, ...]:
        """Every objective, in path order (as status lists them)."""
        return tuple(
            Row(s.score, self.objective_href[s.entry.id], self.owner_link(s.entry.owner))
            for s in self.review.sections
        )


@dataclass(frozen=True)
class Site:
    """The whole site: a header shared by every page, and the pages."""

    title: str
    period: str  # what was selected: "all periods" or the --period name
    as_of: dt.date
    generated: dt.datetime
    pages: tuple[Page, ...]

    @property
    def nav(self) -> tuple[Link, ...]:
        return tuple(Link(p.path, NAV[type(p)]) for p in self.pages if type(p) in NAV)


def _filters(rows: Sequence[Row]) -> tuple[Filter, ...]:
    entries = [row.score.entry for row in rows]
    healths = {health_key(row.score.health) for row in rows}
    periods: dict[str, dt.date] = {}
    for entry in entries:
        if entry.period is not None:
            periods.setdefault(entry.period.label, entry.period.start)
    owners = sorted({e.owner for e in entries if e.owner is not None}, key=str.casefold)
    areas = sorted({e.area for e in entries if e.area is not None}, key=str.casefold)
    return (
        Filter(
            "health",
            "Health",
            tuple(
                (h, health_label(None if h == NO_PERIOD else h))
                for h in (*HEALTHS, NO_PERIOD)
                if h in healths
            ),
        ),
        Filter("owner", "Owner", tuple((o, o) for o in owners)),
        Filter("area", "Area", tuple((a, a) for a in areas)),
        Filter(
            "period",
            "Period",
            tuple((p, p) for p in sorted(periods, key=lambda p: (periods[p], p))),
        ),
    )


def _objective_of(ref: str) -> str:
    return ref.split("/", 1)[0]


def _overview(parts: Parts) -> Iterator[Page]:
    shown = set(parts.objective_href)
    removed = tuple(
        change
        for since in parts.since.values()
        for change in since.changes
        if change.is_objective and change.change == "removed" and change.ref not in shown
    )
    flags = {(flag.ref, flag.kind): flag for since in parts.since.values() for flag in since.flags}
    yield Overview(
        path="index.html",
        title="Overview",
        rows=parts.rows,
        tally=Tally.of([row.score for row in parts.rows]),
        filters=_filters(parts.rows),
        flags=tuple(
            (flag, parts.objective_href.get(_objective_of(flag.ref))) for flag in flags.values()
        ),
        removed=tuple({c.ref: c for c in removed}.values()),
    )


def _owners(parts: Parts) -> Iterator[Page]:
    by_owner: dict[str, list[Row]] = {}
    for row in parts.rows:
        if row.owner is not None:
            by_owner.setdefault(row.owner.text, []).append(row)
    owners = sorted(by_owner, key=str.casefold)
    yield OwnerIndex(
        path="owners/index.html",
        title="Owners",
        owners=tuple(
            (Link(parts.owner_href[o], o), Tally.of([r.score for r in by_owner[o]])) for o in owners
        ),
    )
    for owner in owners:
        rows = tuple(by_owner[owner])
        yield OwnerPage(
            path=parts.owner_href[owner],
            title=owner,
            rows=rows,
            tally=Tally.of([r.score for r in rows]),
        )


def _objectives(parts: Parts) -> Iterator[Page]:
    sections = parts.review.sections
    children: dict[str, list[Link]] = {}
    for section in sections:
        for parent in dict.fromkeys(section.entry.objective.aligns_to):
            children.setdefault(parent, []).append(
                Link(parts.objective_href[section.entry.id], section.entry.objective.title)
            )
    changes: dict[tuple[dt.date, str], list[Change]] = {}  # by period start and objective
    flags: dict[tuple[dt.date, str], list[Flagged]] = {}
    for start, compared in parts.since.items():
        for change in compared.changes:
            changes.setdefault((start, _objective_of(change.ref)), []).append(change)
        for flag in compared.flags:
            flags.setdefault((start, _objective_of(flag.ref)), []).append(flag)
    for section in sections:
        entry = section.entry
        parents = tuple(
            Link(parts.objective_href[p], p) if p in parts.objective_href else p
            for p in dict.fromkeys(entry.objective.aligns_to)
        )
        since = None if entry.period is None else parts.since.get(entry.period.start)
        if since is not None:
            key = (since.start, entry.id)
            since = dataclasses.replace(
                since, changes=tuple(changes.get(key, ())), flags=tuple(flags.get(key, ()))
            )
        yield ObjectivePage(
            path=parts.objective_href[entry.id],
            title=entry.objective.title.strip(),
            section=section,
            owner=parts.owner_link(entry.owner),
            parents=parents,
            children=tuple(children.get(entry.id, ())),
            since=since,
        )


def _kpis(parts: Parts) -> Iterator[Page]:
    scores = parts.review.kpis
    if not scores:
        return
    rows = tuple(
        KpiRow(
            score,
            None
            if score.entry.owner not in parts.owner_href
            else parts.owner_link(score.entry.owner),
            tuple((ref, parts.objective_href.get(_objective_of(ref))) for ref in score.key_results),
        )
        for score in scores
    )
    bands = [score.band for score in scores]
    counts = [(band, bands.count(band)) for band in BANDS] + [("no data", bands.count(None))]
    yield KpiPage(
        path="kpis.html",
        title="KPIs",
        rows=rows,
        counts=tuple((band, n) for band, n in counts if n),
        stale=sum(1 for score in scores if score.stale),
    )


# Each yields its pages, in the order the header links them.
BUILDERS: tuple[Callable[[Parts], Iterable[Page]], ...] = (
    _overview,
    _owners,
    _kpis,
    _objectives,
)


def build(
    review: Review,
    since: Mapping[dt.date, Since],
    generated: dt.datetime,
) -> Site:
    """The site of `review` (built with `report.build`), `since` holding the git
    comparison for each period start of its objectives."""
    ids = [section.entry.id for section in review.sections]
    objective_href = {i: f"objectives/{name}.html" for i, name in objective_names(ids).items()}
    owners = [s.entry.owner for s in review.sections if s.entry.owner is not None]
    owner_href = {o: f"owners/{name}.html" for o, name in owner_names(owners).items()}
    parts = Parts(review, since, objective_href, owner_href)
    pages = tuple(page for builder in BUILDERS for page in builder(parts))
    return Site(
        title=review.title or "OKRs",
        period=review.period,
        as_of=review.as_of,
        generated=generated,
        pages=pages,
    )
