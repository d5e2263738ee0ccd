"""Work that builds no reference cycles runs with Python's cyclic collector paused.

Loading, scoring and checking a large root allocate millions of objects that all
stay alive; the collector would scan them again and again and find nothing to free
(loading took a quarter less without it, FACTS.md). The `itokr` process runs with
the collector off altogether (`itokr.__main__`); these pauses keep the core as fast
where it is called in-process, by tests or as a library.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block runs without cyclic garbage collection; the collector is back after it
    (unless it was off before)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
