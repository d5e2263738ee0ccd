"""Hostile input is reported as a finding, never a traceback, a hang or a memory blow-up.

The cases that could hang or crash the interpreter (an alias bomb, nesting
100,000 deep, a FIFO) run the installed `itokr` in a subprocess with a
timeout: a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, installed_itokr

VALID = """\
objectives:
  - id: a
    title: An objective
    key_results:
      - id: k
        title: A key result
        baseline: 0
        target: 10
"""

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["objectives: *i", ""]
)


def itokr(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed `itokr` on `root`; a hang past `timeout` fails the test."""
    return subprocess.run(
        [installed_itokr(), "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=root.parent,
        timeout=timeout,
        check=False,
    )


def codes(result: Result | subprocess.CompletedProcess[str]) -> list[str]:
    """`CODE` of each `path:line:col: CODE message` line."""
    return [line.split(": ")[1].split()[0] for line in result.stdout.splitlines() if ": E" in line]


@pytest.fixture
def validate(run: Callable[..., Result]) -> Callable[[Path], Result]:
    def check(root: Path) -> Result:
        return run("--root", str(root), "validate", cwd=root.parent)

    return check


def test_an_alias_bomb_is_refused_without_expanding(make_root: Callable[..., Path]) -> None:
    root = make_root({"bomb.yaml": BILLION_LAUGHS})
    done = itokr(root, "validate", timeout=30)
    assert done.returncode == 1
    assert done.stdout.startswith("okrs/bomb.yaml:1:4: E006") or ":1:4: E006" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[" * 100_000 + "]" * 100_000, "1:65"),
        ("a: " + "{a: " * 100_000 + "}" * 100_000, "1:256"),
        ("- " * 100_000 + "x", "1:129"),
    ],
    ids=["sequences", "mappings", "block"],
)
def test_nesting_100000_deep_is_refused(
    make_root: Callable[..., Path], text: str, where: str
) -> None:
    # libyaml 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels itself; older ones do not:
    # either way the finding is itokr's own, at the level past `max_depth`
    root = make_root({"deep.yaml": text})
    done = itokr(root, "validate", timeout=30)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        f"okrs/deep.yaml:{where}: E008 nested deeper than 64 levels (`limits.max_depth`"
    )


def test_a_problem_before_libyamls_own_depth_limit_comes_first(
    validate: Callable[[Path], Result], make_root: Callable[..., Path]
) -> None:
    root = make_root({"itokr.yaml": "limits: {max_depth: 1000}\n"})
    (root / "deep.yaml").write_text("a: [*x, " + "[" * 2000 + "]" * 2000 + "]\n")
    assert validate(root).stdout.startswith("okrs/deep.yaml:1:5: E006")
    (root / "deep.yaml").write_text("a: " + "[" * 2000 + "]" * 2000 + "\n")
    result = validate(root)
    assert codes(result) == ["E008"] and "nested deeper than 1000 levels" in result.stdout


def test_a_deep_but_allowed_document_is_still_placed(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    deep = "[" * 50 + "]" * 50
    root = make_root({"f.yaml": VALID + f"        extra: {deep}\n"})
    result = validate(root)
    assert result.exit_code == 1
    assert result.stdout.startswith("okrs/f.yaml:9:9: E101 unknown key 'extra'")


def test_the_depth_limit_is_configurable(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    deep = "[" * 80 + "]" * 80
    root = make_root({"f.yaml": VALID + f"        extra: {deep}\n"})
    assert codes(validate(root)) == ["E008"]
    make_root({"itokr.yaml": "limits: {max_depth: 100}\n"})
    assert codes(validate(root)) == ["E101"]


def test_a_multi_megabyte_scalar_is_just_text(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"f.yaml": VALID.replace("An objective", "x" * 5_000_000)})
    assert validate(root).exit_code == 0


def test_a_file_over_the_size_limit_is_not_read(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"itokr.yaml": "limits: {max_file_mib: 1}\n", "big.yaml": "#" * 2**21})
    result = validate(root)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "okrs/big.yaml:1:1: E008 cannot read: larger than 1 MiB: raise `limits.max_file_mib`"
    )


