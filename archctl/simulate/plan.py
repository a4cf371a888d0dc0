"""Which workflows the cohort engine may run, and the order in which it visits their nodes.

The cohort engine (``cohort.py``) advances thousands of instances together by visiting each
node once, in topological order, with every token that will ever reach it. That gives the
scalar engine's results only when the order in which one instance's events happen cannot
matter beyond what the engine checks per instance. This module decides it once per program:

- no inclusive gateways, no subprocesses, one start node, no cycle (flows and ``on_error``
  links): every node is then reached by tokens of finished predecessors only;
- no variable is touched by two nodes that can run in either order: for each variable, of
  any two nodes that write it, or one writes and the other reads it, one must always have
  completed before the other is reached ("before" sets: a node's token comes after every
  node on all paths to it; a parallel join's after every node on *any* path to it, since it
  waits for all its flows);
- the instance can never take more steps than ``--max-steps`` (an upper bound on token moves);
- every int ``any`` has a range a float can count exactly.

Everything else (ties between branches, a failure while other tokens run, two tokens at one
node) is checked per instance by the cohort engine, which hands such instances to the scalar
engine.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import combinations

from archctl.model.types import TypeKind
from archctl.simulate.values import int_range
from archctl.simulate.workflow import AND, OR, START, Program

#: beyond this many accessor pairs of one variable the check is not worth it: scalar engine
_MAX_PAIRS = 200_000


@dataclass(frozen=True)
class CohortPlan:
    """What the cohort engine needs beyond the program: node order, tracked variables."""

    order: tuple[int, ...]
    start: int
    #: most token moves an instance can make (each node arrival is one step)
    steps: int
    #: variables some condition or ``sets`` expression reads: the only ones worth keeping
    tracked: frozenset[str]
    #: per node: the nodes with a flow or ``on_error`` link into it
    preds: tuple[tuple[int, ...], ...]


def cohort_plan(program: Program) -> CohortPlan | None:
    """The plan for ``program``, or None when only the scalar engine can run it (cached)."""
    if program.plan is None:
        program.plan = _make(program) or False
    return program.plan or None


def _make(program: Program) -> CohortPlan | None:
    size = len(program.ids)
    starts = [n for n, kind in enumerate(program.kinds) if kind == START]
    if (
        len(starts) != 1
        or OR in program.kinds
        or any(child is not None for child in program.sub)
        or not _countable(program)
    ):
        return None
    preds: list[list[int]] = [[] for _ in range(size)]
    for node in range(size):
        for target, _flow in program.out[node]:
            preds[target].append(node)
        if program.on_error[node] >= 0:
            preds[program.on_error[node]].append(node)
    order = _topological(program, preds)
    if order is None:
        return None
    before = _before(program, order, preds)
    if not _ordered_accesses(program, before):
        return None
    arrivals = [0] * size
    arrivals[starts[0]] = 1
    for node in order:
        if node != starts[0]:
            arrivals[node] = sum(arrivals[p] for p in preds[node])
    tracked = frozenset().union(*program.reads, *(r for rs in program.sets_reads for r in rs))
    return CohortPlan(
        tuple(order), starts[0], sum(arrivals), tracked, tuple(tuple(p) for p in preds)
    )


def _countable(program: Program) -> bool:
    """Every int variable a draw can set has a range whose size a float holds exactly."""
    for var_type in program.types.values():
        if var_type.kind is TypeKind.INT:
            first, last = int_range(var_type)
            if last - first + 1 > 2**53 or max(abs(first), abs(last)) > 2**62:
                return False
    return True


def _topological(program: Program, preds: list[list[int]]) -> list[int] | None:
    """Nodes in topological order (lowest index first among ready ones); None on a cycle."""
    waiting = [len(p) for p in preds]
    ready = deque(n for n in range(len(preds)) if not waiting[n])
    order: list[int] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        targets = [t for t, _f in program.out[node]]
        if program.on_error[node] >= 0:
            targets.append(program.on_error[node])
        for target in targets:
            waiting[target] -= 1
            if not waiting[target]:
                ready.append(target)
    return order if len(order) == len(preds) else None


def _before(program: Program, order: list[int], preds: list[list[int]]) -> list[int]:
    """Per node, a bit set of the nodes that have always completed when a token reaches it."""
    before = [0] * len(order)
    for node in order:
        sets = [before[p] | (1 << p) for p in preds[node]]
        if not sets:
            continue
        joined = sets[0]
        is_join = program.kinds[node] == AND and len(program.incoming[node]) > 1
        for other in sets[1:]:
            joined = joined | other if is_join else joined & other
        before[node] = joined
    return before


def _ordered_accesses(program: Program, before: list[int]) -> bool:
    """No variable is written by one node and read or written by another unordered one."""
    variables = set().union(*program.writes)
    for name in sorted(variables):
        writers = [n for n, w in enumerate(program.writes) if name in w]
        readers = [
            n
            for n in range(len(program.ids))
            if name in program.reads[n] or any(name in r for r in program.sets_reads[n])
        ]
        touching = sorted({*writers, *readers})
        if len(touching) * len(touching) > 2 * _MAX_PAIRS:
            return False
        written = set(writers)
        for a, b in combinations(touching, 2):
            if (a in written or b in written) and not (
                (before[b] >> a) & 1 or (before[a] >> b) & 1
            ):
                return False
    return True
