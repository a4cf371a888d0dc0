"""The discrete-event loop: one workflow instance on a heap of (time, seq, ...) tuples.

The virtual clock jumps from event to event; nothing sleeps. A token moves through gateways
at the current time without touching the heap, so the heap only holds what waits for time to
pass (tasks in progress). An instance ends when no token is left, when a task fails for good
without ``on_error`` (failed), when tokens can no longer move (stuck), or when it runs past
``until`` or the step limit (cut). It never hangs: every loop iteration counts a step.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import Any

from archctl.simulate.counters import NodeCounters
from archctl.simulate.gateways import (
    ARRIVE,
    LOG,
    Entry,
    Record,
    alive,
    exclusive,
    fire_inclusive,
    inclusive,
)
from archctl.simulate.keyed import CHILD, GAMMA, MASK, ROUTE, SETS, TIMING, Stream, mix64, stream
from archctl.simulate.timing import Attempt, Timing, run_task
from archctl.simulate.values import apply
from archctl.simulate.workflow import AND, END, OR, TASK, XOR, Program

FAILED, STUCK, CUT = -1, -2, -3
DONE_OK, DONE_ERR = 1, 2  # ARRIVE = 0 and LOG = 3 live in gateways
DEFAULT_MAX_STEPS = 100_000
#: Outcome names of instances that did not end at an end node (node ids have no parentheses).
OUTCOME_LABEL = {FAILED: "(failed)", STUCK: "(stuck)", CUT: "(cut)"}


def run_instance(
    program: Program,
    key: int,
    counters: dict[str, NodeCounters],
    until: float = math.inf,
    max_steps: int = DEFAULT_MAX_STEPS,
    records: list[Record] | None = None,
    start: float = 0.0,
) -> tuple[int, float]:
    """Run one instance with key ``key`` (``keyed.instance_key``); return (outcome, time).

    Outcome: end node index, FAILED, STUCK, CUT. Time spent in each task is summed over
    this run first and then added to the counters, so the per-node totals are sums of
    per-run sums in run order: what the cohort engine computes too (``cohort.py``).
    """
    spent = [0.0] * len(program.ids)
    try:
        return _run(program, key, counters, until, max_steps, records, start, spent)
    finally:
        busy = counters[program.name].busy
        for node, took in enumerate(spent):
            if took:
                busy[node] += took


def _run(
    program: Program,
    key: int,
    counters: dict[str, NodeCounters],
    until: float,
    max_steps: int,
    records: list[Record] | None,
    start: float,
    busy: list[float],
) -> tuple[int, float]:
    """The event loop of :func:`run_instance`.

    The heap holds :data:`Entry` tuples ``(time, seq, node, flow, event)``: a token arriving
    at ``node`` over ``flow`` (ARRIVE), a task finishing (DONE_OK / DONE_ERR), or, when
    ``records`` is given, an event to record at its time (LOG, ``flow`` holds the record).
    Popped tokens then move through untimed nodes (gateways, instant tasks) in the inner
    loop without touching the heap. The program's tables are bound to locals once: this loop
    is the simulator's hot path (bench/bench_engine.py).
    """
    env = dict(program.initial)
    size = len(program.ids)
    if program.drawn:
        first = stream(key, size, 0, SETS, size)
        for name, draw in program.drawn:
            env[name] = draw(first)
    mine = counters[program.name]
    visits, tries = mine.visits, mine.tries
    seen = [0] * size  # visits of each node in this run: the visit number of a draw's key

    def join_draws(join: int) -> Stream:
        """The draws of an inclusive join that fires (keyed by the arrivals it had)."""
        return stream(key, join, seen[join], ROUTE, size)

    kinds, successors, incoming = program.kinds, program.out, program.incoming
    timings, assignments, ids, choices = program.timing, program.sets, program.ids, program.choices
    heap: list[Entry] = (
        list(program.start_entries)
        if start == 0.0
        else [(start, order, node, -1, ARRIVE) for order, node in enumerate(program.starts)]
    )
    seq = len(heap)
    held: dict[int, int] = {}  # join node -> tokens waiting there
    arrived: dict[int, int] = {}  # flow -> tokens that arrived over it at a waiting join
    or_wait: set[int] = set()  # inclusive joins holding tokens
    last_end = -1
    steps = 0
    now = start
    if records is not None:
        records.append((start, "start", program.name, 0, "", dict(env), len(heap)))
    while True:
        if not heap:
            if or_wait:
                seq, stuck = fire_inclusive(
                    program, env, join_draws, heap, seq, now, held, arrived, or_wait, records
                )
                if stuck >= 0:
                    return _finish(program, STUCK, now, records, heap, held, ids[stuck])
                if heap:
                    continue
            break
        now, _, node, flow, event = heappop(heap)
        if now > until:
            return _finish(program, CUT, until, records, heap, held)
        if event == ARRIVE:
            moves: tuple[tuple[int, int], ...] = ((node, flow),)
        elif event == DONE_OK:
            if assignments[node]:
                apply(assignments[node], env, stream(key, node, flow, SETS, size))
            if records is not None:
                changes = {a[0]: env[a[0]] for a in assignments[node]}
                tokens = alive(heap, held) + 1
                records.append((now, "complete", ids[node], 0, "ok", changes, tokens))
            moves = successors[node]
            if not moves:
                return _finish(program, STUCK, now, records, heap, held, ids[node])
        elif event == DONE_ERR:
            handler = program.on_error[node]
            if handler < 0:
                return _finish(program, FAILED, now, records, heap, held, ids[node])
            if records is not None:
                tokens = alive(heap, held) + 1
                records.append((now, "error", ids[node], 0, "exhausted", ids[handler], tokens))
            moves = ((handler, program.error_flow[node]),)
        else:  # LOG: a recorded event whose time has come
            assert records is not None
            records.append((now, *flow, alive(heap, held)))
            continue
        while moves:
            if len(moves) > 1:  # a split: the other tokens wait their turn
                for target, over in moves[1:]:
                    heappush(heap, (now, seq, target, over, ARRIVE))
                    seq += 1
            node, flow = moves[0]
            steps += 1
            if steps > max_steps:
                return _finish(program, CUT, now, records, heap, held)
            visits[node] += 1
            visit = seen[node]
            seen[node] = visit + 1
            kind = kinds[node]
            if kind == TASK:
                timing = timings[node]
                assert timing is not None
                child = program.sub[node]
                log: list[Attempt] | None = [] if records is not None else None
                if child is not None:
                    inner: list[Record] | None = [] if records is not None else None
                    done = _run_subprocess(
                        child, timing, (key, node, visit, size), counters, now, until,
                        max_steps, tries[node], log, inner,
                    )  # fmt: skip
                    if done is None:
                        return _finish(program, CUT, now, records, heap, held)
                    end, ok = done
                    if inner:
                        seq = _queue_child_records(heap, seq, node, ids[node], inner)
                elif timing.sample is None and not timing.failure_rate:
                    # no timing: done at once, inline, whether or not events are recorded (the
                    # order of draws must not depend on recording)
                    tries[node][0] += 1
                    if assignments[node]:
                        apply(assignments[node], env, stream(key, node, visit, SETS, size))
                    if records is not None:
                        _record_instant(records, now, ids[node], assignments[node], env, heap, held)
                    moves = successors[node]
                    if not moves:
                        return _finish(program, STUCK, now, records, heap, held, ids[node])
                    continue
                else:
                    draws = stream(key, node, visit, TIMING, size)
                    end, ok = run_task(timing, draws, now, tries[node], log)
                busy[node] += end - now
                if log is not None:
                    for at, attempt, outcome, took in log:
                        entry = ("attempt", ids[node], attempt, outcome, took)
                        heappush(heap, (at, seq, node, entry, LOG))
                        seq += 1
                elif ok and not assignments[node] and len(successors[node]) == 1:
                    # the common case, unrecorded: jump the token straight to its next node
                    target, over = successors[node][0]
                    heappush(heap, (end, seq, target, over, ARRIVE))
                    seq += 1
                    break
                # the visit rides in the flow slot: the key of the draws of its `sets`
                heappush(heap, (end, seq, node, visit, DONE_OK if ok else DONE_ERR))
                seq += 1
                break
            if kind == XOR:
                choice = choices[node]
                if choice is None:
                    moves = exclusive(  # a free choice
                        program, node, env, stream(key, node, visit, ROUTE, size)
                    )
                else:
                    routes, default = choice
                    for condition, taken in routes:
                        if condition(env):
                            moves = taken
                            break
                    else:
                        moves = default
            elif kind == END:
                last_end = node
                if records is not None:
                    records.append((now, "end", ids[node], 0, "", None, alive(heap, held)))
                break
            elif len(incoming[node]) > 1 and flow >= 0:  # a parallel or inclusive join
                if not _join(node, flow, kind, incoming[node], arrived, held, or_wait):
                    if records is not None:
                        records.append((now, "wait", ids[node], 0, "", None, alive(heap, held)))
                    break
                moves = successors[node]
                if records is not None:
                    tokens = alive(heap, held) + 1
                    records.append((now, "join", ids[node], 0, "", None, tokens))
            elif kind == OR:
                moves = inclusive(program, node, env, stream(key, node, visit, ROUTE, size))
            else:
                moves = successors[node]
            if not moves:
                return _finish(program, STUCK, now, records, heap, held, ids[node])
            if records is not None and len(successors[node]) > 1:
                routed = [ids[target] for target, _ in moves]
                tokens = alive(heap, held) + len(moves)
                records.append((now, "route", ids[node], 0, "", routed, tokens))
        if or_wait:
            seq, stuck = fire_inclusive(
                program, env, join_draws, heap, seq, now, held, arrived, or_wait, records
            )
            if stuck >= 0:
                return _finish(program, STUCK, now, records, heap, held, ids[stuck])
    if last_end < 0 or (held and any(held.values())):
        return _finish(program, STUCK, now, records, heap, held)
    if records is None:
        return last_end, now
    return _finish(program, last_end, now, records, heap, held)


def _join(
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


def _record_instant(
    records: list[Record],
    now: float,
    node_id: str,
    assignments: tuple[Any, ...],
    env: dict[str, Any],
    heap: list[Entry],
    held: dict[int, int],
) -> None:
    """The attempt and completion records of a task that takes no time."""
    tokens = alive(heap, held) + 1
    records.append((now, "attempt", node_id, 1, "ok", 0.0, tokens))
    changes = {a[0]: env[a[0]] for a in assignments}
    records.append((now, "complete", node_id, 0, "ok", changes, tokens))


def _queue_child_records(
    heap: list[Entry], seq: int, node: int, task_id: str, inner: list[Record]
) -> int:
    """Queue a subprocess's records as LOG entries under ``task/node`` ids; the next seq."""
    for at, event, child_node, attempt, outcome, data, _tokens in inner:
        heappush(
            heap, (at, seq, node, (event, f"{task_id}/{child_node}", attempt, outcome, data), LOG)
        )
        seq += 1
    return seq


