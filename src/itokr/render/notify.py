"""`itokr due --notify`: one digest per owner, as a chat webhook expects it.

- `slack`: an incoming webhook's message, `text` (the notification, and what a client
  without blocks shows) and Block Kit `blocks`: a header, the date, a section per
  key result or KPI owed with its ready-to-run `itokr checkin` line.
- `teams`: a Teams Workflows webhook ("Post to a channel when a webhook request is
  received"): a `message` whose one attachment is an Adaptive Card.
- `json`: the owner's part of `itokr due --format json`, with the commands and the
  text, for any other receiver.

Pure: builds dicts, sends nothing (`itokr.sources.webhook` posts them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.due import OwnerDue
from itokr.render.due import NO_OWNER, checkin_command, item_dict, kpi_dict, kpi_now, kpi_what, what
from itokr.render.plain import now_text

# Block Kit's limits: 50 blocks a message, 150 characters a header, 3,000 a section
_MAX_ITEMS = 45
_HEADER = 150
_SECTION = 3000


@dataclass(frozen=True, slots=True)
class Owed:
    """One key result or KPI in a digest, in words."""

    ref: str  # a key result's ref or a KPI's id: what `itokr checkin` takes
    title: str
    now: str  # its last value against its target (a KPI: against `good`)
    owed: str  # what is owed and by when
    stale: bool
    command: str


@dataclass(frozen=True, slots=True)
class Digest:
    """What one owner owes, ready to post."""

    group: OwnerDue
    as_of: dt.date
    within: int
    owed: tuple[Owed, ...]

    @property
    def owner(self) -> str:
        return self.group.owner or NO_OWNER

    @property
    def summary(self) -> str:
        """`platform-team owes 3 check-ins (1 stale)`: the line a notification shows."""
        count = len(self.owed)
        stale = sum(item.stale for item in self.owed)
        noun = "check-in" if count == 1 else "check-ins"
        return f"{self.owner} owes {count} {noun}" + (f" ({stale} stale)" if stale else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def digests(
    groups: Sequence[OwnerDue], as_of: dt.date, within: int, *, root: str | None = None
) -> list[Digest]:
    """A digest for every owner who owes something, in `due`'s order."""
    found = []
    for group in groups:
        owed = [
            Owed(
                item.ref,
                _one_line(item.title),
                now_text(item.key_result),
                what(item, as_of),
                item.stale,
                checkin_command(item.ref, root),
            )
            for item in group.items
        ] + [
            Owed(
                kpi.id,
                _one_line(f"KPI {kpi.title}"),
                kpi_now(kpi),
                kpi_what(kpi, as_of),
                kpi.stale,
                checkin_command(kpi.id, root),
            )
            for kpi in group.kpis
        ]
        if owed:
            found.append(Digest(group, as_of, within, tuple(owed)))
    return found


def _text(digest: Digest) -> str:
    """The plain text of a digest: its summary, then a line per item and its command."""
    lines = [f"{digest.summary}, as of {digest.as_of}:"]
    for item in digest.owed:
        lines.append(f"- {item.ref} {item.title} ({item.now}): {item.owed} → {item.command}")
    return "\n".join(lines)


def _mrkdwn(text: str) -> str:
    """Text for Slack's mrkdwn: the three characters it reads as markup escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack(digest: Digest) -> dict[str, Any]:
    """A Slack incoming webhook message: `text` and Block Kit `blocks`."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(digest.summary, _HEADER)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": _mrkdwn(
                        f"itokr due as of {digest.as_of}, next {digest.within} days: "
                        "run each line in a terminal, or add the value after the ref"
                    ),
                }
            ],
        },
    ]
    for item in digest.owed[:_MAX_ITEMS]:
        flag = "*stale* · " if item.stale else ""
        text = (
            f"*{_mrkdwn(item.title)}*\n{flag}{_mrkdwn(item.now)} · {_mrkdwn(item.owed)}\n"
            f"`{_mrkdwn(item.command)}`"
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, _SECTION)}})
    if len(digest.owed) > _MAX_ITEMS:
        more = len(digest.owed) - _MAX_ITEMS
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"and {more} more: itokr due --owner to see all"}
                ],
            }
        )
    return {"text": _mrkdwn(_text(digest)), "blocks": blocks}


def teams(digest: Digest) -> dict[str, Any]:
    """A Teams Workflows webhook message: one Adaptive Card (1.4, what Teams renders)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": digest.summary,
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": f"itokr due as of {digest.as_of}, next {digest.within} days: run each "
            "line in a terminal, or add the value after the ref",
            "isSubtle": True,
            "wrap": True,
            "spacing": "None",
        },
    ]
    for item in digest.owed:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    {"type": "TextBlock", "text": item.title, "weight": "Bolder", "wrap": True},
                    {
                        "type": "TextBlock",
                        "text": ("STALE · " if item.stale else "") + f"{item.now} · {item.owed}",
                        "color": "Attention" if item.stale else "Default",
                        "wrap": True,
                        "spacing": "None",
                    },
                    {
                        "type": "TextBlock",
                        "text": item.command,
                        "fontType": "Monospace",
                        "wrap": True,
                        "spacing": "Small",
                    },
                ],
            }
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
    }
    return {
        "type": "message",
        "summary": digest.summary,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def as_json(digest: Digest) -> dict[str, Any]:
    """The owner's part of `itokr due --format json`, with the text and the commands."""
    return {
        "owner": digest.group.owner,
        "as_of": digest.as_of.isoformat(),
        "within": digest.within,
        "text": _text(digest),
        "key_results": [item_dict(item) for item in digest.group.items],
        "kpis": [kpi_dict(kpi) for kpi in digest.group.kpis],
        "commands": [item.command for item in digest.owed],
    }


PAYLOADS: dict[str, Callable[[Digest], dict[str, Any]]] = {
    "slack": slack,
    "teams": teams,
    "json": as_json,
}


def delivery_line(digest: Digest, delivered: bool, attempts: int, problem: str | None) -> str:
    """What became of one owner's digest, for stderr."""
    tries = f" ({attempts} tries)" if attempts > 1 else ""
    if delivered:
        return f"notified {digest.owner}: {len(digest.owed)} owed{tries}"
    return f"the digest for {digest.owner} was not delivered: {problem}{tries}"
