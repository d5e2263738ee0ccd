"""The static site of `itokr site`: a pure model of its pages (`model`) and their
file names (`names`); `render.site_html` writes them, `sitedir` puts them on disk."""

from __future__ import annotations

from itokr.site.model import (
    BUILDERS,
    KpiPage,
    KpiRow,
    Link,
    ObjectivePage,
    Overview,
    OwnerIndex,
    OwnerPage,
    Page,
    Row,
    Site,
    Tally,
    build,
    health_key,
    health_label,
)

__all__ = [
    "BUILDERS",
    "KpiPage",
    "KpiRow",
    "Link",
    "ObjectivePage",
    "Overview",
    "OwnerIndex",
    "OwnerPage",
    "Page",
    "Row",
    "Site",
    "Tally",
    "build",
    "health_key",
    "health_label",
]