def test_a_file_of_too_many_values_is_refused_unless_the_limit_is_raised(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    checkins = "".join(f"          - {{date: 2026-10-01, value: {i}}}\n" for i in range(20_000))
    text = VALID.replace("target: 10\n", "target: 10\n        checkins:\n" + checkins)
    root = make_root({"f.yaml": text})
    result = validate(root)
    assert codes(result) == ["E008"]
    assert "more than 50,000 values in one file" in result.stdout
    make_root({"itokr.yaml": "limits: {max_values: 100000}\n"})
    assert validate(root).exit_code == 0


def test_limits_out_of_range_are_findings(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"itokr.yaml": "limits: {max_depth: 100000}\n", "f.yaml": VALID})
    result = validate(root)
    assert result.exit_code == 1
    assert result.stdout.startswith("okrs/itokr.yaml:1:21: E107 `max_depth` must be <= 1000")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"objectives: [a\x00b]\n", "E003"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "E002"),
        (b"objectives: \x1b[31mred\n", "E003"),
        ("title: ☃\n".encode("utf-16"), "E002"),
    ],
    ids=["nul", "binary", "escape", "utf-16"],
)
def test_binary_bytes_are_a_finding(
    make_root: Callable[..., Path], validate: Callable[[Path], Result], data: bytes, code: str
) -> None:
    root = make_root({})
    (root / "f.yaml").write_bytes(data)
    assert codes(validate(root)) == [code]


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1e999", "9" * 400, "9" * 5000])
def test_numbers_that_are_not_finite_are_e105(
    make_root: Callable[..., Path], validate: Callable[[Path], Result], number: str
) -> None:
    root = make_root({"f.yaml": VALID.replace("target: 10", f"target: {number}")})
    assert codes(validate(root)) == ["E105"]


