"""Differential test: the fair-lasso search against a brute-force oracle on tiny graphs.

The oracle shares no code with the search. It enumerates every subset of edges: a subset is
the set of edges an infinite run takes infinitely often exactly when it is non-empty and
strongly connected; the run is fair when every transition that fairness requires on the
subset's configurations is among its labels. A finite run may instead stop where the search
says it may. Both must agree on whether a violating run exists, and every lasso the search
returns is replayed and checked as the concrete fair run it claims to be.
"""

from __future__ import annotations

import itertools
import random
import time

import pytest

from archctl.check.statemachine.lasso import Graph, Lasso, find_lasso

FAIRNESS = ("none", "weak", "strong")


def random_graph(rng: random.Random) -> tuple[Graph, list[bool], list[bool] | None]:
    count = rng.randint(1, 5)
    labels_n = rng.randint(1, 3)
    successors: list[list[int]] = [[] for _ in range(count)]
    labels: list[list[int]] = [[] for _ in range(count)]
    for config in range(count):
        for _ in range(rng.randint(0, 3)):
            pair = (rng.randrange(labels_n), rng.randrange(count))
            if pair not in zip(labels[config], successors[config], strict=True):
                labels[config].append(pair[0])
                successors[config].append(pair[1])
    fair = [rng.random() < 0.8 for _ in range(labels_n)]
    final = [rng.random() < 0.2 for _ in range(count)]
    avoid = [rng.random() < 0.3 for _ in range(count)]
    trigger = [rng.random() < 0.5 for _ in range(count)] if rng.random() < 0.5 else None
    return Graph(successors, labels, fair, final), avoid, trigger


def _edges(graph: Graph) -> list[tuple[int, int, int]]:
    return [
        (config, label, target)
        for config in range(len(graph.successors))
        for label, target in zip(graph.labels[config], graph.successors[config], strict=True)
    ]


def _reach(graph: Graph, sources: set[int], allowed: list[bool]) -> set[int]:
    seen = set(sources)
    todo = list(sources)
    while todo:
        config = todo.pop()
        for target in graph.successors[config]:
            if allowed[target] and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _fair_edge_set(graph: Graph, subset: tuple[tuple[int, int, int], ...], fairness: str) -> bool:
    nodes = {c for c, _, _ in subset} | {t for _, _, t in subset}
    for a in nodes:  # strongly connected through the subset's own edges
        seen = {a}
        todo = [a]
        while todo:
            x = todo.pop()
            for c, _, t in subset:
                if c == x and t not in seen:
                    seen.add(t)
                    todo.append(t)
        if seen != nodes:
            return False
    taken = {label for _, label, _ in subset}
    enabled = [{t for t in graph.labels[c] if graph.fair[t]} for c in sorted(nodes)]
    if fairness == "weak":
        required = set.intersection(*enabled)
    elif fairness == "strong":
        required = set.union(*enabled)
    else:
        required = set()
    return required <= taken


def oracle(graph: Graph, fairness: str, avoid: list[bool], trigger: list[bool] | None) -> bool:
    inside = [not a for a in avoid]
    everywhere = [True] * len(inside)
    if trigger is None:
        entries = {0} if inside[0] else set()
    else:
        entries = {c for c in _reach(graph, {0}, everywhere) if trigger[c] and inside[c]}
    region = _reach(graph, entries, inside)
    if any(graph.may_stop(c) for c in region):
        return True
    edges = [e for e in _edges(graph) if e[0] in region and e[2] in region]
    for size in range(1, len(edges) + 1):
        for subset in itertools.combinations(edges, size):
            if _fair_edge_set(graph, subset, fairness):
                return True
    return False


def replay(
    graph: Graph, fairness: str, avoid: list[bool], trigger: list[bool] | None, lasso: Lasso
) -> None:
    """The lasso is a real run from the start, avoiding the goal after the trigger, and fair."""
    steps = [*lasso.prefix, *lasso.loop]
    assert steps[0] == (-1, 0)
    for (_, before), (label, after) in itertools.pairwise(steps):
        assert (label, after) in zip(graph.labels[before], graph.successors[before], strict=True)
    configs = [config for _, config in steps]
    if trigger is None:
        assert not any(avoid[c] for c in configs)
    else:
        assert any(
            trigger[c] and not any(avoid[d] for d in configs[i:]) for i, c in enumerate(configs)
        )
    entry = lasso.prefix[-1][1]
    if not lasso.loop:
        assert graph.may_stop(entry)
        return
    assert lasso.loop[-1][1] == entry
    subset = tuple(
        (before, label, after)
        for (_, before), (label, after) in itertools.pairwise([(-1, entry), *lasso.loop])
    )
    assert _fair_edge_set(graph, tuple(dict.fromkeys(subset)), fairness)


@pytest.mark.parametrize("fairness", FAIRNESS)
def test_lasso_search_agrees_with_brute_force(fairness: str) -> None:
    rng = random.Random(f"lasso-{fairness}")
    stop = time.monotonic() + 1.0
    checked = 0
    violations = 0
    while time.monotonic() < stop or checked < 300:
        graph, avoid, trigger = random_graph(rng)
        lasso = find_lasso(graph, fairness, [0], avoid, trigger)
        expected = oracle(graph, fairness, avoid, trigger)
        assert (lasso is not None) == expected, (graph, avoid, trigger)
        if lasso is not None:
            violations += 1
            replay(graph, fairness, avoid, trigger, lasso)
        checked += 1
        if checked >= 3000:
            break
    assert 0 < violations < checked  # both outcomes were exercised
