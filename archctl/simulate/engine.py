"""The discrete-event loop: one workflow instance on a heap of (time, seq, ...) tuples.

The virtual clock jumps from event to event; nothing sleeps. A token moves through gateways
at the current time without touching the heap, so the heap only holds what waits for time to
pass (tasks in progress). An instance ends when no token is left, when a task fails for good
without ``on_error`` (failed), when tokens can no longer move (stuck), or when it runs past
``until`` or the step limit (cut). It never hangs: every loop iteration counts a step.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Any

from archctl.simulate.gateways import (
    ARRIVE,
    LOG,
    Record,
    alive,
    exclusive,
    fire_inclusive,
    inclusive,
)
from archctl.simulate.timing import Attempt, Timing, run_task
from archctl.simulate.workflow import AND, END, OR, TASK, XOR, Program

FAILED, STUCK, CUT = -1, -2, -3
DONE_OK, DONE_ERR = 1, 2  # ARRIVE = 0 and LOG = 3 live in gateways
DEFAULT_MAX_STEPS = 100_000
#: Outcome names of instances that did not end at an end node (node ids have no parentheses).
OUTCOME_LABEL = {FAILED: "(failed)", STUCK: "(stuck)", CUT: "(cut)"}


@dataclass
class NodeCounters:
    """Per-node figures of one program: visits, [attempts, failures, timeouts], busy ms."""

    visits: list[int]
    tries: list[list[int]]
    busy: list[float]

    @classmethod
    def fresh(cls, size: int) -> NodeCounters:
        return cls([0] * size, [[0, 0, 0] for _ in range(size)], [0.0] * size)


def counters_for(program: Program) -> dict[str, NodeCounters]:
    """Fresh counters for a program and all the subprocesses it calls."""
    out: dict[str, NodeCounters] = {}
    stack = [program]
    while stack:
        current = stack.pop()
        if current.name not in out:
            out[current.name] = NodeCounters.fresh(len(current.ids))
            stack.extend(current.children())
    return out


def run_instance(
    p: Program,
    rng: random.Random,
    counters: dict[str, NodeCounters],
    until: float = math.inf,
    max_steps: int = DEFAULT_MAX_STEPS,
    rec: list[Record] | None = None,
    start: float = 0.0,
) -> tuple[int, float]:
    """Run one instance; return (outcome, time). Outcome: end node index, FAILED, STUCK, CUT."""
    env = dict(p.initial)
    for name, draw in p.drawn:
        env[name] = draw(rng)
    mine = counters[p.name]
    visits, tries, busy = mine.visits, mine.tries, mine.busy
    kinds, out, incoming, timing, sets, sub, ids, choices = p.tables
    heap: list[tuple[float, int, int, Any, int]] = (
        list(p.start_entries)
        if start == 0.0
        else [(start, i, s, -1, ARRIVE) for i, s in enumerate(p.starts)]
    )
    seq = len(heap)
    held: dict[int, int] = {}
    arrived: dict[int, int] = {}
    or_wait: set[int] = set()
    last_end = -1
    steps = 0
    t = start
    if rec is not None:
        rec.append((start, "start", p.name, 0, "", dict(env), len(heap)))
    while True:
        if not heap:
            if or_wait:
                seq, stuck = fire_inclusive(p, env, rng, heap, seq, t, held, arrived, or_wait, rec)
                if stuck >= 0:
                    return _finish(p, STUCK, t, rec, heap, held, ids[stuck])
                if heap:
                    continue
            break
        t, _, n, f, what = heappop(heap)
        if t > until:
            return _finish(p, CUT, until, rec, heap, held)
        if what == ARRIVE:
            nxt: tuple[tuple[int, int], ...] = ((n, f),)
        elif what == DONE_OK:
            if sets[n]:
                for var, value, pick in sets[n]:
                    env[var] = value(env) if value is not None else pick(rng)
            if rec is not None:
                changes = {a[0]: env[a[0]] for a in sets[n]}
                rec.append((t, "complete", ids[n], 0, "ok", changes, alive(heap, held) + 1))
            nxt = out[n]
            if not nxt:
                return _finish(p, STUCK, t, rec, heap, held, ids[n])
        elif what == DONE_ERR:
            handler = p.on_error[n]
            if handler < 0:
                return _finish(p, FAILED, t, rec, heap, held, ids[n])
            if rec is not None:
                rec.append(
                    (t, "error", ids[n], 0, "exhausted", ids[handler], alive(heap, held) + 1)
                )
            nxt = ((handler, p.error_flow[n]),)
        else:
            assert rec is not None
            rec.append((t, *f, alive(heap, held)))
            continue
        while nxt:
            if len(nxt) > 1:
                for target, flow in nxt[1:]:
                    heappush(heap, (t, seq, target, flow, ARRIVE))
                    seq += 1
            n, f = nxt[0]
            steps += 1
            if steps > max_steps:
                return _finish(p, CUT, t, rec, heap, held)
            visits[n] += 1
            kind = kinds[n]
            if kind == TASK:
                tm = timing[n]
                assert tm is not None
                child = sub[n]
                log: list[Attempt] | None = [] if rec is not None else None
                if child is not None:
                    inner: list[Record] | None = [] if rec is not None else None
                    done = _run_subprocess(
                        child, tm, rng, counters, t, until, max_steps, tries[n], log, inner
                    )
                    if done is None:
                        return _finish(p, CUT, t, rec, heap, held)
                    end, ok = done
                    for at, event, node, attempt, outcome, data, _tokens in inner or ():
                        label = f"{ids[n]}/{node}"
                        heappush(heap, (at, seq, n, (event, label, attempt, outcome, data), LOG))
                        seq += 1
                elif tm.sample is None and not tm.failure_rate:
                    # no timing: done at once, inline, whether or not events are recorded (the
                    # order of draws must not depend on recording)
                    tries[n][0] += 1
                    for var, value, pick in sets[n]:
                        env[var] = value(env) if value is not None else pick(rng)
                    if rec is not None:
                        tokens = alive(heap, held) + 1
                        rec.append((t, "attempt", ids[n], 1, "ok", 0.0, tokens))
                        changes = {a[0]: env[a[0]] for a in sets[n]}
                        rec.append((t, "complete", ids[n], 0, "ok", changes, tokens))
                    nxt = out[n]
                    if not nxt:
                        return _finish(p, STUCK, t, rec, heap, held, ids[n])
                    continue
                else:
                    end, ok = run_task(tm, rng, t, tries[n], log)
                busy[n] += end - t
                if log is not None:
                    for at, attempt, outcome, took in log:
                        heappush(
                            heap, (at, seq, n, ("attempt", ids[n], attempt, outcome, took), LOG)
                        )
                        seq += 1
                elif ok and not sets[n] and len(out[n]) == 1:
                    heappush(heap, (end, seq, out[n][0][0], out[n][0][1], ARRIVE))
                    seq += 1
                    break
                heappush(heap, (end, seq, n, -1, DONE_OK if ok else DONE_ERR))
                seq += 1
                break
            if kind == XOR:
                choice = choices[n]
                if choice is None:
                    nxt = exclusive(p, n, env, rng)  # free choice
                else:
                    for condition, taken in choice[0]:
                        if condition(env):
                            nxt = taken
                            break
                    else:
                        nxt = choice[1]
            elif kind == END:
                last_end = n
                if rec is not None:
                    rec.append((t, "end", ids[n], 0, "", None, alive(heap, held)))
                break
            elif len(incoming[n]) > 1 and f >= 0 and kind != XOR and kind != TASK:
                arrived[f] = arrived.get(f, 0) + 1
                if kind == AND and all(arrived.get(g, 0) for g in incoming[n]):
                    for g in incoming[n]:
                        arrived[g] -= 1
                    held[n] = held.get(n, 0) - len(incoming[n]) + 1
                    nxt = out[n]
                    if rec is not None:
                        rec.append((t, "join", ids[n], 0, "", None, alive(heap, held) + 1))
                else:
                    held[n] = held.get(n, 0) + 1
                    if kind == OR:
                        or_wait.add(n)
                    if rec is not None:
                        rec.append((t, "wait", ids[n], 0, "", None, alive(heap, held)))
                    break
            elif kind == OR:
                nxt = inclusive(p, n, env, rng)
            else:
                nxt = out[n]
            if not nxt:
                return _finish(p, STUCK, t, rec, heap, held, ids[n])
            if rec is not None and kind != TASK and len(out[n]) > 1:
                rec.append(
                    (
                        t,
                        "route",
                        ids[n],
                        0,
                        "",
                        [ids[x[0]] for x in nxt],
                        alive(heap, held) + len(nxt),
                    )
                )
        if or_wait:
            seq, stuck = fire_inclusive(p, env, rng, heap, seq, t, held, arrived, or_wait, rec)
            if stuck >= 0:
                return _finish(p, STUCK, t, rec, heap, held, ids[stuck])
    if last_end < 0 or (held and any(held.values())):
        return _finish(p, STUCK, t, rec, heap, held)
    if rec is None:
        return last_end, t
    return _finish(p, last_end, t, rec, heap, held)


def _finish(
    p: Program,
    outcome: int,
    t: float,
    rec: list[Record] | None,
    heap: list[tuple[float, int, int, Any, int]],
    held: dict[int, int],
    where: str | None = None,
) -> tuple[int, float]:
    if rec is not None:
        if outcome >= 0:
            label, data = p.ids[outcome], None
        else:
            label = OUTCOME_LABEL[outcome]
            waiting = sorted(p.ids[node] for node, count in held.items() if count > 0)
            data = sorted({*waiting, where}) if where is not None else waiting
        rec.append((t, "finish", p.name, 0, label, data, alive(heap, held)))
    return outcome, t


def _run_subprocess(
    child: Program,
    timing: Timing,
    rng: random.Random,
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
    at the deadline. None when the child was cut (the parent is cut too)."""
    now = start
    attempt = 0
    while True:
        attempt += 1
        counts[0] += 1
        outcome, finished = run_instance(child, rng, counters, until, max_steps, inner, now)
        if outcome == CUT:
            return None
        took = finished - now
        ok = outcome >= 0 and not child.failure_end[outcome]
        if took > timing.deadline:
            took, ok, label = timing.deadline, False, "timeout"
            counts[2] += 1
        elif ok and timing.failure_rate and rng.random() < timing.failure_rate:
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