def test_too_many_problems_are_counted_not_listed(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    text = "objectives: []\n" + "".join(f"unknown{i}: 1\n" for i in range(20_000))
    result = validate(make_root({"f.yaml": text}))
    lines = result.stdout.splitlines()
    assert len(lines) == 102  # 100 findings, the count of the rest, the summary
    assert lines[100] == (
        "okrs/f.yaml:102:1: E008 19,900 more problems in this file are not listed: "
        "fix the ones above first"
    )


def test_a_directory_named_like_a_file_is_walked(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"team.yaml/inner.yaml": VALID})
    result = validate(root)
    assert result.exit_code == 0 and result.stdout.startswith("All good: 1 file")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_links_out_of_the_root_or_in_a_loop_are_findings(
    make_root: Callable[..., Path], validate: Callable[[Path], Result], tmp_path: Path
) -> None:
    root = make_root({"f.yaml": VALID})
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (root / "out.yaml").symlink_to(secret)
    (root / "loop-a.yaml").symlink_to(root / "loop-b.yaml")
    (root / "loop-b.yaml").symlink_to(root / "loop-a.yaml")
    (root / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)  # a directory loop: never followed
    (root / "same.yaml").symlink_to(root / "f.yaml")  # inside the root: read
    result = validate(root)
    assert [
        line.split(": E")[0] + " E" + line.split(": E")[1][:3]
        for line in result.stdout.splitlines()[:-1]
    ] == [
        "okrs/dangling.yaml:1:1 E001",
        "okrs/loop-a.yaml:1:1 E001",
        "okrs/loop-b.yaml:1:1 E001",
        "okrs/out.yaml:1:1 E001",
        "okrs/same.yaml:2:9 E301",
    ]
    assert "outside the OKR root" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_named_like_a_file_does_not_hang(make_root: Callable[..., Path]) -> None:
    root = make_root({"f.yaml": VALID})
    os.mkfifo(root / "pipe.yaml")
    done = itokr(root, "validate", timeout=30)
    assert done.returncode == 1
    assert done.stdout.startswith("okrs/pipe.yaml:1:1: E001 cannot read: not a regular file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_or_directory_is_a_finding(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"f.yaml": VALID, "locked.yaml": VALID, "closed/g.yaml": VALID})
    (root / "locked.yaml").chmod(0)
    (root / "closed").chmod(0)
    try:
        result = validate(root)
    finally:
        (root / "locked.yaml").chmod(0o644)
        (root / "closed").chmod(0o755)
    assert "okrs/locked.yaml:1:1: E001 cannot read: Permission denied" in result.stdout
    assert "okrs/closed/:1:1: E001 cannot read: cannot list this directory" in result.stdout


def test_a_file_name_cannot_inject_lines_or_escapes(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({})
    name = os.fsdecode(b"bad\xff\x1b[31m\nname.yaml")
    (root / name).write_text("objectives: 1\n")
    result = validate(root)
    assert result.stdout.splitlines()[0].startswith("okrs/bad\\xff\\x1b[31m\\nname.yaml:1:")
    assert "\x1b" not in result.stdout


def test_an_unknown_key_flood_is_placed_in_one_pass(make_root: Callable[..., Path]) -> None:
    text = "objectives: []\n" + "".join(f"k{i}: 1\n" for i in range(40_000))
    done = itokr(make_root({"f.yaml": text}), "validate", timeout=30)
    assert done.returncode == 1 and "E008 39,900 more problems" in done.stdout


def test_escapes_a_terminal_would_obey_are_refused(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"f.yaml": VALID.replace("title: An objective", 'title: "\\e[2J\\e]0;x\\a"')})
    result = validate(root)
    assert result.stdout.startswith(
        "okrs/f.yaml:3:12: E104 control character '\\x1b' in a quoted value"
    )
    assert "\x1b" not in result.stdout


def test_a_finding_quoting_a_line_break_stays_on_one_line(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"f.yaml": 'period: "2026\\nQ4"\n' + VALID})
    lines = validate(root).stdout.splitlines()
    assert lines[0].startswith("okrs/f.yaml:1:9: E304 unknown period '2026\\nQ4'")
    assert len(lines) == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_as_the_config_does_not_hang(make_root: Callable[..., Path]) -> None:
    root = make_root({"f.yaml": VALID})
    os.mkfifo(root / "itokr.yaml")
    done = itokr(root, "status", "--as-of", "2026-11-21", timeout=30)
    assert done.returncode == 1
    assert done.stderr == "itokr: 1 problem in the OKR files; run itokr validate\n"
    done = itokr(root, "validate", timeout=30)
    assert done.stdout.startswith("okrs/itokr.yaml:1:1: E001 cannot read: not a regular file")


def test_a_tree_1200_directories_deep_is_walked(run: Callable[..., Result]) -> None:
    # Outside pytest's tmp_path: its clean-up (shutil.rmtree) recurses, and a tree
    # left behind by an interrupted run would break every later run's clean-up.
    root = deepest = Path(tempfile.mkdtemp(prefix="itokr-deep-"))
    try:
        for _ in range(1200):  # not mkdir(parents=True): it recurses too
            deepest /= "d"
            deepest.mkdir()
        (deepest / "f.yaml").write_text(VALID)
        result = run("--root", str(root), "validate")
        assert result.exit_code == 0 and result.stdout.startswith("All good: 1 file")
    finally:  # bottom up, without recursion
        (deepest / "f.yaml").unlink(missing_ok=True)
        while deepest != root.parent:
            deepest.rmdir()
            deepest = deepest.parent


def test_a_huge_key_is_quoted_shortly(
    make_root: Callable[..., Path], validate: Callable[[Path], Result]
) -> None:
    root = make_root({"f.yaml": VALID + "? " + "k" * 1_000_000 + "\n: 1\n"})
    line = validate(root).stdout.splitlines()[0]
    assert line.startswith("okrs/f.yaml:9:3: E101 unknown key 'kkkk")
    assert line.endswith("k…") and len(line) < 600
