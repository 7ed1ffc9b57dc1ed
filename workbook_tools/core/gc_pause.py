"""Pausing Python's cyclic garbage collector while one command reads and checks a workbook.

A year of ledger rows is millions of small lists, tuples and values that
reference counting frees on its own; the cyclic collector would still walk all
of them again and again while they are being built, which at 100,000 rows cost
about a fifth of a command's time (see benchmarks/RESULTS.md). The pause ends
with the command, so nothing else runs without the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
