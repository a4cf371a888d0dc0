"""The load-order graph: dependency cycles (PL102) and load stages.

Edges run from a plugin to what it needs loaded first. With a selection, those are the
`requires` of each selected version plus its `optional` entries whose target is selected
too (an optional dependency that is present is used, so it loads first). Without a
selection (the versions could not be resolved) the graph keeps only what holds whatever is
picked: requirements shared by every candidate version of a plugin the roots reach, and no
optional edges, because nothing is known to be present.

Cycles: every non-trivial strongly connected component (networkx's iterative algorithm, so
chains of any depth are fine) yields one finding with the shortest cycle through its
smallest member, found by breadth-first search inside the component, pointing at the
`requires` entry that closes the cycle back to that member. A self-dependency is a cycle of
one.
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
        needs: dict[str, Requirement] = {}
        for requirement in version.requires:
            if requirement.name in selected:
                needs.setdefault(requirement.name, requirement)
        for requirement in version.optional:
            if requirement.name in selected:
                needs.setdefault(requirement.name, requirement)
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


def _graph(edges: dict[str, dict[str, Requirement]]) -> Any:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(edges)
    graph.add_edges_from((name, dep) for name, needs in edges.items() for dep in needs)
    return graph


def cycle_findings(
    index: PluginIndex, edges: dict[str, dict[str, Requirement]]
) -> list[Diagnostic]:
    """One PL102 per non-trivial strongly connected component."""
    return [_finding(index, edges, path) for path in find_cycles(edges)]


def find_cycles(edges: dict[str, dict[str, Requirement]]) -> list[tuple[str, ...]]:
    """Shortest cycle through the smallest member of each cyclic component, sorted."""
    import networkx as nx

    cycles: list[tuple[str, ...]] = []
    with gc_paused():
        for component in nx.strongly_connected_components(_graph(edges)):
            if len(component) == 1:
                (only,) = component
                if only in edges[only]:
                    cycles.append((only,))
                continue
            cycles.append(_shortest_cycle(edges, min(component), component))
    return sorted(cycles)


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

    Kahn's algorithm by layers, iterative; assumes the graph is acyclic (cycles are checked
    first). Every stage is sorted so the plan is the same bytes on every run.
    """
    waiting = {name: len(needs) for name, needs in edges.items()}
    dependants: dict[str, list[str]] = {name: [] for name in edges}
    for name, needs in edges.items():
        for dep in needs:
            dependants[dep].append(name)
    stage = sorted(name for name, count in waiting.items() if count == 0)
    stages: list[list[str]] = []
    while stage:
        stages.append(stage)
        following = []
        for name in stage:
            for dependant in dependants[name]:
                waiting[dependant] -= 1
                if waiting[dependant] == 0:
                    following.append(dependant)
        stage = sorted(following)
    return stages
