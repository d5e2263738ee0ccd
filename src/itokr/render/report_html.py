"""`itokr report --format html`: the review as one self-contained page.

Inline CSS and inline SVG only — no script, font, image or link to fetch — so
the file can be mailed, archived beside the OKRs and opened years later. It
reflows to one column on a phone and prints with its colours, a section per
page break where it fits. Every user string is escaped with `html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from itokr.render.kpis import bounds, summary_line, trend, value_text
from itokr.render.plain import (
    forecast_text,
    iso,
    kind_label,
    now_text,
    summary_lines,
    two,
    with_unit,
)
from itokr.render.report_markdown import (
    change_text,
    flag_text,
    heading,
    section_facts,
    window_text,
)
from itokr.render.report_svg import burnup, score_bar, tone
from itokr.report import Group, Review, Section
from itokr.scoring import KeyResultScore

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #111827; background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 32px 0 12px; border-bottom: 2px solid #e5e7eb;
  padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 0 0 6px; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #374151; }
.muted { color: #6b7280; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; }
.card b { display: block; font-size: 1.5rem; }
.groups { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 0.9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e5e7eb;
  vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.meter { background: #e5e7eb; border-radius: 3px; height: 10px; min-width: 40px; }
.meter span { display: block; height: 10px; border-radius: 3px; }
.objective { border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px; margin: 0 0 20px; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 10px; font-size: 0.9rem; }
.pill { display: inline-block; padding: 0 8px; border-radius: 999px; color: #fff;
  font-size: 0.85rem; white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
figure { margin: 0; } figcaption { font-size: 0.85rem; margin-bottom: 2px; }
svg .axis { font: 10px system-ui, sans-serif; fill: #6b7280; }
.legend { font-size: 0.8rem; color: #6b7280; }
blockquote { margin: 6px 0 10px; padding-left: 10px; border-left: 3px solid #d1d5db;
  color: #374151; }
ul.changes { padding-left: 20px; }
@media (max-width: 600px) {
  main { padding: 14px 10px 32px; } body { font-size: 14px; }
  .objective { padding: 10px; } th, td { padding: 4px 5px; }
  /* on a phone a wide table becomes one card per row: every cell labelled, none hidden */
  table.stack thead { display: none; }
  table.stack, table.stack tbody, table.stack tr { display: block; width: 100%; }
  table.stack tr { border-bottom: 1px solid #e5e7eb; padding: 6px 0; }
  table.stack td { display: inline-block; border: none; padding: 1px 12px 1px 0;
    text-align: left; }
  table.stack td:first-child { display: block; padding-right: 0; }
  table.stack td[data-label]::before { content: attr(data-label) " "; color: #4b5563;
    font-size: 0.8rem; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 9.5pt; } main { max-width: none; padding: 0; }
  .objective { border: none; border-top: 1px solid #d1d5db; border-radius: 0; padding: 8px 0; }
  .objective h3, figure, tr { break-inside: avoid; } h2, h3 { break-after: avoid; }
  .charts { grid-template-columns: repeat(3, 1fr); }
  .scroll { overflow: visible; } details > summary { list-style: none; }
}
"""


def _pill(health: str | None) -> str:
    return f'<span class="pill" style="background:{tone(health)}">{escape(health or "—")}</span>'


def _meter(value: float) -> str:
    width = round(max(0.0, min(1.0, value)) * 100)
    return f'<div class="meter"><span style="width:{width}%;background:#2563eb"></span></div>'


