"""Pause the cyclic garbage collector around bulk work.

Loading and analysing a large spec allocates millions of small acyclic objects (YAML nodes,
spans, graph edges); every automatic collection then re-walks everything already built.
Measured on a 10 MB plugins file, that was most of the load time. Cycles created meanwhile
are collected after the block.
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
