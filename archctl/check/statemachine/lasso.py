"""Fair-lasso search over an explicit configuration graph (finite domains).

A liveness property fails exactly when some *fair* run avoids its goal forever. In a finite
graph such a run is a lasso: a prefix to a configuration, then either a stop (a deadlock,
a final state, or a configuration where only ``fair: false`` inputs are enabled: the
environment may never send them) or a loop repeated forever. Which loops count depends on
the fairness, per transition (``fair: false`` transitions are never required):

- ``none``: every loop;
- ``weak``: a transition enabled in *every* configuration of the loop must be taken in it.
  If a strongly connected component fails this, every loop inside it fails too (a sub-loop
  has no fewer continuously enabled transitions and no more taken ones), so the maximal
  components are the only candidates;
- ``strong``: a transition enabled *anywhere* in the loop must be taken in it. A failing
  component is refined by deleting the configurations where an untaken transition is
  enabled and splitting the rest again (the Streett-style refinement SPIN and TLC use).

The search is breadth first, so the prefix is a shortest one; the loop is then built inside
the fair component through every transition that fairness requires, and re-checked as the
concrete run it is (docs/fairness.md explains how to read it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from archctl.check.scc import components

#: one step of a run: (transition position, configuration reached)
Edge = tuple[int, int]


@dataclass(frozen=True)
class Graph:
    """The configurations as a labelled graph, and which transitions fairness may require."""

    successors: Sequence[Sequence[int]]
    labels: Sequence[Sequence[int]]
    #: per transition position: False for ``fair: false`` (never required)
    fair: Sequence[bool]
    #: configurations where a run may stop (final states, deadlocks)
    final: Sequence[bool]

    def edges(self, config: int) -> list[Edge]:
        return list(zip(self.labels[config], self.successors[config], strict=True))

    def may_stop(self, config: int) -> bool:
        """A finite run can end here: final, deadlocked, or only unfair inputs enabled."""
        return self.final[config] or all(not self.fair[t] for t in self.labels[config])


@dataclass(frozen=True)
class Lasso:
    """``prefix`` ends at the loop entry (or where the run stops); ``loop`` returns to it."""

    prefix: tuple[Edge, ...]  # (transition or -1 at the start, configuration)
    loop: tuple[Edge, ...]


def find_lasso(
    graph: Graph,
    fairness: str,
    starts: Sequence[int],
    avoid: Sequence[bool],
    trigger: Sequence[bool] | None = None,
) -> Lasso | None:
    """A fair run that, from a ``trigger`` configuration on, never visits ``avoid``.

    ``trigger`` None means the whole run must avoid it (``eventually``); otherwise the prefix
    is free until a trigger configuration (``leads_to``'s ``from`` without its ``to``).
    """
    inside = [not hit for hit in avoid]
    fair_loops = fair_components(graph, fairness, inside)
    loop_of: dict[int, int] = {}
    for number, component in enumerate(fair_loops):
        for config in component:
            loop_of[config] = number
    found = _shortest_prefix(graph, starts, inside, trigger, loop_of)
    if found is None:
        return None
    prefix, entry = found
    if entry in loop_of:
        members = set(fair_loops[loop_of[entry]])
        return Lasso(prefix, _loop(graph, fairness, members, entry))
    return Lasso(prefix, ())


def fair_components(graph: Graph, fairness: str, inside: Sequence[bool]) -> list[list[int]]:
    """Sets of configurations inside which some loop is a fair run (each one such loop)."""
    out: list[list[int]] = []
    pending = [[c for c in range(len(inside)) if inside[c]]]
    while pending:
        nodes = pending.pop()
        for component in _components(graph, nodes):
            members = set(component)
            taken = _taken(graph, component, members)
            if fairness == "none":
                out.append(sorted(component))
                continue
            if fairness == "weak":
                if not _continuously_enabled(graph, component) - taken:
                    out.append(sorted(component))
                continue
            untaken = _enabled_somewhere(graph, component) - taken
            if not untaken:
                out.append(sorted(component))
                continue
            rest = [c for c in component if not untaken & set(graph.labels[c])]
            if rest:
                pending.append(rest)
    return out


def _components(graph: Graph, nodes: list[int]) -> list[list[int]]:
    """Non-trivial strongly connected components of the subgraph induced by ``nodes``."""
    local = {config: i for i, config in enumerate(nodes)}
    successors = [[local[d] for d in graph.successors[config] if d in local] for config in nodes]
    out = []
    for component in components(successors):
        if len(component) > 1 or component[0] in successors[component[0]]:
            out.append([nodes[i] for i in component])
    return out


def _taken(graph: Graph, component: Sequence[int], members: set[int]) -> set[int]:
    return {
        label for config in component for label, target in graph.edges(config) if target in members
    }


def _required(graph: Graph, config: int) -> set[int]:
    return {label for label in graph.labels[config] if graph.fair[label]}


def _continuously_enabled(graph: Graph, configs: Sequence[int]) -> set[int]:
    common = _required(graph, configs[0])
    for config in configs[1:]:
        if not common:
            break
        common &= _required(graph, config)
    return common


def _enabled_somewhere(graph: Graph, configs: Sequence[int]) -> set[int]:
    out: set[int] = set()
    for config in configs:
        out |= _required(graph, config)
    return out


def _shortest_prefix(
    graph: Graph,
    starts: Sequence[int],
    inside: Sequence[bool],
    trigger: Sequence[bool] | None,
    loop_of: dict[int, int],
) -> tuple[tuple[Edge, ...], int] | None:
    """Breadth first over (configuration, phase); phase 1 is after the trigger, inside only."""
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {}
    queue: deque[tuple[int, int]] = deque()

    def push(node: tuple[int, int], came: tuple[tuple[int, int], int] | None) -> None:
        if node not in parent:
            parent[node] = came
            queue.append(node)

    for start in starts:
        if trigger is None:
            if inside[start]:
                push((start, 1), None)
        else:
            push((start, 0), None)
    while queue:
        node = queue.popleft()
        config, phase = node
        if phase == 0 and trigger is not None and trigger[config] and inside[config]:
            push((config, 1), (node, -2))
        if phase == 1 and (config in loop_of or graph.may_stop(config)):
            return _unwind(parent, node), config
        for label, target in graph.edges(config):
            if phase == 0 or inside[target]:
                push((target, phase), (node, label))
    return None


def _unwind(
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None], node: tuple[int, int]
) -> tuple[Edge, ...]:
    steps: list[Edge] = []
    current: tuple[int, int] | None = node
    while current is not None:
        came = parent[current]
        if came is None:
            steps.append((-1, current[0]))
            break
        previous, label = came
        if label != -2:  # the phase switch stays in place: not a step of the run
            steps.append((label, current[0]))
        current = previous
    steps.reverse()
    return tuple(steps)


def _loop(graph: Graph, fairness: str, members: set[int], entry: int) -> tuple[Edge, ...]:
    """A cycle through ``entry`` inside ``members`` that is a fair run when repeated.

    Start with the shortest cycle, then, while fairness requires a transition the cycle does
    not take, route the cycle through an edge with that label (or, under weak fairness,
    through a configuration where it is disabled). Each detour only adds visits, so a fixed
    requirement stays fixed and the loop ends after at most one detour per transition.
    """
    waypoints: list[tuple[int, Edge | None]] = []
    while True:
        loop = _route(graph, members, entry, waypoints)
        if fairness == "none":
            return loop
        visited = [entry, *(config for _, config in loop)]
        taken = {label for label, _ in loop}
        if fairness == "weak":
            missing = _continuously_enabled(graph, visited) - taken
        else:
            missing = _enabled_somewhere(graph, visited) - taken
        if not missing:
            return loop
        label = min(missing)
        edge = next(
            (
                (config, (t, target))
                for config in sorted(members)
                for t, target in graph.edges(config)
                if t == label and target in members
            ),
            None,
        )
        if edge is not None:
            waypoints.append(edge)
        else:  # weak: the component is fair, so somewhere in it the transition is disabled
            off = min(c for c in members if label not in graph.labels[c])
            waypoints.append((off, None))


def _route(
    graph: Graph, members: set[int], entry: int, waypoints: list[tuple[int, Edge | None]]
) -> tuple[Edge, ...]:
    steps: list[Edge] = []
    current = entry
    for config, edge in waypoints:
        steps += _path(graph, members, current, config)
        current = config
        if edge is not None:
            steps.append(edge)
            current = edge[1]
    if current == entry and not steps:
        label, first = next((t, d) for t, d in graph.edges(entry) if d in members)
        steps.append((label, first))
        current = first
    steps += _path(graph, members, current, entry)
    return tuple(steps)


def _path(graph: Graph, members: set[int], source: int, target: int) -> list[Edge]:
    """Shortest path inside ``members`` (the component is strongly connected: one exists)."""
    if source == target:
        return []
    parent: dict[int, Edge] = {source: (-1, -1)}
    queue = deque([source])
    while queue:
        config = queue.popleft()
        for label, nxt in graph.edges(config):
            if nxt in members and nxt not in parent:
                parent[nxt] = (label, config)
                if nxt == target:
                    steps: list[Edge] = []
                    at = nxt
                    while at != source:
                        label_in, before = parent[at]
                        steps.append((label_in, at))
                        at = before
                    steps.reverse()
                    return steps
                queue.append(nxt)
    raise AssertionError("configurations of one component are mutually reachable")
