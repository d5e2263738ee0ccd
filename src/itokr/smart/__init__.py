"""`itokr smart`: is each objective Specific, Measurable, Attainable, Relevant, Time-bound?

Pure core. Each letter is a module of rules (`specific`, `measurable`, ...);
a rule has a stable code whose first letter is its SMART letter, a level
(`error` rules are the floor of SPEC §3 and decide the letters and the score;
`warning` rules are advice that `smart.rules` in itokr.yaml turns off), and a
docstring with a passing and a failing example that the tests run.
"""

from __future__ import annotations

from itokr.smart import attainable, measurable, relevant, specific, timebound  # noqa: F401
from itokr.smart.base import LETTERS, RULES, Rule
from itokr.smart.engine import Report, Violation, check, enabled_rules, letters_by_id

# In SMART order, whatever order the letter modules were imported in.
_ordered = sorted(RULES.items(), key=lambda item: ("SMART".index(item[0][0]), item[0]))
RULES.clear()
RULES.update(_ordered)

__all__ = [
    "LETTERS",
    "RULES",
    "Report",
    "Rule",
    "Violation",
    "check",
    "enabled_rules",
    "letters_by_id",
    "rules_markdown",
]


def rules_markdown() -> str:
    """The rule table for the README: code, letter, level, what it checks."""
    rows = ["| code | letter | level | passes when |", "|---|---|---|---|"]
    for code, rule in RULES.items():
        letter = LETTERS[rule.letter].replace("_", "-").capitalize()
        rows.append(f"| `{code}` | {letter} | {rule.level} | {rule.summary} |")
    return "\n".join(rows) + "\n"