def _finish(
    program: Program,
    outcome: int,
    now: float,
    records: list[Record] | None,
    heap: list[Entry],
    held: dict[int, int],
    where: str | None = None,
) -> tuple[int, float]:
    if records is not None:
        if outcome >= 0:
            label, data = program.ids[outcome], None
        else:
            label = OUTCOME_LABEL[outcome]
            waiting = sorted(program.ids[node] for node, count in held.items() if count > 0)
            data = sorted({*waiting, where}) if where is not None else waiting
        records.append((now, "finish", program.name, 0, label, data, alive(heap, held)))
    return outcome, now


def _run_subprocess(
    child: Program,
    timing: Timing,
    at: tuple[int, int, int, int],
    counters: dict[str, NodeCounters],
    start: float,
    until: float,
    max_steps: int,
    counts: list[int],
    log: list[Attempt] | None,
    inner: list[Record] | None,
) -> tuple[float, bool] | None:
    """Attempts of a subprocess task: each runs the called workflow to its end. An attempt
    fails when the child fails, gets stuck or ends at a `result: failure` end, or times out
    at the deadline. None when the child was cut (the parent is cut too).

    ``at`` is (instance key, task node, visit, program size): attempt n runs a child with
    key ``mix64(CHILD stream + n * GAMMA)``; the `failure_rate` on top draws from the task's
    TIMING stream, one draw per attempt."""
    key, node, visit, size = at
    children = stream(key, node, visit, CHILD, size).key
    draws = stream(key, node, visit, TIMING, size)
    now = start
    attempt = 0
    while True:
        attempt += 1
        counts[0] += 1
        child_key = mix64((children + attempt * GAMMA) & MASK)
        outcome, finished = run_instance(child, child_key, counters, until, max_steps, inner, now)
        if outcome == CUT:
            return None
        took = finished - now
        ok = outcome >= 0 and not child.failure_end[outcome]
        failing = bool(timing.failure_rate) and draws.random() < timing.failure_rate
        if took > timing.deadline:
            took, ok, label = timing.deadline, False, "timeout"
            counts[2] += 1
        elif ok and failing:
            ok, label = False, "failed"
        else:
            label = "ok" if ok else "failed"
        if not ok and label == "failed":
            counts[1] += 1
        if log is not None:
            log.append((now, attempt, label, took))
        now += took
        if ok:
            return now, True
        if attempt > len(timing.delays):
            return now, False
        now += timing.delays[attempt - 1]
