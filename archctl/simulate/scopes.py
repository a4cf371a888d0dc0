"""Terminate ends and subprocess scopes in the scalar engine (importer-only nodes).

BPMN importers flatten a subprocess into the workflow and mark two kinds of nodes
(``Node.terminate``, ``Node.scope``; docs/workflows.md), whose rules the checker applies
(``check/workflow/fire.py``) and the engine must apply too, or it simulates runs the
checker never allows:

- a *terminate* takes every token of the instance (a terminate end: the instance completes
  there) or, with a scope, every token inside it, and then goes on along its own flows;
- a *completion join* fires only when no token is left inside its subprocess, taking every
  token on its inputs, so the subprocess completes once however many inner tokens ended.

A token is *at* a node while it travels to it, waits there, or runs it (a task in progress
is still on its incoming flow in the checker's terms): in a program with scopes the engine
queues every token at the node it is at (``Program.direct`` is off), so the heap and the
tokens held at joins say where each one is.
"""

from __future__ import annotations

from collections.abc import Iterable
from heapq import heapify, heappush
from typing import Any

from archctl.simulate.gateways import ARRIVE, LOG, Entry, Firing, Record, alive
from archctl.simulate.workflow import Program

#: where an instance's tokens are: the heap, tokens held per join, tokens arrived per flow
#: at waiting joins, and the (inclusive, completion) joins holding tokens
Tokens = tuple[list[Entry], dict[int, int], dict[int, int], tuple[set[int], ...]]


def occupied(heap: list[Entry], held: dict[int, int], nodes: frozenset[int], but: int) -> bool:
    """Whether a token is at one of ``nodes`` (other than ``but``)."""
    if any(e[4] != LOG and e[2] in nodes and e[2] != but for e in heap):
        return True
    return any(count > 0 and node in nodes and node != but for node, count in held.items())


def take(
    program: Program,
    nodes: frozenset[int] | None,
    heap: list[Entry],
    held: dict[int, int],
    arrived: dict[int, int],
    waiting: Iterable[set[int]],
    now: float,
) -> tuple[list[Entry], list[int]]:
    """Remove every token at ``nodes`` (None: all); return the heap entries removed and the
    flows of the tokens taken from joins. Recorded attempts of a task whose token is taken
    are dropped from the point it was taken on (they never happen)."""
    inside = (lambda node: True) if nodes is None else nodes.__contains__
    kept: list[Entry] = []
    gone: list[Entry] = []
    for entry in heap:
        if not inside(entry[2]):
            kept.append(entry)
        elif entry[4] != LOG:
            gone.append(entry)
        elif entry[0] <= now:
            kept.append(entry)
    heap[:] = kept
    heapify(heap)
    flows: list[int] = []
    for node in sorted(held):
        if held[node] > 0 and inside(node):
            for flow in program.incoming[node]:
                flows.extend([flow] * arrived.pop(flow, 0))
            held[node] = 0
            for joins in waiting:
                joins.discard(node)
    return gone, flows


def consumed_flows(gone: list[Entry], flows: list[int], through: dict[int, int]) -> list[int]:
    """The flows of taken tokens: a task's token is on the flow it arrived over."""
    out = [e[3] if e[4] == ARRIVE else through.pop(e[1]) for e in gone if e[3] >= 0]
    return out + flows


def complete(
    program: Program,
    join: int,
    heap: list[Entry],
    held: dict[int, int],
    arrived: dict[int, int],
    visits: list[int],
) -> list[int]:
    """Fire a completion join: take every token on its inputs (also those on their way
    there at this time); return their flows."""
    flows = [flow for flow in program.incoming[join] for _ in range(arrived.pop(flow, 0))]
    coming = [e for e in heap if e[4] == ARRIVE and e[2] == join]
    if coming:
        heap[:] = [e for e in heap if not (e[4] == ARRIVE and e[2] == join)]
        heapify(heap)
        flows.extend(e[3] for e in coming)
        visits[join] += len(coming)
    held[join] = 0
    return flows


def fire_completions(
    program: Program,
    env: dict[str, Any],
    heap: list[Entry],
    seq: int,
    now: float,
    held: dict[int, int],
    arrived: dict[int, int],
    scope_wait: set[int],
    visits: list[int],
    records: list[Record] | None,
    fired: list[Firing] | None,
) -> tuple[int, int]:
    """Fire every waiting completion join whose subprocess has no token left. Returns (next
    sequence number, a join without outgoing flow that fired, where the token is stuck, or
    -1), as ``gateways.fire_inclusive`` does."""
    for join in sorted(scope_wait):
        if occupied(heap, held, program.scope[join], join):
            continue
        scope_wait.discard(join)
        flows = complete(program, join, heap, held, arrived, visits)
        outs = program.out[join]
        if not outs:
            return seq, join
        for target, flow in outs:
            heappush(heap, (now, seq, target, flow, ARRIVE))
            seq += 1
        if records is not None:
            records.append((now, "join", program.ids[join], 0, "", None, alive(heap, held)))
            if fired is not None:
                fired.append((join, tuple(flows), tuple(f for _t, f in outs), dict(env)))
    return seq, -1


def terminate(
    program: Program,
    node: int,
    flow: int,
    produced: tuple[int, ...],
    now: float,
    tokens: Tokens,
    records: list[Record] | None,
    fired: list[Firing] | None,
    through: dict[int, int],
    env: dict[str, Any],
) -> None:
    """A terminate fires (its own token came over ``flow``): take the tokens of its scope;
    record what it took (``terminate``, the nodes whose tokens it took) and the firing."""
    heap, held, arrived, waits = tokens
    gone, flows = take(program, program.kill[node], heap, held, arrived, waits, now)
    if records is None:
        return
    where = sorted(
        [program.ids[e[2]] for e in gone] + [program.ids[program.flow_target[f]] for f in flows]
    )
    count = alive(heap, held) + len(produced)
    records.append((now, "terminate", program.ids[node], 0, "", where, count))
    if fired is not None:
        taken = (flow, *consumed_flows(gone, flows, through))
        fired.append((node, taken, produced, dict(env)))


def arrive(
    program: Program,
    join: int,
    flow: int,
    tokens: Tokens,
    visits: list[int],
) -> list[int] | None:
    """A token reaches a completion join: the flows it takes when it fires now (its scope is
    empty), or None when the token waits there (``fire_completions`` looks again later)."""
    heap, held, arrived, (_or_wait, scope_wait) = tokens
    arrived[flow] = arrived.get(flow, 0) + 1
    held[join] = held.get(join, 0) + 1
    if occupied(heap, held, program.scope[join], join):
        scope_wait.add(join)
        return None
    return complete(program, join, heap, held, arrived, visits)
