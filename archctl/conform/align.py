"""Optimal alignments: the cheapest way to explain a trace as a run of the spec.

The search is Dijkstra's over pairs (events consumed, configuration) with the standard
unit costs of the process-mining literature (and pm4py): a synchronous move costs 0, a
log move (an event the spec cannot do here) 1, a visible model move (an activity the log
skipped) 1, a silent step 0. Ties are broken by insertion order, so the same trace gets
the same alignment on every run. A search bound makes the result ``None`` (inconclusive),
never a guess.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

from archctl.conform.outcome import SKIP, Alignment
from archctl.conform.semantics import Attributes, Config, Semantics

#: states (position, configuration) settled before the search gives up on a trace
MAX_SETTLED = 200_000

Node = tuple[int, Config]


def align(
    semantics: Semantics,
    activities: Sequence[str],
    attributes: Sequence[Attributes] | None = None,
    max_settled: int = MAX_SETTLED,
) -> Alignment | None:
    n = len(activities)
    counter = itertools.count()
    best: dict[Node, int] = {}
    parent: dict[Node, tuple[Node, tuple[str, str] | None]] = {}
    heap: list[tuple[int, int, int, Config]] = []
    for config in semantics.initial():
        node = (0, config)
        if node not in best:
            best[node] = 0
            heapq.heappush(heap, (0, next(counter), 0, config))
    settled: set[Node] = set()
    while heap:
        cost, _, index, config = heapq.heappop(heap)
        node = (index, config)
        if node in settled or cost > best.get(node, cost):
            continue
        settled.add(node)
        if index == n and semantics.complete(config):
            return Alignment(cost, _moves(parent, node))
        if len(settled) > max_settled:
            return None

        steps: list[tuple[Node, int, tuple[str, str] | None]] = [
            ((index, after), 0, None) for after in semantics.silent(config)
        ]
        activity = activities[index] if index < n else None
        data = attributes[index] if attributes is not None and index < n else ()
        for label, after in semantics.visible(config):
            if label == activity and (not data or semantics.observe(after, data)):
                steps.append(((index + 1, after), 0, (label, label)))
            steps.append(((index, after), 1, (SKIP, label)))
        if activity is not None:
            steps.append(((index + 1, config), 1, (activity, SKIP)))
        for target, step_cost, move in steps:
            total = cost + step_cost
            if total < best.get(target, total + 1):
                best[target] = total
                parent[target] = (node, move)
                heapq.heappush(heap, (total, next(counter), target[0], target[1]))
    return None


def _moves(
    parent: dict[Node, tuple[Node, tuple[str, str] | None]], node: Node
) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    while node in parent:
        node, move = parent[node]
        if move is not None:
            out.append(move)
    out.reverse()
    return tuple(out)
