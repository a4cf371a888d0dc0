"""Gateway routing: which outgoing flows a token takes, and when an inclusive join fires.

An exclusive gateway takes the first flow whose ``when`` holds, else its default; an
inclusive one every flow whose ``when`` holds, else the default; without any conditions the
environment chooses (seeded). An inclusive join fires once no live token can still reach one
of its empty incoming flows (the reach sets are computed once per workflow).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

from archctl.simulate.keyed import Source
from archctl.simulate.workflow import AND, OR, Program

ARRIVE, LOG = 0, 3
Entry = tuple[float, int, int, Any, int]
#: A recorded event: (time, event, node, attempt, outcome, data, tokens alive).
Record = tuple[float, str, str, int, str, Any, int]
#: A node firing as the checker's token game sees it (kept only when asked for, by tests
#: that replay simulated runs): (node, flows it took tokens from, flows it put tokens on,
#: the values after it).
Firing = tuple[int, tuple[int, ...], tuple[int, ...], dict[str, Any]]


def alive(heap: list[Entry], held: dict[int, int]) -> int:
    """Tokens alive: those in progress on the heap plus those waiting at joins."""
    return sum(1 for entry in heap if entry[4] != LOG) + sum(held.values())


def exclusive(p: Program, n: int, env: dict[str, Any], rng: Source) -> tuple[tuple[int, int], ...]:
    """The one flow an exclusive gateway takes: first `when` that holds, else the default."""
    if p.free[n]:
        options = p.out[n]
        return (options[int(rng.random() * len(options))],) if options else ()
    for condition, target, flow in p.routes[n]:
        if condition is not None and condition(env):
            return ((target, flow),)
    default = p.defaults[n]
    return (default,) if default is not None else ()


def inclusive(p: Program, n: int, env: dict[str, Any], rng: Source) -> tuple[tuple[int, int], ...]:
    """The flows an inclusive gateway takes: all whose `when` holds, else the default."""
    options = p.out[n]
    if p.free[n]:
        if len(options) < 2:
            return options
        while True:  # a non-empty subset, each flow with probability 1/2
            chosen = tuple(option for option in options if rng.random() < 0.5)
            if chosen:
                return chosen
    chosen = tuple((target, flow) for cond, target, flow in p.routes[n] if cond and cond(env))
    if chosen:
        return chosen
    default = p.defaults[n]
    return (default,) if default is not None else ()


def fire_inclusive(
    p: Program,
    env: dict[str, Any],
    routes: Callable[[int], Source],
    heap: list[tuple[float, int, int, Any, int]],
    seq: int,
    t: float,
    held: dict[int, int],
    arrived: dict[int, int],
    or_wait: set[int],
    rec: list[Record] | None,
    fired: list[Firing] | None = None,
) -> tuple[int, int]:
    """Fire every waiting inclusive join that no live token can still reach on an empty
    incoming flow. Returns (next sequence number, node where a token got stuck or -1)."""
    for join in sorted(or_wait):
        positions = {entry[2] for entry in heap if entry[4] != LOG}
        positions.update(node for node, count in held.items() if count > 0 and node != join)
        reach = p.or_reach[join]
        # a token already travelling on one of the join's own flows arrives at the join itself,
        # which is outside every reach set: count its flow directly
        coming = {entry[3] for entry in heap if entry[4] == ARRIVE and entry[2] == join}
        if any(
            not arrived.get(g, 0) and (g in coming or positions & reach[g])
            for g in p.incoming[join]
        ):
            continue
        taken = []
        for g in p.incoming[join]:
            if arrived.get(g, 0):
                arrived[g] -= 1
                taken.append(g)
        held[join] -= len(taken)
        if not held[join]:
            or_wait.discard(join)
        if rec is not None:
            rec.append((t, "join", p.ids[join], 0, "", None, alive(heap, held) + 1))
        chosen = inclusive(p, join, env, routes(join)) if len(p.out[join]) > 1 else p.out[join]
        if not chosen:
            return seq, join
        if fired is not None:
            fired.append((join, tuple(taken), tuple(f for _t, f in chosen), dict(env)))
        for target, flow in chosen:
            heappush(heap, (t, seq, target, flow, ARRIVE))
            seq += 1
    return seq, -1


def join_arrive(
    node: int,
    flow: int,
    kind: int,
    inputs: tuple[int, ...],
    arrived: dict[int, int],
    held: dict[int, int],
    or_wait: set[int],
) -> bool:
    """A token arrives at a join over ``flow``; True when the join fires now.

    A parallel join fires once a token has arrived over every incoming flow and consumes one
    from each; otherwise the token is held (an inclusive join is fired later, by
    ``fire_inclusive``, once no live token can still reach it).
    """
    arrived[flow] = arrived.get(flow, 0) + 1
    if kind == AND and all(arrived.get(other, 0) for other in inputs):
        for other in inputs:
            arrived[other] -= 1
        held[node] = held.get(node, 0) - len(inputs) + 1
        return True
    held[node] = held.get(node, 0) + 1
    if kind == OR:
        or_wait.add(node)
    return False
