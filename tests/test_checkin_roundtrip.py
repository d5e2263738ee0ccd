"""Golden round trips: a check-in changes only its own lines, whatever the layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import Result
from itokr import yamlio

AS_OF = ("--as-of", "2026-11-21")

AWKWARD = """\
# Team objectives: comments everywhere, on purpose.

period: 2026-Q4   # the quarter
owner: 'platform-team'
area: "infrastructure"

objectives:
  - id: reliable        # inline comment on an id
    title: "Create a highly reliable platform"
    key_results:
      # comment before the first key result
      - id: uptime
        title: 'Achieve 99.9% system uptime'
        unit: "%"
        baseline:   99.5      # aligned values stay aligned
        target:     99.9
        checkins:
          - {date: 2026-10-05, value: 99.6}   # first reading
          - {date: 2026-10-19, value: 99.7, note: 'drill ok'}

          # comment after the last check-in, after a blank line
      # comment between key results
      - id: latency
        title: Reduce p95 latency from 250 to 200 ms
        unit: ms
        baseline: 250
        target: 200
        current: 230   # read from the dashboard
      - id: runbook
        title: Publish the disaster recovery runbook
        done: false
      - id: second-site
        title: Build a second data centre site
        milestones:
          - {title: Site contract signed, done: true}
          - title: Replication live
            done: false  # the hard part
      - id: empty
        title: Count the racks in the new site
        baseline: 0
        target: 40
        # a trailing comment inside the last key result
# end of file comment
"""


def added(text: str, after_line: int, *lines: str) -> str:
    """`text` with `lines` inserted after its line number `after_line` (1-based)."""
    rows = text.splitlines(keepends=True)
    return "".join(rows[:after_line] + [line + "\n" for line in lines] + rows[after_line:])


Checkin = Callable[..., bytes]  # the `checkin` fixture: file content and arguments -> new bytes


@pytest.fixture
def checkin(tmp_path: Path, run: Callable[..., Result]) -> Checkin:
    """Write `content` as okrs/team.yaml, run `itokr checkin ARGS`, return the new bytes."""

    def go(content: str | bytes, *args: str) -> bytes:
        root = tmp_path / "okrs"
        root.mkdir(exist_ok=True)
        path = root / "team.yaml"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        result = run("--root", str(root), "checkin", *args, *AS_OF)
        assert result.exit_code == 0, result.stderr
        return path.read_bytes()

    return go


def test_appends_after_the_last_checkin_and_keeps_every_comment(checkin: Checkin) -> None:
    new = checkin(AWKWARD, "reliable/uptime", "99.8", "--confidence", "0.7")
    line = "          - {date: 2026-11-21, value: 99.8, confidence: 0.7}"
    assert new.decode() == added(AWKWARD, 19, line)


def test_a_back_dated_checkin_goes_in_date_order(checkin: Checkin) -> None:
    new = checkin(AWKWARD, "reliable/uptime", "99.65", "--date", "2026-10-12")
    assert new.decode() == added(AWKWARD, 18, "          - {date: 2026-10-12, value: 99.65}")


def test_a_checkin_older_than_all_goes_first(checkin: Checkin) -> None:
    new = checkin(AWKWARD, "reliable/uptime", "99.55", "--date", "2026-10-01")
    assert new.decode() == added(AWKWARD, 17, "          - {date: 2026-10-01, value: 99.55}")


def test_a_second_checkin_on_the_same_date_comes_after_the_first(checkin: Checkin) -> None:
    new = checkin(AWKWARD, "reliable/uptime", "99.61", "--date", "2026-10-05")
    assert new.decode() == added(AWKWARD, 18, "          - {date: 2026-10-05, value: 99.61}")


def test_current_gives_way_to_checkins_at_the_same_place(
    checkin: Checkin, tmp_path: Path, run: Callable[..., Result]
) -> None:
    new = checkin(AWKWARD, "reliable/latency", "226")
    expected = AWKWARD.replace(
        "        current: 230   # read from the dashboard\n",
        "        checkins:   # read from the dashboard\n"
        "          - {date: 2026-11-21, value: 226}\n",
    )
    assert new.decode() == expected


def test_the_output_says_current_was_replaced(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    (root / "team.yaml").write_text(AWKWARD)
    result = run("--root", str(root), "checkin", "reliable/latency", "226", *AS_OF)
    assert result.exit_code == 0
    assert "okrs/team.yaml" in result.stdout
    assert "`current: 230` became `checkins:`" in result.stdout
    assert "git history" in result.stdout
    assert "score 0.48 (was 0.40)" in result.stdout


def test_a_key_result_without_values_gains_checkins_after_its_last_key(checkin: Checkin) -> None:
    new = checkin(AWKWARD, "reliable/empty", "12", "--note", "rows A-C")
    expected = added(
        AWKWARD,
        41,
        "        checkins:",
        "          - {date: 2026-11-21, value: 12, note: rows A-C}",
    )
    assert new.decode() == expected


def test_milestone_done_and_undo_change_one_value(checkin: Checkin) -> None:
    done = checkin(AWKWARD, "reliable/second-site", "--milestone", "Replication live")
    assert done.decode() == AWKWARD.replace("done: false  # the hard", "done: true  # the hard")
    undone = checkin(done, "reliable/second-site", "--milestone", "Replication live", "--undo")
    assert undone.decode() == AWKWARD


def test_binary_done_and_undo_change_one_value(checkin: Checkin) -> None:
    done = checkin(AWKWARD, "reliable/runbook", "--done")
    assert AWKWARD.count("        done: false\n") == 1
    assert done.decode() == AWKWARD.replace("        done: false\n", "        done: true\n")
    assert checkin(done, "reliable/runbook", "--done", "--undo").decode() == AWKWARD


def test_crlf_line_ends_and_a_bom_are_kept(checkin: Checkin) -> None:
    original = "\ufeff" + AWKWARD.replace("\n", "\r\n")
    new = checkin(original.encode(), "reliable/uptime", "99.8").decode()
    line = "          - {date: 2026-11-21, value: 99.8}"
    assert new == "\ufeff" + added(AWKWARD, 19, line).replace("\n", "\r\n")


FOUR_SPACES = """\
period: 2026-Q4
objectives:
    -   id: reliable
        title: Create a highly reliable platform
        key_results:
            -   id: uptime
                title: Achieve 99.9% system uptime
                baseline: 99.5
                target: 99.9
                checkins:
                    -   date: 2026-10-05
                        value: 99.6
                        note: |
                            a block note
                            on two lines
            -   id: latency
                title: Reduce p95 latency
                baseline: 250
                target: 200
                current: 230
