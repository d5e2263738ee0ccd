"""Random check-ins on randomly laid-out valid files keep them valid and only add lines."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itokr import checkin as core
from itokr import yamlio
from itokr.answers import CONTROL
from itokr.checkin_args import make_request
from itokr.loader import load_root

AS_OF = dt.date(2026, 11, 21)
START = dt.date(2026, 10, 1)


@dataclass(frozen=True)
class Layout:
    """How a file is written: what a person's editor and habits leave behind."""

    indent: int  # mapping indent
    offset: int  # dash column relative to the key holding the list
    item: str  # flow | padded | block
    newline: str
    bom: bool
    comments: bool
    state: str  # checkins | current | nothing
    dates: tuple[dt.date, ...]


def render(layout: Layout) -> str:
    """An objective file with one metric key result (`obj/kr`) and a neighbour."""
    i, o, nl = " " * layout.indent, " " * layout.offset, layout.newline
    note = "  # a comment" if layout.comments else ""
    lines = ["# objectives" if layout.comments else "", "period: 2026-Q4", "objectives:"]
    item = f"{o}- "
    inner = " " * len(item)
    lines += [f"{item}id: obj{note}", f"{inner}title: Keep the platform up", f"{inner}key_results:"]
    kr = inner + o + "- "
    kin = " " * len(kr)
    lines += [f"{kr}id: kr", f"{kin}title: Uptime of the platform", f"{kin}baseline: 10"]
    lines += [f"{kin}target: 20{note}"]
    if layout.state == "current":
        lines.append(f"{kin}current: 12{note}")
    elif layout.state == "checkins":
        lines.append(f"{kin}checkins:")
        dash = kin + o + "-" + " " * max(1, layout.indent - 1)
        for number, day in enumerate(layout.dates):
            if layout.item == "block":
                lines += [f"{dash}date: {day}", " " * len(dash) + f"value: {11 + number}{note}"]
            else:
                pad = " " if layout.item == "padded" else ""
                lines.append(f"{dash}{{{pad}date: {day}, value: {11 + number}{pad}}}{note}")
            if layout.comments:
                lines.append(kin + o + "# between check-ins")
        if layout.comments:
            lines.append("")
    if layout.comments:
        lines.append(f"{i}# between key results")
    lines += [f"{inner}{o}- id: other", f"{kin}title: Another key result", f"{kin}done: false"]
    if layout.comments:
        lines.append("# end of file")
    return ("\ufeff" if layout.bom else "") + nl.join(lines) + nl


days = st.integers(0, (AS_OF - START).days).map(lambda n: START + dt.timedelta(days=n))
layouts = st.builds(
    Layout,
    indent=st.sampled_from([2, 4]),
    offset=st.sampled_from([0, 2, 4]),
    item=st.sampled_from(["flow", "padded", "block"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    comments=st.booleans(),
    state=st.sampled_from(["checkins", "current", "nothing"]),
    dates=st.lists(days, min_size=1, max_size=4).map(lambda ds: tuple(sorted(ds))),
)
numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
)
checkins = st.fixed_dictionaries(
    {"value": numbers, "date": days},
    optional={
        "confidence": st.sampled_from(["0", "0.5", "1", "0.75", ".3"]),
        "note": st.text(max_size=30).filter(lambda text: not CONTROL.search(text)),
    },
)


def lines_kept(old: str, new: str) -> bool:
    """Every line of `old` is still in `new`, in order: the edit only added lines."""
    rest = iter(new.splitlines())
    return all(line in rest for line in old.splitlines())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts, batch=st.lists(checkins, min_size=1, max_size=3))
def test_random_checkins_keep_files_valid_and_only_add_lines(
    layout: Layout, batch: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "okrs"
        root.mkdir()
        path = root / "team.yaml"
        path.write_bytes(render(layout).encode())
        assert load_root(root, root).ok, render(layout)
        expected: list[tuple[str, float]] = [
            (str(day), 11 + n) for n, day in enumerate(layout.dates)
        ]
        expected = expected if layout.state == "checkins" else []
        for given_ in batch:
            old = path.read_bytes().decode()
            request = make_request(
                "obj/kr",
                given_["value"],
                date=str(given_["date"]),
                confidence=given_.get("confidence"),
                note=given_.get("note"),
                milestone=None,
                done=False,
                undo=False,
                as_of=AS_OF,
            )
            outcome = core.record(request, root, root)
            new = path.read_bytes().decode()
            assert load_root(root, root).ok
            assert new.startswith("\ufeff") == layout.bom
            assert ("\r\n" in new) == (layout.newline == "\r\n")
            if outcome.replaced_current is None:
                assert lines_kept(old, new)
            else:
                assert lines_kept(old.replace("current: 12", "checkins:"), new)
            position = sum(1 for day, _ in expected if day <= str(given_["date"]))
            expected.insert(position, (str(given_["date"]), float(given_["value"])))
            data = yamlio.read(new.encode())["objectives"][0]["key_results"][0]
            assert [(c["date"], c["value"]) for c in data["checkins"]] == expected
            if "note" in given_:
                assert data["checkins"][position]["note"] == given_["note"]
