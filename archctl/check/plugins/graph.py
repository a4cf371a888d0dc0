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
self-dependency is a cycle of one. The depth-first pass that gives the load stages runs
first and notices any cycle: on an acyclic graph no component is computed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Set as AbstractSet

from archctl import codes
from archctl.check.plugins.index import PluginIndex
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.evidence import Cycle
from archctl.gcpause import gc_paused
from archctl.model.graphs import chain_depths, cyclic_components
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
    """PL102 findings and, when there are none, the load stages.

    The stages come from one depth-first pass that also notices any cycle; only then are
    the components searched, so an acyclic graph is walked once.
    """
    stages = load_stages(edges)
    if stages is not None:
        return [], stages
    return cycle_findings(index, edges), None


def find_cycles(edges: dict[str, dict[str, Requirement]]) -> list[tuple[str, ...]]:
    """Shortest cycle through the smallest member of each cyclic component, sorted."""
    cycles: list[tuple[str, ...]] = []
    with gc_paused():
        for component in cyclic_components(edges):
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
        codes.PL102,
        default_severity(codes.PL102),
        f"'{path[0]}' {what}: {shown}",
        closing.span,
        spec=index.spec.name,
        subject=path[0],
        evidence=Cycle(path),
        help="no load order exists; break the cycle by removing or inverting one dependency",
    )


def load_stages(edges: dict[str, dict[str, Requirement]]) -> list[list[str]] | None:
    """Stages: each holds the plugins whose dependencies all load in earlier stages; None
    when there is a cycle (then no load order exists).

    A plugin's stage is the length of its longest chain of dependencies (what Kahn's
    algorithm by layers gives; ``model.graphs.chain_depths``). Every stage is sorted so the
    plan is the same bytes on every run.
    """
    depth = chain_depths(edges)
    if depth is None:
        return None
    layers: dict[int, list[str]] = {}
    for name, stage in depth.items():
        layers.setdefault(stage, []).append(name)
    return [sorted(layers[stage]) for stage in range(len(layers))]
