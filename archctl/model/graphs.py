"""Graph algorithms on name -> dependencies maps, shared by the plugins checker and renderer.

Both need the same answers (which plugins form a dependency cycle, which load stage each
plugin is in) and used to compute them with two copies of Tarjan's algorithm; a fix in one
would not reach the other, and the diagram could disagree with the findings. Both walks are
iterative so dependency chains of any depth are fine, and run on the dicts themselves
(building a networkx graph of 400,000 edges cost more than the whole search).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Edges = Mapping[str, Iterable[str]]


def strong_components(edges: Edges) -> list[set[str]]:
    """Strongly connected components (Tarjan), sinks first; every node of ``edges`` is in one.

    Targets that are not keys of ``edges`` are ignored (undeclared plugins have no node).
    """
    return _tarjan(edges, keep_acyclic=True)


def cyclic_components(edges: Edges) -> list[set[str]]:
    """The components that hold a cycle: two or more members, or one that needs itself."""
    return _tarjan(edges, keep_acyclic=False)


def _tarjan(edges: Edges, keep_acyclic: bool) -> list[set[str]]:
    number: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in edges:
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                seen = number.get(successor)
                if seen is None:
                    if successor not in edges:
                        continue
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
                if low[node] != number[node]:
                    continue
                if stack[-1] == node:  # a component of one: the common case, no set built
                    stack.pop()
                    on_stack.discard(node)
                    if keep_acyclic or node in edges[node]:
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


def chain_depths(edges: Edges) -> dict[str, int] | None:
    """Each node's longest chain of dependencies (0: needs nothing); None on a cycle.

    One iterative depth-first pass in which an edge back to a node still being walked is a
    cycle: on an acyclic graph no component is ever computed.
    """
    depth: dict[str, int] = {}
    for root in edges:
        if root in depth:
            continue
        walking = {root}
        work = [(root, iter(edges[root]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in depth and successor in edges:
                    if successor in walking:
                        return None
                    walking.add(successor)
                    work.append((successor, iter(edges[successor])))
                    break
            else:
                work.pop()
                walking.discard(node)
                needs = [depth[need] for need in edges[node] if need in edges]
                depth[node] = max(needs) + 1 if needs else 0
    return depth


def stages_through_cycles(edges: Edges) -> dict[str, int]:
    """:func:`chain_depths`, with every cycle's members sharing one stage (the component is
    layered as a unit), so a drawing can place a graph that has no load order."""
    components = strong_components(edges)
    owner = {node: number for number, component in enumerate(components) for node in component}
    condensed: dict[str, set[str]] = {str(n): set() for n in range(len(components))}
    for node, successors in edges.items():
        for successor in successors:
            if successor in owner and owner[successor] != owner[node]:
                condensed[str(owner[node])].add(str(owner[successor]))
    depth = chain_depths(condensed)
    assert depth is not None, "the condensation of a graph is acyclic"
    return {node: depth[str(owner[node])] for node in edges}
