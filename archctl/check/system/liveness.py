"""Liveness of systems (``eventually``, ``leads_to``): a search for fair lassos.

Liveness needs every interleaving (partial-order and symmetry reductions as used for safety
do not keep fair cycles), so it runs on its own unreduced exploration with labelled edges.
For ``leads_to: {from: A, to: B}`` the search looks, inside the configurations where B does
not hold, for *ends* a run can stay in forever: a configuration where the run stops (a
deadlock or a final configuration) or a fair cycle. ``eventually: P`` is ``leads_to`` from the
initial configuration. Fairness is per transition of a replica (a rendezvous takes one of
each side): under ``weak``, a strongly connected set of configurations holds a fair cycle iff
every transition enabled in all of them is taken inside it; under ``strong`` (Streett
condition), configurations enabling a transition never taken inside are removed and the rest
is searched again; under ``none`` any cycle counts. ``fair: false`` exempts a transition.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from archctl.check.system.explore import Exploration, Explorer
from archctl.check.system.trace import initial_step, path_to, trace_step
from archctl.evidence import Lasso, TraceStep
from archctl.model.system_step import Step

Label = tuple[int, int]


@dataclass(frozen=True)
class Violation:
    start: int  # where ``from`` holds (the initial configuration for ``eventually``)
    lasso: Lasso


class FairCycles:
    def __init__(self, explorer: Explorer, fairness: str) -> None:
        self.explorer = explorer
        self.result: Exploration = explorer.result
        self.fairness = fairness
        instances = explorer.model.instances
        self.unfair = {
            (actor, number)
            for actor, instance in enumerate(instances)
            for number, transition in enumerate(instance.machine.transitions)
            if not getattr(transition, "fair", True)
        }
        self.enabled = [frozenset().union(*labels) for labels in self.result.labels]
        self.stops = set(self.result.finals) | set(self.result.deadlocks)

    def violation(
        self, source: Callable[[int], bool], target: Callable[[int], bool]
    ) -> Violation | None:
        """A fair run that reaches ``source`` and then never ``target``, as a lasso."""
        size = self.result.size
        region = [not target(node) for node in range(size)]
        ends: dict[int, frozenset[int] | None] = {n: None for n in self.stops if region[n]}
        for fair in self._fair_components([n for n in range(size) if region[n]]):
            for node in fair:
                ends.setdefault(node, fair)
        doomed = self._backward(set(ends), region)
        start = next((n for n in range(size) if n in doomed and source(n)), None)
        if start is None:
            return None
        walk = self._path(start, lambda n: n in ends, region)
        entry = walk[-1][0] if walk else start
        component = ends[entry]
        loop = [] if component is None else self._loop(entry, component)
        prefix_nodes = path_to(self.explorer, start)
        prefix: list[tuple[int, int, frozenset[Label] | None]] = [
            (a, b, None) for a, b in itertools.pairwise(prefix_nodes)
        ]
        previous = start
        for node, lab in walk:
            prefix.append((previous, node, lab))
            previous = node
        lasso = Lasso(
            self.fairness,
            tuple(self._steps(prefix_nodes[0], prefix, initial=True)),
            tuple(self._steps(entry, loop, initial=False)),
        )
        return Violation(start, lasso)

    # -- graph pieces ----------------------------------------------------------------------
    def _inside(self, nodes: frozenset[int]) -> Iterable[tuple[int, int, frozenset[Label]]]:
        for node in nodes:
            for target, label in zip(
                self.result.edges[node], self.result.labels[node], strict=True
            ):
                if target in nodes:
                    yield node, target, label

    def _fair_components(self, nodes: list[int]) -> list[frozenset[int]]:
        out = []
        work = [c for c in _sccs(nodes, self.result.edges) if self._cyclic(c)]
        while work:
            component = work.pop()
            taken = frozenset().union(*(label for _, _, label in self._inside(component)))
            if self.fairness == "none":
                out.append(component)
            elif self.fairness == "weak":
                always = frozenset.intersection(*(self.enabled[n] for n in component))
                if always - taken - self.unfair == frozenset():
                    out.append(component)
            else:
                missing = frozenset().union(*(self.enabled[n] for n in component))
                missing = missing - taken - self.unfair
                if not missing:
                    out.append(component)
                    continue
                keep = [n for n in component if not (self.enabled[n] & missing)]
                work += [c for c in _sccs(keep, self.result.edges) if self._cyclic(c)]
        return out

    def _cyclic(self, component: frozenset[int]) -> bool:
        return len(component) > 1 or any(True for _ in self._inside(component))

    def _backward(self, ends: set[int], region: list[bool]) -> set[int]:
        parents: dict[int, list[int]] = {}
        for node in range(self.result.size):
            if region[node]:
                for target in self.result.edges[node]:
                    parents.setdefault(target, []).append(node)
        seen, work = set(ends), list(ends)
        while work:
            for parent in parents.get(work.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    work.append(parent)
        return seen

    def _path(
        self, start: int, goal: Callable[[int], bool], allowed: Callable[[int], bool] | list[bool]
    ) -> list[tuple[int, frozenset[Label]]]:
        """Shortest walk from ``start`` to a ``goal`` node: (node reached, edge label) pairs."""
        ok = allowed.__getitem__ if isinstance(allowed, list) else allowed
        if goal(start):
            return []
        back: dict[int, tuple[int, frozenset[Label]]] = {start: (-1, frozenset())}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for target, label in zip(
                self.result.edges[node], self.result.labels[node], strict=True
            ):
                if target in back or not ok(target):
                    continue
                back[target] = (node, label)
                if goal(target):
                    walk = []
                    while target != start:
                        parent, lab = back[target]
                        walk.append((target, lab))
                        target = parent
                    return walk[::-1]
                queue.append(target)
        raise AssertionError("no path inside a strongly connected set")  # pragma: no cover

    def _loop(
        self, entry: int, component: frozenset[int]
    ) -> list[tuple[int, int, frozenset[Label]]]:
        """A cycle from ``entry`` through every configuration and every fair transition of
        ``component`` taken inside it: fair under each fairness notion."""
        inside = list(self._inside(component))
        wanted = frozenset().union(*(label for _, _, label in inside)) - self.unfair
        unvisited = set(component) - {entry}
        edges: list[tuple[int, int, frozenset[Label]]] = []
        here = entry
        member = component.__contains__

        def walk_to(goal: Callable[[int], bool]) -> None:
            nonlocal here
            for node, label in self._path(here, goal, member):
                edges.append((here, node, label))
                unvisited.discard(node)
                here = node

        for want in sorted(wanted):
            if any(want in label for _, _, label in edges):
                continue
            source, target, label = next(e for e in sorted(inside) if want in e[2])
            walk_to(_equals(source))
            edges.append((here, target, label))
            unvisited.discard(target)
            here = target
        while unvisited:
            walk_to(lambda n: n in unvisited)
        if not edges or here != entry:
            if here == entry:  # a self-loop is the whole cycle
                source, target, label = next(e for e in sorted(inside) if e[0] == entry)
                edges.append((source, target, label))
            else:
                walk_to(lambda n: n == entry)
        return edges

    def _steps(
        self,
        first: int,
        edges: Sequence[tuple[int, int, frozenset[Label] | None]],
        initial: bool,
    ) -> list[TraceStep]:
        out = [initial_step(self.explorer, self.explorer.decode(first))] if initial else []
        for source, target, label in edges:
            out.append(trace_step(self.explorer, self._step(source, target, label)))
        return out

    def _step(self, source: int, target: int, label: frozenset[Label] | None) -> Step:
        from archctl.check.system.explore import label as label_of

        wanted = self.result.keys[target]
        for outcome in self.explorer.stepper.steps(self.explorer.decode(source)):
            if not isinstance(outcome, Step) or self.explorer.key(outcome.after) != wanted:
                continue
            if label is None or label_of(outcome) == label:
                return outcome
        raise AssertionError("lasso step lost")  # pragma: no cover


def _equals(goal: int) -> Callable[[int], bool]:
    return lambda node: node == goal


def _sccs(nodes: list[int], edges: list[list[int]]) -> list[frozenset[int]]:
    """Strongly connected components of the subgraph on ``nodes``, in a stable order."""
    import networkx as nx

    allowed = set(nodes)
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((n, t) for n in nodes for t in edges[n] if t in allowed)
    found = [frozenset(c) for c in nx.strongly_connected_components(graph)]
    return sorted(found, key=min)
