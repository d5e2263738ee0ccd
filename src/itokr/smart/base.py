"""What every SMART rule is made of, and the registry the letter modules fill.

A rule is a generator over one objective: it yields a `Miss` for each thing
wrong, with the path of keys below the objective that points at it. Its
docstring is its documentation, with a `Pass:` and a `Fail:` example (each a
whole objective file, indented) that the tests run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from itokr.crosscheck import Entry
from itokr.model.config import SmartConfig

Level = Literal["error", "warning"]
Loc = tuple[str | int, ...]

LETTERS: dict[str, str] = {
    "S": "specific",
    "M": "measurable",
    "A": "attainable",
    "R": "relevant",
    "T": "time_bound",
}


@dataclass(frozen=True, slots=True)
class Miss:
    """One thing a rule found wrong: where (below the objective), why, and the fix."""

    loc: Loc
    message: str
    fix: str


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may know beyond its objective."""

    config: SmartConfig
    # objective id -> (its place among its owner's objectives in its period, their count)
    owner_load: Mapping[str, tuple[int, int]]


Check = Callable[[Entry, Context], Iterator[Miss]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: errors make up the SMART floor (SPEC §3); warnings are optional."""

    code: str
    level: Level
    summary: str
    check: Check

    @property
    def letter(self) -> str:
        return self.code[0]

    @property
    def doc(self) -> str:
        return self.check.__doc__ or ""

    def examples(self) -> dict[str, str]:
        """The YAML examples of the docstring: `pass`, `fail`, and maybe `config`."""
        return examples_of(self.doc)


RULES: dict[str, Rule] = {}
_CODE = re.compile(r"[SMART][0-9]{3}")


def rule(code: str, level: Level, summary: str) -> Callable[[Check], Check]:
    """Register `check` as the rule `code`."""

    def register(check: Check) -> Check:
        if not _CODE.fullmatch(code) or code in RULES:
            raise ValueError(f"bad or duplicate rule code {code}")
        RULES[code] = Rule(code, level, summary, check)
        return check

    return register


_HEADING = re.compile(r"^(Pass|Fail|Config):\s*$", re.MULTILINE)


def examples_of(doc: str) -> dict[str, str]:
    """The indented blocks after `Pass:`, `Fail:` and `Config:` in a docstring."""
    lines = doc.expandtabs().splitlines()
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not _HEADING.match(line.strip() + "\n"):
            continue
        name, margin = line.strip()[:-1].lower(), len(line) - len(line.lstrip())
        block: list[str] = []
        for following in lines[index + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= margin:
                break
            block.append(following)
        indent = min(len(b) - len(b.lstrip()) for b in block if b.strip())
        found[name] = "\n".join(b[indent:] for b in block).strip("\n") + "\n"
    return found


_ALNUM = re.compile(r"[^\W_]")


def words(text: str) -> int:
    """Words in a title: runs of text holding a letter or digit."""
    return sum(1 for token in text.split() if _ALNUM.search(token))


def number(value: float) -> str:
    """A number as a person would write it in a message."""
    return f"{value:g}"
