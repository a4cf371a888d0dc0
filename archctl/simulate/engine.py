"""The discrete-event loop: one workflow instance on a heap of (time, seq, ...) tuples.

The virtual clock jumps from event to event; nothing sleeps. A token moves through gateways
at the current time without touching the heap, so the heap only holds what waits for time to
pass (tasks in progress). An instance ends when no token is left, when a task fails for good
without ``on_error`` (failed), when tokens can no longer move (stuck), or when it runs past
``until`` or the step limit (cut). It never hangs: every loop iteration counts a step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from archctl.simulate.counters import NodeCounters
from archctl.simulate.gateways import (
    ARRIVE,
    LOG,
    Entry,
    Firing,
    Record,
    alive,
    exclusive,
    fire_inclusive,
    inclusive,
    join_arrive,
)
from archctl.simulate.keyed import CHILD, GAMMA, MASK, ROUTE, SETS, TIMING, Stream, mix64, stream
from archctl.simulate.records import (
    CUT,
    FAILED,
    STUCK,
    finish,
    queue_child_records,
    record_instant,
)
from archctl.simulate.scopes import Tokens, arrive, fire_completions, terminate
from archctl.simulate.timing import Attempt, Timing, run_task
from archctl.simulate.values import apply
from archctl.simulate.workflow import AND, COMPLETE, END, OR, TASK, TERMINATE, XOR, Program

DONE_OK, DONE_ERR = 1, 2  # ARRIVE = 0 and LOG = 3 live in gateways
DEFAULT_MAX_STEPS = 100_000


def run_instance(
    program: Program,
    key: int,
    counters: dict[str, NodeCounters],
    until: float = math.inf,
    max_steps: int = DEFAULT_MAX_STEPS,
    records: list[Record] | None = None,
    start: float = 0.0,
    fired: list[Firing] | None = None,
) -> tuple[int, float]:
    """Run one instance with key ``key`` (``keyed.instance_key``); return (outcome, time).

    Outcome: end node index, FAILED, STUCK, CUT. Time spent in each task is summed over
    this run first and then added to the counters, so the per-node totals are sums of
    per-run sums in run order: what the cohort engine computes too (``cohort.py``).
    ``fired`` (only with ``records``) collects the run as the checker's token game sees it,
    one :data:`Firing` per node that fired, so tests can replay it against the checker.
    """
    assert fired is None or records is not None
    spent = [0.0] * len(program.ids)
    try:
        return _run(program, key, counters, until, max_steps, records, start, spent, fired)
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
    fired: list[Firing] | None,
) -> tuple[int, float]:
    """The event loop of :func:`run_instance`.

    The heap holds :data:`Entry` tuples ``(time, seq, node, flow, event)``: a token arriving
    at ``node`` over ``flow`` (ARRIVE), a task finishing (DONE_OK / DONE_ERR), or, when
    ``records`` is given, an event to record at its time (LOG, ``flow`` holds the record).
    Popped tokens then move through untimed nodes (gateways, instant tasks) in the inner
    loop without touching the heap. The program's tables are bound to locals once: this loop
    is the simulator's hot path (bench/bench_engine.py).

    In a program with terminates or subprocess scopes (``Program.scoped``) tokens take turns:
    each moves through one node, then queues at its next one behind the tokens already
    there at this time, so a token looping without taking time cannot starve the one that
    would terminate it (the checker's runs interleave tokens the same way).
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
    direct, kill = program.direct, program.kill
    single = 0 if program.scoped else 1  # moves a node passes on inline (the rest queue)
    popped: tuple[tuple[int, int], ...] = ()  # the arrival just taken off the heap
    moves: tuple[tuple[int, int], ...]
    through: dict[int, int] = {}  # recorded runs: DONE entry seq -> flow its token came by
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
    scope_wait: set[int] = set()  # completion joins holding tokens
    state = (heap, held, arrived, (or_wait, scope_wait))  # where tokens are, for scopes.py
    last_end = -1
    steps = 0
    now = start
    if records is not None:
        records.append((start, "start", program.name, 0, "", dict(env), len(heap)))
    while True:
        if not heap:
            if or_wait or scope_wait:
                seq, stuck = _release(
                    program, env, join_draws, state, seq, now, visits, records, fired
                )
                if stuck >= 0:
                    return finish(program, STUCK, now, records, heap, held, ids[stuck])
                if heap:
                    continue
            break
        now, order, node, flow, event = heappop(heap)
        if now > until:
            return finish(program, CUT, until, records, heap, held)
        if event == ARRIVE:
            moves = popped = ((node, flow),)
        elif event == DONE_OK:
            if assignments[node]:
                apply(assignments[node], env, stream(key, node, flow, SETS, size))
            moves = successors[node]
            if records is not None:
                changes = {a[0]: env[a[0]] for a in assignments[node]}
                tokens = alive(heap, held) + 1
                records.append((now, "complete", ids[node], 0, "ok", changes, tokens))
                if fired is not None:
                    fired.append((node, (through.pop(order),), _flows(moves), dict(env)))
            if not moves:
                return finish(program, STUCK, now, records, heap, held, ids[node])
        elif event == DONE_ERR:
            handler = program.on_error[node]
            if handler < 0:
                if fired is not None:
                    fired.append((node, (through.pop(order),), (), dict(env)))
                return finish(program, FAILED, now, records, heap, held, ids[node])
            moves = ((handler, program.error_flow[node]),)
            if records is not None:
                tokens = alive(heap, held) + 1
                records.append((now, "error", ids[node], 0, "exhausted", ids[handler], tokens))
                if fired is not None:
                    fired.append((node, (through.pop(order),), _flows(moves), dict(env)))
        else:  # LOG: a recorded event whose time has come
            assert records is not None
            records.append((now, *flow, alive(heap, held)))
            continue
        while moves:
            if len(moves) > single and (single or moves is not popped):
                # a split: the other tokens wait their turn (taking turns: all of them)
                for target, over in moves[single:]:
                    heappush(heap, (now, seq, target, over, ARRIVE))
                    seq += 1
                if not single:
                    break
            node, flow = moves[0]
            steps += 1
            if steps > max_steps:
                return finish(program, CUT, now, records, heap, held)
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
                        return finish(program, CUT, now, records, heap, held)
                    end, ok = done
                    if inner:
                        seq = queue_child_records(heap, seq, node, ids[node], inner)
                elif timing.sample is None and not timing.failure_rate:
                    # no timing: done at once, inline, whether or not events are recorded (the
                    # order of draws must not depend on recording)
                    tries[node][0] += 1
                    if assignments[node]:
                        apply(assignments[node], env, stream(key, node, visit, SETS, size))
                    moves = successors[node]
                    if records is not None:
                        record_instant(records, now, ids[node], assignments[node], env, heap, held)
                        if fired is not None:
                            fired.append((node, (flow,), _flows(moves), dict(env)))
                    if not moves:
                        return finish(program, STUCK, now, records, heap, held, ids[node])
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
                    through[seq] = flow
                elif ok and direct[node]:
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
                if kill and node in kill:  # a terminate end: the instance completes here
                    terminate(program, node, flow, (), now, state, records, fired, through, env)
                elif fired is not None:
                    fired.append((node, (flow,), (), dict(env)))
                if records is not None:
                    records.append((now, "end", ids[node], 0, "", None, alive(heap, held)))
                break
            elif kind == TERMINATE:
                moves = successors[node] if kill[node] is not None else ()
                terminate(
                    program, node, flow, _flows(moves), now, state, records, fired, through, env
                )
                if not moves:  # every token taken, none passed on
                    break
            elif kind == COMPLETE:
                taken = arrive(program, node, flow, state, visits)
                if taken is None:
                    if records is not None:
                        count = alive(heap, held)
                        records.append((now, "wait", ids[node], 0, "", "subprocess", count))
                    break
                moves = successors[node]
                if records is not None:
                    count = alive(heap, held) + 1
                    records.append((now, "join", ids[node], 0, "", None, count))
                    if fired is not None:
                        fired.append((node, tuple(taken), _flows(moves), dict(env)))
            elif len(incoming[node]) > 1 and flow >= 0:  # a parallel or inclusive join
                if not join_arrive(node, flow, kind, incoming[node], arrived, held, or_wait):
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
                return finish(program, STUCK, now, records, heap, held, ids[node])
            if records is not None:
                if len(successors[node]) > 1:
                    routed = [ids[target] for target, _ in moves]
                    count = alive(heap, held) + len(moves)
                    records.append((now, "route", ids[node], 0, "", routed, count))
                if fired is not None and kind < TERMINATE:
                    joined = kind == AND and len(incoming[node]) > 1 and flow >= 0
                    taken = list(incoming[node]) if joined else [flow] if flow >= 0 else []
                    fired.append((node, tuple(taken), _flows(moves), dict(env)))
        if or_wait or scope_wait:
            seq, stuck = _release(program, env, join_draws, state, seq, now, visits, records, fired)
            if stuck >= 0:
                return finish(program, STUCK, now, records, heap, held, ids[stuck])
    if last_end < 0 or (held and any(held.values())):
        return finish(program, STUCK, now, records, heap, held)
    if records is None:
        return last_end, now
    return finish(program, last_end, now, records, heap, held)


def _release(
    program: Program,
    env: dict[str, Any],
    join_draws: Callable[[int], Stream],
    state: Tokens,
    seq: int,
    now: float,
    visits: list[int],
    records: list[Record] | None,
    fired: list[Firing] | None,
) -> tuple[int, int]:
    """Fire the waiting inclusive and completion joins that can fire now: (next sequence
    number, the join where a token got stuck or -1)."""
    heap, held, arrived, (or_wait, scope_wait) = state
    stuck = -1
    if or_wait:
        seq, stuck = fire_inclusive(
            program, env, join_draws, heap, seq, now, held, arrived, or_wait, records, fired
        )
    if scope_wait and stuck < 0:
        seq, stuck = fire_completions(
            program, env, heap, seq, now, held, arrived, scope_wait, visits, records, fired
        )
    return seq, stuck


def _flows(moves: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    return tuple(flow for _target, flow in moves)


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
