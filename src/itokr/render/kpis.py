"""`itokr kpis` as a rich table, JSON (SPEC §6 shape), markdown or CSV.

rich is imported inside `render` only: the other formats skip it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from itokr.inert import markdown
from itokr.kpis import BANDS, KpiScore, lower_is_better
from itokr.model.kpi import Kpi
from itokr.render.plain import checked_ago, iso, spark, with_unit
from itokr.render.status_csv import csv_cell

if TYPE_CHECKING:
    from rich.console import Console

BAND_STYLES = {"green": "bold green", "yellow": "yellow", "red": "bold red"}
TREND = 8  # readings in a sparkline
LEGEND = (
    "Band: green at Good or better, red worse than Bad, yellow between · Trend: the last "
    "readings, up is better · stale: the next reading is overdue · KRs: key results tracking it"
)


def kpi_dict(score: KpiScore) -> dict[str, Any]:
    """One KPI in the SPEC §6 shape of `kpis --format json`."""
    entry = score.entry
    kpi = entry.kpi
    return {
        "id": entry.id,
        "title": kpi.title,
        "unit": kpi.unit,
        "owner": entry.owner,
        "area": entry.area,
        "good": kpi.good,
        "bad": kpi.bad,
        "value": score.value,
        "band": score.band,
        "stale": score.stale,
        "last_checkin": iso(score.last_checkin),
        "key_results": list(score.key_results),
    }


def as_json(scores: Sequence[KpiScore], as_of: dt.date) -> str:
    document = {"as_of": as_of.isoformat(), "kpis": [kpi_dict(score) for score in scores]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def bounds(kpi: Kpi, *, unit: bool = True) -> tuple[str, str]:
    """`good` and `bad` as the rule each one sets: `≤ 4 h` and `> 8 h`."""
    good, bad = ("≤", ">") if lower_is_better(kpi) else ("≥", "<")
    shown = kpi.unit if unit else None
    return f"{good} {with_unit(kpi.good, shown)}", f"{bad} {with_unit(kpi.bad, shown)}"


def trend(score: KpiScore) -> str:
    """The last readings as a sparkline, turned so that up is better."""
    sign = -1.0 if lower_is_better(score.entry.kpi) else 1.0
    return spark([sign * reading.value for reading in score.readings[-TREND:]])


def value_text(score: KpiScore) -> str:
    return "no data" if score.value is None else with_unit(score.value, score.entry.kpi.unit)


def last_text(score: KpiScore, as_of: dt.date) -> str:
    return checked_ago(score.last_checkin, as_of) + (" stale" if score.stale else "")


def summary_line(scores: Sequence[KpiScore]) -> str:
    """How many KPIs, by band, and how many are stale."""
    if not scores:
        return "No KPIs to show."
    counts = [(band, sum(1 for s in scores if s.band == band)) for band in BANDS]
    parts = [f"{count} {band}" for band, count in counts if count]
    if missing := sum(1 for s in scores if s.band is None):
        parts.append(f"{missing} no data")
    stale = sum(1 for s in scores if s.stale)
    noun = "KPI" if len(scores) == 1 else "KPIs"
    return f"{len(scores)} {noun}: {', '.join(parts)}" + (f" · {stale} stale" if stale else "")


def _cell(text: str) -> str:
    """Text from the files in a table cell or heading, inert (no HTML, link, image,
    mention or line break of its own)."""
    return markdown(text)


def markdown_table(scores: Sequence[KpiScore]) -> list[str]:
    """The pipe table of `kpis --format markdown`, shared with `report`."""
    lines = [
        "| KPI | Value | Band | Good | Bad | Trend | Last reading | Key results | Owner |",
        "|---|---:|---|---:|---:|---|---:|---|---|",
    ]
    for score in scores:
        good, bad = bounds(score.entry.kpi, unit=False)  # the unit is in the value's cell
        band = (score.band or "—") + (", stale" if score.stale else "")
        cells = [
            f"**`{score.entry.id}`** {_cell(score.entry.kpi.title)}",
            _cell(value_text(score)),
            band,
            good,  # itokr's own: a comparison and a number (no unit)
            bad,
            trend(score),
            iso(score.last_checkin) or "",
            ", ".join(f"`{ref}`" for ref in score.key_results),
            _cell(score.entry.owner or ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def as_markdown(scores: Sequence[KpiScore], as_of: dt.date, *, title: str = "") -> str:
    """A pipe table for wikis and pull requests."""
    heading = f"{title} — KPIs as of {as_of}" if title else f"KPIs as of {as_of}"
    lines = [f"### {_cell(heading)}", "", *markdown_table(scores)]
    return "\n".join([*lines, "", summary_line(scores), ""])


CSV_COLUMNS = [
    "id",
    "title",
    "unit",
    "owner",
    "area",
    "good",
    "bad",
    "every",
    "value",
    "band",
    "stale",
    "last_checkin",
    "next_due",
    "key_results",
]


def as_csv(scores: Sequence[KpiScore]) -> str:
    """A header and one row per KPI; the tracking key results' refs space-separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for score in scores:
        row = kpi_dict(score) | {
            "every": score.every,
            "next_due": iso(score.next_due),
            "key_results": " ".join(score.key_results),
        }
        writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


