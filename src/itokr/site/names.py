"""File names for the site's pages: safe on every file system, and never shared.

Objective ids are already slugs (`[a-z0-9][a-z0-9-]*`, unique in the root); an
owner is free text, so it is turned into one. Two owners whose slugs clash
("Platform Team", "platform-team") each get a suffix from a hash of the name as
written, so a page's address stays the same from one build to the next whatever
other owners come and go.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_LONGEST = 64  # characters of a name: far below any file system's limit of 255 bytes


def slug(text: str, fallback: str) -> str:
    """Lower-case ASCII letters, digits and single dashes; `fallback` when none are left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    made = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:_LONGEST].strip("-")
    return made or fallback


def _hashed(name: str, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{name[: _LONGEST - 9].rstrip('-')}-{digest}"


def _distinct(wanted: dict[str, str], reserved: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each key's wanted name, or that name with a hash of the key when several want it
    or it is `reserved` (and, should a hash meet another's name, a counter: no two keys
    ever share one)."""
    count = dict.fromkeys(reserved, 1)
    for name in wanted.values():
        count[name] = count.get(name, 0) + 1
    names = {key: _hashed(name, key) if count[name] > 1 else name for key, name in wanted.items()}
    used = set(reserved)
    for key in sorted(names):
        base, suffix = names[key], 2
        while names[key] in used:
            names[key], suffix = f"{base}-{suffix}", suffix + 1
        used.add(names[key])
    return names


def objective_names(ids: Iterable[str]) -> dict[str, str]:
    """The file name (without `.html`) of each objective: its id, hashed when too long."""
    return _distinct(
        {
            i: i if len(i) <= _LONGEST and _SLUG.fullmatch(i) else _hashed(slug(i, "objective"), i)
            for i in ids
        }
    )


def owner_names(owners: Iterable[str]) -> dict[str, str]:
    """The file name (without `.html`) of each owner's page, stable across builds;
    never `index`, the list of owners beside them."""
    return _distinct({owner: slug(owner, "owner") for owner in owners}, frozenset({"index"}))