"""


def test_four_space_files_with_block_checkins_keep_their_style(checkin: Checkin) -> None:
    new = checkin(FOUR_SPACES, "reliable/uptime", "99.8", "--note", "calm: no incidents")
    expected = added(
        FOUR_SPACES,
        15,
        "                    -   date: 2026-11-21",
        "                        value: 99.8",
        '                        note: "calm: no incidents"',
    )
    assert new.decode() == expected


def test_a_new_checkins_list_follows_the_files_block_style(checkin: Checkin) -> None:
    new = checkin(FOUR_SPACES, "reliable/latency", "226")
    expected = FOUR_SPACES.replace(
        "                current: 230\n",
        "                checkins:\n"
        "                    -   date: 2026-11-21\n"
        "                        value: 226\n",
    )
    assert new.decode() == expected


CASES = Path(__file__).parent / "cases" / "checkin"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()))
def test_golden_files(checkin: Checkin, case: str) -> None:
    """`before.yaml` checked in with the arguments in `args` becomes `after.yaml`, byte for byte."""
    folder = CASES / case
    args = (folder / "args").read_text().splitlines()
    assert (
        checkin((folder / "before.yaml").read_bytes(), *args)
        == (folder / "after.yaml").read_bytes()
    )


# Edge cases of a fidelity audit (46 files, 251 edits): each was refused, or lost a byte.

ONE = """\
period: 2026-Q4
objectives:
  - id: o
    title: Make the numbers right
    key_results:
{key_result}"""


def test_an_integer_past_2_to_the_53_reads_back_as_written(checkin: Checkin) -> None:
    text = ONE.format(
        key_result="      - id: big\n        title: Count\n        baseline: 0\n"
        "        target: 90071992547409930\n"
    )
    new = checkin(text, "o/big", "9007199254740993").decode()
    assert new.endswith("          - {date: 2026-11-21, value: 9007199254740993}\n")
    checkins = yamlio.read(new.encode())["objectives"][0]["key_results"][0]["checkins"]
    assert checkins[0]["value"] == 9007199254740993  # not the float 9007199254740992.0


@pytest.mark.parametrize("empty", ["checkins: ~", "checkins: null", "checkins: ", "checkins"])
def test_no_checkins_in_a_flow_key_result_become_a_flow_list(checkin: Checkin, empty: str) -> None:
    text = ONE.format(key_result=f"      - {{id: k, title: K, baseline: 0, {empty}, target: 9}}\n")
    new = checkin(text, "o/k", "3").decode()
    assert new == ONE.format(
        key_result="      - {id: k, title: K, baseline: 0, "
        "checkins: [{date: 2026-11-21, value: 3}], target: 9}\n"
    )


@pytest.mark.parametrize("chomp", ["|", "|+", ">", "|2"])
def test_a_block_scalar_last_in_a_file_without_a_final_newline(
    checkin: Checkin, chomp: str
) -> None:
    text = ONE.format(
        key_result=f"      - id: k\n        title: K\n        baseline: 0\n        target: 9\n"
        f"        reason: {chomp}\n          moved in review"
    )  # no final newline
    before = yamlio.read(text.encode())
    new = checkin(text, "o/k", "3").decode()
    after = yamlio.read(new.encode())["objectives"][0]["key_results"][0]
    assert after["reason"] == before["objectives"][0]["key_results"][0]["reason"]
    assert after["checkins"] == [{"date": "2026-11-21", "value": 3}]
    assert not new.endswith("\n")  # as the file was


def test_a_comment_on_a_replaced_current_line_is_kept(checkin: Checkin) -> None:
    text = ONE.format(
        key_result="      - id: k\n        title: K\n        baseline: 0\n        target: 9\n"
        "        current:   # read from the dashboard\n          5\n"
        "        weight: 2\n"
    )
    new = checkin(text, "o/k", "6").decode()
    assert new == text.replace(
        "        current:   # read from the dashboard\n          5\n",
        "        checkins:   # read from the dashboard\n          - {date: 2026-11-21, value: 6}\n",
    )


@pytest.mark.parametrize(
    "note",
    ["yes", "no", "on", "off", "Y", "2026-11-30", "1_000", "0b101", "1:30", "~", "null",
     "? why", "why?", "=", "99"],
)  # fmt: skip
def test_a_note_any_common_reader_would_not_read_as_text_is_quoted(
    checkin: Checkin, note: str
) -> None:
    text = ONE.format(key_result="      - {id: k, title: K, baseline: 0, target: 9}\n")
    new = checkin(text, "o/k", "3", "--note", note).decode()
    assert f'note: "{note}"' in new
    for reader in (yaml.safe_load, yamlio.read):
        data = reader(new.encode())
        assert data["objectives"][0]["key_results"][0]["checkins"][0]["note"] == note


def test_cr_only_line_ends_are_kept(checkin: Checkin) -> None:
    text = ONE.format(
        key_result="      - id: k\n        title: K\n        baseline: 0\n        target: 9\n"
        "        checkins:\n          - {date: 2026-10-05, value: 1}\n"
        "      - id: j\n        title: J\n        baseline: 0\n        target: 9\n"
    ).replace("\n", "\r")
    new = checkin(text.encode(), "o/k", "3")
    assert b"\n" not in new  # no stray line feed
    assert new.decode() == text.replace(
        "value: 1}\r", "value: 1}\r          - {date: 2026-11-21, value: 3}\r"
    )
    again = checkin(new, "o/j", "4").decode()
    assert again.endswith(
        "target: 9\r        checkins:\r          - {date: 2026-11-21, value: 4}\r"
    )


def test_cr_only_line_ends_mixed_with_others_are_refused_clearly(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "okrs"
    root.mkdir()
    text = ONE.format(key_result="      - {id: k, title: K, baseline: 0, target: 9}\n")
    mixed = text.replace("\n", "\r", 2).encode()
    (root / "team.yaml").write_bytes(mixed)
    result = run("--root", str(root), "checkin", "o/k", "3", *AS_OF)
    assert result.exit_code == 1
    assert "mixes CR-only line ends with LF or CRLF ones" in result.stderr
    assert "nothing written" in result.stderr
    assert (root / "team.yaml").read_bytes() == mixed
