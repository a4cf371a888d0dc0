"""The load-order graph: dependency cycles (PL102) and load stages.

Edges run from a plugin to what it needs loaded first. With a selection, those are the
`requires` of each selected version plus its `optional` entries whose target is selected
too (an optional dependency that is present is used, so it loads first). Without a
selection (the versions could not be resolved) the graph keeps only what holds whatever is
picked: requirements shared by every candidate version of a plugin the roots reach, and no
optional edges, because nothing is known to be present.

Cycles: every non-trivial strongly connected component (Tarjan's algorithm, iterative, so
chains of any depth are fine; run on the edge dicts themselves, because building a networkx
graph of 400,000 edges alone cost more than the whole search) yields one finding with the
shortest cycle through its smallest member, found by breadth-first search inside the
component, pointing at the `requires` entry that closes the cycle back to that member. A
self-dependency is a cycle of one. The layering that gives load stages runs first: when it
places every plugin there is no cycle and no component is computed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Set as AbstractSet
from typing import Any

from archctl.check.pl_index import PluginIndex
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.evidence import Cycle
from archctl.gcpause import gc_paused
from archctl.model.plugins import Requirement


def edges_of_selection(
    index: PluginIndex, selected: dict[str, int]
) -> dict[str, dict[str, Requirement]]:
    """plugin -> {dependency: the entry that makes it one}, over the selected versions."""
    out: dict[str, dict[str, Requirement]] = {}
    for name, number in selected.items():
        version = index.plugins[name].versions[number]
        # the first entry naming a dependency is the one kept: `requires` before `optional`,
        # each read backwards so that its earlier entries overwrite its later ones
        needs = {r.name: r for r in reversed(version.requires) if r.name in selected}
        if version.optional:
            optional = {r.name: r for r in reversed(version.optional) if r.name in selected}
            needs = {**optional, **needs}
        out[name] = needs
    return out


def edges_without_selection(index: PluginIndex) -> dict[str, dict[str, Requirement]]:
    """The dependencies every candidate version agrees on, over the reachable plugins."""
    out: dict[str, dict[str, Requirement]] = {}
    for name in index.reachable:
        versions = index.plugins[name].versions
        needs: dict[str, Requirement] = {}
        for requirement in versions[0].requires:
            if requirement.name in index.plugins and all(
                any(other.name == requirement.name for other in version.requires)
                for version in versions[1:]
            ):
                needs.setdefault(requirement.name, requirement)
        out[name] = needs
    return out


def cycle_findings(
    index: PluginIndex, edges: dict[str, dict[str, Requirement]]
) -> list[Diagnostic]:
    """One PL102 per non-trivial strongly connected component."""
    return [_finding(index, edges, path) for path in find_cycles(edges)]


def cycles_and_stages(
    index: PluginIndex, edges: dict[str, dict[str, Requirement]]
) -> tuple[list[Diagnostic], list[list[str]] | None]:
    """PL102 findings and, when there are none, the load stages, from one layering pass.

    Layering (Kahn) places every plugin that is on no cycle and needs nothing on one; when
    it places them all, the graph is acyclic and the components are never computed. Else
    every cycle lies among the plugins left over (a component is placed whole or not at
    all), so only those are searched.
    """
    stages, left = _layers(edges)
    if not left:
        return [], stages
    return [_finding(index, edges, path) for path in find_cycles(edges, left)], None


def find_cycles(
    edges: dict[str, dict[str, Requirement]], among: AbstractSet[str] | None = None
) -> list[tuple[str, ...]]:
    """Shortest cycle through the smallest member of each cyclic component, sorted.

    ``among`` restricts the search to a set of plugins closed under "lies on a cycle with";
    by default every plugin is searched.
    """
    cycles: list[tuple[str, ...]] = []
    with gc_paused():
        for component in _cyclic_components(edges, edges if among is None else among):
            cycles.append(_shortest_cycle(edges, min(component), component))
    return sorted(cycles)


def _cyclic_components(
    edges: dict[str, dict[str, Requirement]], among: AbstractSet[str] | dict[str, Any]
) -> list[set[str]]:
    """Strongly connected components with a cycle (Tarjan's algorithm, iterative, so
    chains of any depth are fine): more than one member, or one that needs itself."""
    number: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in among:
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in among:
                    continue
                seen = number.get(successor)
                if seen is None:
                    number[successor] = low[successor] = len(number)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges[successor])))
                    break
                if successor in on_stack and seen < low[node]:
                    low[node] = seen
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                if low[node] == number[node]:
                    if stack[-1] == node:
                        stack.pop()
                        on_stack.discard(node)
                        if node in edges[node]:
                            found.append({node})
                        continue
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def _shortest_cycle(
    edges: dict[str, dict[str, Requirement]], start: str, inside: AbstractSet[str]
) -> tuple[str, ...]:
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(edges[node]):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return tuple(reversed(path))
            if successor in inside and successor not in parent:
                parent[successor] = node
                queue.append(successor)
    raise AssertionError(f"{start} lies on no cycle of its component")  # pragma: no cover


def _finding(
    index: PluginIndex, edges: dict[str, dict[str, Requirement]], path: tuple[str, ...]
) -> Diagnostic:
    closing = edges[path[-1]][path[0]]
    shown = " -> ".join([*path, path[0]])
    what = "depends on itself" if len(path) == 1 else "is part of a dependency cycle"
    return Diagnostic(
        "PL102",
        default_severity("PL102"),
        f"'{path[0]}' {what}: {shown}",
        closing.span,
        spec=index.spec.name,
        subject=path[0],
        evidence=Cycle(path),
        help="no load order exists; break the cycle by removing or inverting one dependency",
    )


def load_stages(edges: dict[str, dict[str, Requirement]]) -> list[list[str]]:
    """Stages: each holds the plugins whose dependencies all load in earlier stages.

    Assumes the graph is acyclic (cycles are checked first); see :func:`_layers`.
    """
    return _layers(edges)[0]


def _layers(edges: dict[str, dict[str, Requirement]]) -> tuple[list[list[str]], set[str]]:
    """Kahn's algorithm by layers, iterative: the stages, and the plugins never placed
    (those on a cycle or needing one). Every stage is sorted so the plan is the same bytes
    on every run.
    """
    waiting = {name: len(needs) for name, needs in edges.items()}
    dependants: dict[str, list[str]] = {name: [] for name in edges}
    for name, needs in edges.items():
        for dep in needs:
            dependants[dep].append(name)
    stage = sorted(name for name, count in waiting.items() if count == 0)
    stages: list[list[str]] = []
    placed = 0
    while stage:
        stages.append(stage)
        placed += len(stage)
        following = []
        for name in stage:
            for dependant in dependants[name]:
                count = waiting[dependant] - 1
                waiting[dependant] = count
                if count == 0:
                    following.append(dependant)
        stage = sorted(following)
    if placed == len(edges):
        return stages, set()
    return stages, {name for name, count in waiting.items() if count > 0}
