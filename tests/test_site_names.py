"""Page file names: safe on any file system, distinct, and stable from build to build."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from itokr.site.names import objective_names, owner_names, slug

SAFE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def test_an_owner_becomes_a_readable_slug() -> None:
    assert slug("Platform Team", "owner") == "platform-team"
    assert slug("Équipe Sécurité", "owner") == "equipe-securite"
    assert slug("運用チーム", "owner") == "owner"  # nothing ASCII left: the fallback


def test_clashing_owners_each_keep_a_name_of_their_own() -> None:
    names = owner_names(["Platform Team", "platform-team", "ops", "Index"])
    assert names["ops"] == "ops"
    assert names["Platform Team"] != names["platform-team"]
    assert names["Platform Team"].startswith("platform-team-")
    assert names["Index"] != "index"  # owners/index.html lists the owners


def test_a_name_does_not_change_when_other_owners_come_and_go() -> None:
    before = owner_names(["Platform Team", "platform-team", "ops"])
    after = owner_names(["Platform Team", "platform-team", "security"])
    assert before["Platform Team"] == after["Platform Team"]


def test_objective_pages_are_named_by_id_and_long_ids_are_shortened() -> None:
    long_id = "a" + "-word" * 40
    names = objective_names(["reliable-platform", long_id])
    assert names["reliable-platform"] == "reliable-platform"
    assert SAFE.fullmatch(names[long_id]) and len(names[long_id]) <= 64


@given(st.lists(st.text(max_size=80), unique=True, max_size=30))
def test_any_owners_get_distinct_safe_names(owners: list[str]) -> None:
    names = owner_names(owners)
    assert set(names) == set(owners)
    assert len(set(names.values())) == len(owners)
    assert all(SAFE.fullmatch(name) and name != "index" for name in names.values())
