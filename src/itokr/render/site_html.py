"""`itokr site`: each page of the site model through its Jinja2 template.

Autoescape is on for every template, and every value a template prints passes
`inert` first: control characters and the bidi overrides that could make a
title read backwards are shown as `[U+202E]`, never obeyed. Links are built
here from the model's page paths (slugs, checked again) and never from text
in the files, so no `javascript:` or outside address can be written into a page.
The burn-up charts are the report's own SVG (`report_svg`), escaped there.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from itokr import __version__
from itokr.render.kpis import bounds, trend, value_text
from itokr.render.plain import kind_label, now_text, number, two, with_unit
from itokr.render.report_markdown import change_text
from itokr.render.report_svg import burnup
from itokr.scoring import HEALTHS
from itokr.site import Page, Site, health_key, health_label

STATIC = ("site.css", "site.js", "favicon.svg")  # copied as they are, beside index.html
# Nothing from another host, nothing inline: the stylesheet and script are the site's own files.
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# C0 and C1 controls but tab and line ends, and the bidi embeddings, overrides and isolates
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_PAGE_PATH = re.compile(r"[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*\.(?:html|css|js|svg)")


def inert(value: Any) -> Any:
    """What a template prints, with control and bidi-control characters made visible."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _UNSAFE.sub(lambda found: f"[U+{ord(found[0]):04X}]", value)
    return value


def _linker(page_path: str) -> Callable[[str], str]:
    """`href(target)` for a page: the target (a path from the site's top) relative to it."""
    here = posixpath.dirname(page_path) or "."

    def href(target: str) -> str:
        if not _PAGE_PATH.fullmatch(target):
            raise ValueError(f"not a page of the site: {target!r}")
        return posixpath.relpath(target, here)

    return href


def _percent(value: float | None) -> str:
    """A share in 0-1 as an SVG width in a 100-wide view box."""
    return f"{max(0.0, min(1.0, value or 0.0)) * 100:.1f}"


def _rank(health: str | None) -> int:
    """Sort order of a health: status's order, no period last."""
    return HEALTHS.index(health) if health in HEALTHS else len(HEALTHS)


def environment() -> Environment:
    """The template environment: packaged templates, autoescape, strict undefined."""
    env = Environment(
        loader=PackageLoader("itokr", "templates/site"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=inert,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        two=two,
        number=number,
        with_unit=with_unit,
        now_text=now_text,
        kind_label=kind_label,
        change_text=change_text,
        health_key=health_key,
        health_label=health_label,
        health_rank=_rank,
        percent=_percent,
        tick=lambda x: f"{min(float(x), 99.0):.1f}",  # the 1-wide tick stays inside the box
        round_score=lambda v: "" if v is None else f"{v:.4f}",
        kpi_value=value_text,
        kpi_bounds=lambda kpi: bounds(kpi, unit=False),  # the unit is in the value's cell
        kpi_trend=trend,
    )
    env.globals.update(burnup=lambda chart: Markup(burnup(chart)), version=__version__, csp=CSP)
    return env


def _generated(moment: dt.datetime) -> tuple[str, str]:
    utc = moment.astimezone(dt.UTC)
    return utc.isoformat(timespec="seconds").replace("+00:00", "Z"), utc.strftime(
        "%Y-%m-%d %H:%M UTC"
    )


def render_page(env: Environment, site: Site, page: Page) -> str:
    generated_iso, generated_text = _generated(site.generated)
    return env.get_template(page.template).render(
        site=site,
        page=page,
        href=_linker(page.path),
        generated_iso=generated_iso,
        generated_text=generated_text,
    )


def files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Every file of the site: (path from its top, bytes), pages first."""
    env = environment()
    for page in site.pages:
        yield page.path, render_page(env, site, page).encode("utf-8")
    folder = resources.files("itokr").joinpath("templates", "site")
    for name in STATIC:
        yield name, folder.joinpath(name).read_bytes()
    # GitHub Pages publishing from a branch runs Jekyll unless told not to
    yield ".nojekyll", b""