MIN_NAME = 24  # room for a KPI id, the handle for `checkin` and `history`
DROP_ORDER = ("owner", "krs", "trend", "last", "good", "bad")  # given up first on narrow screens


def _widths(rows: Sequence[dict[str, str]], width: int) -> tuple[dict[str, int], int]:
    """The columns that fit `width` with their widths, and the width of the names."""
    widths = {
        key: max(len(header), *(len(row[key]) for row in rows)) for key, header in HEADERS.items()
    }
    widths["value"] = min(widths["value"], 14)
    widths["owner"] = min(widths["owner"], 16)

    def room(columns: dict[str, int]) -> int:
        return width - sum(columns.values()) - len(columns)

    for key in DROP_ORDER:
        if room(widths) >= MIN_NAME:
            break
        del widths[key]
    return widths, max(MIN_NAME, room(widths))


HEADERS = {
    "value": "Value",
    "band": "Band",
    "good": "Good",
    "bad": "Bad",
    "trend": "Trend",
    "last": "Last",
    "krs": "KRs",
    "owner": "Owner",
}


def _row(score: KpiScore, as_of: dt.date) -> dict[str, str]:
    good, bad = bounds(score.entry.kpi, unit=False)
    return {
        "value": value_text(score),
        "band": score.band or "—",
        "good": good,
        "bad": bad,
        "trend": trend(score),
        "last": last_text(score, as_of),
        "krs": str(len(score.key_results) or ""),
        "owner": score.entry.owner or "",
    }


def render(console: Console, scores: Sequence[KpiScore], as_of: dt.date, *, title: str) -> None:
    """The KPI table, one line per KPI; then which key results track which KPI."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    heading = f"{title} · KPIs as of {as_of}" if title else f"KPIs as of {as_of}"
    console.print(Text(heading, style="bold"))
    rows = [_row(score, as_of) for score in scores]
    if rows:
        widths, name_width = _widths(rows, console.width)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0), header_style="bold")
        table.add_column("KPI", width=name_width, no_wrap=True, overflow="ellipsis")
        for key, column_width in widths.items():
            right = key in ("value", "good", "bad", "last", "krs")
            table.add_column(
                HEADERS[key],
                width=column_width,
                no_wrap=True,
                overflow="ellipsis",
                justify="right" if right else "left",
            )
        for score, row in zip(scores, rows, strict=True):
            name = Text(score.entry.id, style="bold")
            name.append("  " + score.entry.kpi.title, style="dim")
            styles = {
                "band": BAND_STYLES.get(score.band or "", "dim"),
                "trend": "cyan",
                "last": "bold yellow" if score.stale else "",
            }
            table.add_row(name, *(Text(row[key], style=styles.get(key, "")) for key in widths))
        console.print(table)
    console.print(Text(summary_line(scores)))
    tracked = [score for score in scores if score.key_results]
    if tracked:
        console.print(Text("Key results that track a KPI:", style="bold"))
        for score in tracked:
            line = Text("  ")
            line.append(score.entry.id, style="bold")
            line.append(" ← " + ", ".join(score.key_results))
            console.print(line)
    if rows:
        console.print(Text(LEGEND, style="dim"))