def _groups(name: str, groups: tuple[Group, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(g.name)}</td><td class='num'>{g.count}</td>"
        f"<td class='num'>{two(g.mean)}</td><td>{_meter(g.mean)}</td></tr>"
        for g in groups
    )
    return (
        f'<div class="scroll"><table><thead><tr><th>{name}</th><th class="num">Count</th>'
        f"<th class='num'>Mean</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _summary(review: Review) -> str:
    facts = review.facts
    cards = [("Objectives", str(facts["objectives"])), ("Mean score", two(facts["mean"]))]
    for kind in ("committed", "aspirational"):
        count, value = facts[kind]
        if count:
            cards.append((f"{kind.capitalize()} ({count})", two(value)))
    if review.smart_mean is not None:
        cards.append(("Mean SMART", two(review.smart_mean)))
    cards.append(("Stale key results", str(facts["stale"])))
    html = ['<section id="summary"><h2>Summary</h2><div class="cards">']
    html += [f'<div class="card"><span class="muted">{n}</span><b>{v}</b></div>' for n, v in cards]
    html.append("</div>")
    html += [f"<p>{escape(line)}</p>" for line in summary_lines(review.scores)[:1]]
    html.append('<div class="groups">')
    html += [
        _groups("Area", review.by_area),
        _groups("Owner", review.by_owner),
        _groups("Type", review.by_type),
    ]
    html.append("</div></section>")
    return "".join(html)


def _kr_row(result: KeyResultScore) -> str:
    kr = result.key_result
    baseline = getattr(kr, "baseline", None)
    over = result.progress is not None and result.progress > 1
    score = two(result.score) + (f" (↑{result.progress:.2f})" if over else "")
    stale = " <span class='muted'>stale</span>" if result.stale else ""
    milestones = ""
    if kr.kind == "milestone":
        items = "".join(
            f"<li>{'☑' if m.done else '☐'} {escape(m.title)}</li>"
            for m in getattr(kr, "milestones", [])
        )
        milestones = f'<ul class="legend">{items}</ul>'
    kind = kind_label(kr)
    if baseline is not None:
        kind += f" · baseline {with_unit(baseline, getattr(kr, 'unit', None))}"
    if kr.reason:
        kind += f" · why it last changed: {kr.reason.strip()}"
    cells = [
        f"<code>{escape(kr.id)}</code> {escape(kr.title)}"
        f'<div class="legend">{escape(kind)}</div>{milestones}',
        escape(now_text(kr)),
        score,
        escape(forecast_text(result.forecast)),
        _pill(result.health) + stale,
        two(result.confidence, ""),
        iso(result.last_checkin) or "",
    ]
    return _row(zip(_KR_COLUMNS, cells, strict=True))


# (heading, class) of the key-result table's columns; the heading labels a cell on a phone
_KR_COLUMNS = [
    ("Key result", ""),
    ("Now / target", "num"),
    ("Score", "num"),
    ("Forecast", "num"),
    ("Health", ""),
    ("Confidence", "num"),
    ("Last check-in", "num"),
]
_CHECKIN_COLUMNS = [
    ("Date", "num"),
    ("Key result", ""),
    ("Value", "num"),
    ("Confidence", "num"),
    ("Note", ""),
]
_OVERVIEW_COLUMNS = [
    ("Objective", ""),
    ("Owner", ""),
    ("Score", "num"),
    ("Expected", "num"),
    ("Health", ""),
]


def _head(columns: list[tuple[str, str]]) -> str:
    cells = "".join(f"<th class='{c}'>{h}</th>" if c else f"<th>{h}</th>" for h, c in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def _row(cells: Iterable[tuple[tuple[str, str], str]]) -> str:
    """A row whose cells carry their column's heading, for the one-card-a-row phone view."""
    tds = []
    for index, ((name, kind), value) in enumerate(cells):
        label = f" data-label='{name}'" if index and value else ""
        klass = f" class='{kind}'" if kind else ""
        tds.append(f"<td{klass}{label}>{value}</td>")
    return "<tr>" + "".join(tds) + "</tr>"


def _table(columns: list[tuple[str, str]], rows: str) -> str:
    return f'<table class="stack">{_head(columns)}<tbody>{rows}</tbody></table>'


def _overview(review: Review) -> str:
    """Every objective in one table, linked to its section: the page at a glance."""
    if not review.sections:
        return ""
    rows = "".join(
        _row(
            zip(
                _OVERVIEW_COLUMNS,
                [
                    f"<a href='#{escape(s.entry.id)}'><code>{escape(s.entry.id)}</code></a> "
                    f"{escape(s.entry.objective.title.strip())}",
                    escape(s.entry.owner or "—"),
                    two(s.score.score),
                    two(s.score.expected, ""),
                    _pill(s.score.health),
                ],
                strict=True,
            )
        )
        for s in review.sections
    )
    return f'<section id="overview"><h2>Overview</h2>{_table(_OVERVIEW_COLUMNS, rows)}</section>'


def _section(section: Section) -> str:
    entry, score = section.entry, section.score
    objective = entry.objective
    facts = "".join(
        f"<span><span class='muted'>{escape(label)}</span> "
        + (_pill(value) if label == "Health" else f"<b>{escape(value)}</b>")
        + "</span>"
        for label, value in section_facts(section)
    )
    html = [
        f'<article class="objective" id="{escape(entry.id)}">',
        f"<h3><code>{escape(entry.id)}</code> {escape(objective.title.strip())}</h3>",
        score_bar(score.score, score.expected, score.health, entry.id),
        f'<div class="facts">{facts}</div>',
    ]
    if objective.description:
        html.append(f"<blockquote>{escape(objective.description.strip())}</blockquote>")
    if objective.reason:
        html.append(f"<p><i>Why it last changed:</i> {escape(objective.reason.strip())}</p>")
    html.append(_table(_KR_COLUMNS, "".join(_kr_row(r) for r in score.key_results)))
    if section.burnups:
        html.append('<div class="charts">')
        for chart in section.burnups:
            html.append(
                f"<figure><figcaption><code>{escape(chart.ref)}</code> "
                f"{escape(chart.title)}</figcaption>{burnup(chart)}</figure>"
            )
        html.append(
            '</div><p class="legend">Solid: the values checked in. Grey dashes: the expected '
            "line from baseline to target. Blue dots: the trend to the period's end.</p>"
        )
    if section.checkins:
        rows = "".join(
            _row(
                zip(
                    _CHECKIN_COLUMNS,
                    [
                        row.day.isoformat(),
                        f"<code>{escape(row.ref)}</code>",
                        escape(with_unit(row.value, row.unit)),
                        two(row.confidence, ""),
                        escape(row.note or ""),
                    ],
                    strict=True,
                )
            )
            for row in section.checkins
        )
        html.append(
            '<details open="open"><summary>Check-ins</summary>'
            f"{_table(_CHECKIN_COLUMNS, rows)}</details>"
        )
    if section.changes:
        items = "".join(
            f"<li><code>{escape(c.ref)}</code> {escape(change_text(c))}</li>"
            for c in section.changes
        )
        html.append(
            f'<p><b>Changed since the period started</b></p><ul class="changes">{items}</ul>'
        )
    html.append("</article>")
    return "".join(html)


def _since(review: Review) -> str:
    since = review.since
    if since is None:
        return ""
    html = [f'<section id="changes"><h2>What changed since {since.start.isoformat()}</h2>']
    if since.commit is None:
        html.append(f"<p class='muted'>Not compared: {escape(since.skipped or '')}.</p></section>")
        return "".join(html)
    counts = ", ".join(
        f"{sum(1 for c in since.changes if c.change == kind)} {kind}"
        for kind in ("added", "modified", "removed")
    )
    html.append(
        f"<p>Compared with commit <code>{since.commit[:12]}</code> ({iso(since.day)}), "
        f"{escape(since.basis)}: {counts}. Each objective lists its own changes below.</p>"
    )
    if since.flags:
        items = "".join(f"<li>{escape(flag_text(flag))}</li>" for flag in since.flags)
        html.append(f'<p><b>Flags for the reviewer</b></p><ul class="changes">{items}</ul>')
    shown = {s.entry.id for s in review.sections}
    gone = [c for c in since.changes if c.ref.split("/", 1)[0] not in shown]
    if gone:
        items = "".join(
            f"<li><code>{escape(c.ref)}</code> {escape(change_text(c))}</li>" for c in gone
        )
        html.append(f'<ul class="changes">{items}</ul>')
    html.append("</section>")
    return "".join(html)


_KPI_COLUMNS = [
    ("KPI", ""),
    ("Value", "num"),
    ("Band", ""),
    ("Good", "num"),
    ("Bad", "num"),
    ("Trend", ""),
    ("Last reading", "num"),
    ("Key results", ""),
]


def _kpis(review: Review) -> str:
    """The KPIs on the review's date: value, band, the two bounds, trend, tracking key
    results; on a phone, one labelled card per KPI, as every table of the page."""
    if not review.kpis:
        return ""
    rows = []
    for score in review.kpis:
        good, bad = bounds(score.entry.kpi, unit=False)
        stale = " <span class='muted'>stale</span>" if score.stale else ""
        tracked = ", ".join(f"<code>{escape(ref)}</code>" for ref in score.key_results)
        cells = [
            f"<code>{escape(score.entry.id)}</code> {escape(score.entry.kpi.title)}"
            f'<div class="legend">{escape(score.entry.owner or "")}</div>',
            escape(value_text(score)),
            f"{_pill(score.band)}{stale}",
            escape(good),
            escape(bad),
            escape(trend(score)),
            iso(score.last_checkin) or "",
            tracked,
        ]
        rows.append(_row(zip(_KPI_COLUMNS, cells, strict=True)))
    return (
        f'<section id="kpis"><h2>KPIs</h2>{_table(_KPI_COLUMNS, "".join(rows))}'
        f"<p>{escape(summary_line(review.kpis))}</p></section>"
    )


def render(review: Review) -> str:
    """The whole review as one HTML document."""
    title = escape(heading(review))
    body = [
        f"<header><h1>{title}</h1><p class='muted'>{escape(window_text(review))}</p></header>",
        _overview(review),
        _summary(review),
        _kpis(review),
        _since(review),
        '<section id="objectives"><h2>Objectives</h2>',
        *(_section(section) for section in review.sections),
        "</section>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )
