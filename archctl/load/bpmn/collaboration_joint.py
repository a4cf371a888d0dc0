"""The pools' marking graphs as their collaboration lets them run: explored together.

A pool explored alone must let every receive happen (its partner is not known there), so a
non-interrupting message boundary fires without end and the pool's own graph is unbounded
although the partner sends a handful of messages. Explored together with its partners, with
the message flows as bags (fbpmn's Network01Bag, the system's ``ordering: bag``), a receive
happens only when its message is there, so the partner's sends bound the boundary.

What this yields per pool is the part of its marking graph that some run of the
collaboration reaches, plus one step of look-ahead: every firing enabled *locally* in a
reached marking is kept, with its target marking, even when no run takes it (a receive whose
message never comes, a send into a full flow). Composed in the system, the machines have
exactly the collaboration's runs; the look-ahead firings are what the system checker reports
as elements no run executes, and a send into a full flow is its exploration bound (SY901).

A marking that would hold more than :data:`JOINT_TOKEN_LIMIT` tokens on a flow is kept as a
*frontier* state: reached, never expanded. The system checker treats a configuration that
reaches one as the end of what was explored (inconclusive, never a deadlock), so what was
found before it (an unsafe marking, a deadlock, a message left behind) is still reported with
its trace, and nothing past it is claimed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from archctl.load.bpmn.collaboration_net import (
    Firing,
    Marking,
    MarkingGraph,
    Op,
    PoolNet,
    Unbounded,
)

#: collaboration configurations explored at most before the pools are built alone instead
JOINT_LIMIT = 20_000
#: tokens one flow may hold in the joint exploration before its marking is a frontier: two
#: already make a run unsafe (reported with its trace), so more only multiplies the markings
JOINT_TOKEN_LIMIT = 2

Contents = tuple[str, ...]  # a bag: its messages, sorted
Config = tuple[tuple[int, ...], tuple[Contents, ...]]  # local marking ids, channel contents


@dataclass
class PoolGraph:
    """One pool's markings and firings as the collaboration reaches them."""

    net: PoolNet
    markings: list[Marking] = field(default_factory=list)
    ids: dict[Marking, int] = field(default_factory=dict)
    firings: list[Firing] = field(default_factory=list)
    fired: set[tuple[int, int, str, Op | None]] = field(default_factory=set)
    expanded: dict[int, list[tuple[str, Op | None, Marking]]] = field(default_factory=dict)
    frontier: dict[int, str] = field(default_factory=dict)  # marking id -> the flow over

    def marking_id(self, marking: Marking) -> int:
        known = self.ids.get(marking)
        if known is None:
            known = self.ids[marking] = len(self.markings)
            self.markings.append(marking)
            over = self.net.over(marking, JOINT_TOKEN_LIMIT)
            if over is not None:
                self.frontier[known] = over
        return known

    def record(self, source: int, node: str, op: Op | None, target: int) -> None:
        key = (source, target, node, op)
        if key not in self.fired:
            self.fired.add(key)
            self.firings.append(Firing(source, target, node, op))

    def graph(self) -> MarkingGraph:
        return MarkingGraph(
            self.markings,
            self.firings,
            self.net.places,
            self.net.ends,
            dict(self.frontier),
            partial=True,
        )


def explore_together(nets: list[PoolNet], channels: list[str], capacity: int) -> list[MarkingGraph]:
    """Breadth-first over the collaboration's configurations (deterministic: pools in order,
    firings in node order). Raises :class:`Unbounded` past :data:`JOINT_LIMIT`."""
    pools = [PoolGraph(net) for net in nets]
    position = {name: index for index, name in enumerate(channels)}
    start: Config = (
        tuple(pool.marking_id(pool.net.initial()) for pool in pools),
        tuple(() for _ in channels),
    )
    seen = {start}
    queue = deque([start])
    while queue:
        locals_, contents = queue.popleft()
        for index, pool in enumerate(pools):
            source = locals_[index]
            if source in pool.frontier:
                continue
            for node, op, target in _local_steps(pool, source):
                pool.record(source, node, op, target)
                after = _deliver(op, contents, position, capacity)
                if after is None or target in pool.frontier:
                    continue  # not taken by any run now (no message, a full flow, the bound)
                config = ((*locals_[:index], target, *locals_[index + 1 :]), after)
                if config not in seen:
                    if len(seen) >= JOINT_LIMIT:
                        raise Unbounded(f"more than {JOINT_LIMIT:,} collaboration configurations")
                    seen.add(config)
                    queue.append(config)
    return [pool.graph() for pool in pools]


def _local_steps(pool: PoolGraph, source: int) -> list[tuple[str, Op | None, int]]:
    """The pool's firings from a marking, computed once (a marking recurs in many configs)."""
    steps = pool.expanded.get(source)
    if steps is None:
        steps = pool.expanded[source] = list(pool.net.steps(pool.markings[source]))
    return [(node, op, pool.marking_id(after)) for node, op, after in steps]


def _deliver(
    op: Op | None, contents: tuple[Contents, ...], position: dict[str, int], capacity: int
) -> tuple[Contents, ...] | None:
    """The channels after a firing's message operation; None when it cannot happen now."""
    if op is None:
        return contents
    where = position.get(op.channel)
    if where is None:
        return contents if op.send else None  # a flow outside the system
    bag = contents[where]
    if op.send:
        if len(bag) >= capacity:
            return None
        changed = tuple(sorted((*bag, op.message)))
    else:
        if op.message not in bag:
            return None
        items = list(bag)
        items.remove(op.message)
        changed = tuple(items)
    return (*contents[:where], changed, *contents[where + 1 :])


__all__ = ["JOINT_LIMIT", "JOINT_TOKEN_LIMIT", "explore_together"]
