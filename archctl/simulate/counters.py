"""Per-node figures of a run: visits, attempts, failures, timeouts and busy time.

Both engines fill them (``engine.py`` one instance at a time, ``cohort.py`` per chunk from
its arrays) and ``stats.Totals`` merges them chunk by chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from archctl.simulate.workflow import Program


@dataclass
class NodeCounters:
    """Per-node figures of one program: visits, [attempts, failures, timeouts], busy ms."""

    visits: list[int]
    tries: list[list[int]]
    busy: list[float]

    @classmethod
    def fresh(cls, size: int) -> NodeCounters:
        return cls([0] * size, [[0, 0, 0] for _ in range(size)], [0.0] * size)


def counters_for(program: Program) -> dict[str, NodeCounters]:
    """Fresh counters for a program and all the subprocesses it calls."""
    out: dict[str, NodeCounters] = {}
    stack = [program]
    while stack:
        current = stack.pop()
        if current.name not in out:
            out[current.name] = NodeCounters.fresh(len(current.ids))
            stack.extend(current.children())
    return out
