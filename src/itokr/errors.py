"""The exception types the core raises, and the exit codes of the contract."""

from __future__ import annotations

OK = 0
PROBLEMS = 1  # the OKRs have problems, or a policy the user asked for failed
USAGE = 2  # the command was used wrongly
INTERNAL = 3  # a bug in itokr
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away


class ItokrError(Exception):
    """An expected failure; the message is shown as it is, with `exit_code`."""

    exit_code = PROBLEMS


class UsageError(ItokrError):
    """The user asked for something impossible: no root, bad ref, bad date."""

    exit_code = USAGE
