"""Reading the pages `itokr site` writes, as a crawler or an accessibility checker would."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    within: tuple[str, ...]  # the tags of the elements it is in, outermost first
    text: str = ""


@dataclass
class Parsed:
    """What a page holds: every element with its attributes, and all of its text."""

    elements: list[Element] = field(default_factory=list)
    text: str = ""
    script_text: str = ""

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def links(self, prefix: str = "") -> dict[str, str]:
        """Text to target of the links in `main` whose target starts with `prefix`."""
        return {
            e.text.strip(): e.attrs["href"]
            for e in self.all("a")
            if e.attrs.get("href", "").startswith(prefix) and "main" in e.within
        }

    def hrefs(self) -> list[str]:
        return [e.attrs["href"] for e in self.elements if "href" in e.attrs]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self.open: list[Element] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.open))
        self.parsed.elements.append(element)
        if tag not in ("meta", "link", "br", "input", "img", "rect", "circle", "line"):
            self.open.append(element)
        self.in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.parsed.script_text += data
            return
        self.parsed.text += data
        for element in self.open:
            element.text += data


def parse(path: Path) -> Parsed:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.parsed


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def local_target(page: Path, href: str) -> Path | None:
    """The file a relative link points at (None for an in-page `#anchor`)."""
    target = href.split("#", 1)[0]
    if not target:
        return None
    return Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), target)))
