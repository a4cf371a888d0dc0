"""Strongly connected components: shared by the workflow token game and state machine liveness.

Both search graphs of up to millions of numbered vertices, so the algorithm is iterative
(no recursion limit) and works on plain successor lists.
"""

from __future__ import annotations


def components(successors: list[list[int]]) -> list[list[int]]:
    """Strongly connected components, in reverse topological order (sinks first).

    Tarjan's algorithm, iterative so that deep graphs do not hit the recursion limit.
    """
    count = len(successors)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(count):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            vertex, child = work.pop()
            if child == 0:
                index[vertex] = low[vertex] = counter
                counter += 1
                stack.append(vertex)
                on_stack[vertex] = True
            recurse = False
            edges = successors[vertex]
            while child < len(edges):
                nxt = edges[child]
                child += 1
                if index[nxt] == -1:
                    work.append((vertex, child))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if on_stack[nxt]:
                    low[vertex] = min(low[vertex], index[nxt])
            if recurse:
                continue
            if low[vertex] == index[vertex]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == vertex:
                        break
                out.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
    return out


def reaching(successors: list[list[int]], targets: list[int]) -> set[int]:
    """The vertices from which some vertex of ``targets`` is reachable (targets included):
    the backward search of "can still complete" in the token games of workflows and nets."""
    preds: list[list[int]] = [[] for _ in successors]
    for vertex, targets_of in enumerate(successors):
        for target in targets_of:
            preds[target].append(vertex)
    reached = set(targets)
    todo = list(targets)
    while todo:
        for before in preds[todo.pop()]:
            if before not in reached:
                reached.add(before)
                todo.append(before)
    return reached
