"""The cohort engine: many instances of one workflow advanced together, with numpy.

Instances are independent and every draw is keyed by what it is for (``keyed.py``), so
nothing forces one instance at a time. For a workflow that ``plan.py`` accepts, the engine
visits each node once, in topological order, with every token of every instance that
reaches it: a task draws all attempts of all its tokens as arrays, a gateway routes them
with the scalar engine's own compiled conditions (once per distinct combination of values,
``vectors.Columns``), a parallel join fires for the instances whose every incoming flow
holds a token. Times are tracked per token, so each instance's virtual clock is its own.

Where event *order* inside an instance could matter, the scalar engine decides: an instance
that fails or gets stuck while it has forked (other tokens may be cancelled, ties broken by
sequence), reaches two ends (which is last), or brings two tokens to one node (which visit
is first) is rerun by ``engine.run_instance``, which gives the same draws the same keys.
The results per instance are then reduced per chunk of ``CHUNK`` instances exactly as the
scalar engine sums them (integers; busy time per node as a running sum in instance order),
so a chunk's result does not depend on which engine ran it or how chunks were batched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archctl.simulate.counters import NodeCounters, counters_for
from archctl.simulate.engine import run_instance
from archctl.simulate.keyed import (
    F64,
    ROUTE,
    SETS,
    TIMING,
    U64,
    instance_key,
    instance_keys,
    stream_keys,
    units,
)
from archctl.simulate.plan import CohortPlan
from archctl.simulate.records import CUT, FAILED, STUCK
from archctl.simulate.values import draws_per_value
from archctl.simulate.vectors import I64, Columns, draw_values, durations
from archctl.simulate.workflow import (
    AND,
    COMPLETE,
    END,
    START,
    TASK,
    TERMINATE,
    XOR,
    Program,
)

_OPEN = -9  # outcome not decided yet
Moves = tuple[tuple[int, int], ...]


@dataclass
class Cohort:
    """Per-instance state of a batch of ``count`` instances (index = instance - first)."""

    program: Program
    plan: CohortPlan
    keys: U64
    until: float
    count: int
    columns: Columns
    finish: F64
    forked: Any
    rescue: Any  # instances the scalar engine reruns
    cut: Any
    held: Any
    ends: I64
    last_end: I64
    abort_code: I64
    abort_time: F64
    visits: I64  # [node, instance]
    tries: I64  # [kind (attempts, failures, timeouts), node, instance]
    busy: F64  # [node, instance]
    pending: list[list[tuple[I64, F64]]] = field(default_factory=list)

    @classmethod
    def start(cls, program: Program, plan: CohortPlan, keys: U64, until: float) -> Cohort:
        n, size = len(keys), len(program.ids)

        def flags() -> Any:
            return np.zeros(n, dtype=bool)

        cohort = cls(
            program, plan, keys, until, n, Columns(n), np.zeros(n), flags(), flags(), flags(),
            flags(), np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64),
            np.full(n, _OPEN, dtype=np.int64), np.zeros(n), np.zeros((size, n), dtype=np.int64),
            np.zeros((3, size, n), dtype=np.int64), np.zeros((size, n)),
            [[] for _ in range(size)],
        )  # fmt: skip
        cohort.pending[plan.start].append((np.arange(n, dtype=np.int64), np.zeros(n)))
        cohort.initial_values()
        return cohort

    def initial_values(self) -> None:
        """Fixed initial values, and the drawn ones from the start stream (``engine._run``)."""
        program, tracked = self.program, self.plan.tracked
        size = len(program.ids)
        for name, value in program.initial.items():
            if name in tracked:
                self.columns.fill(name, value)
        number = 1
        everyone = np.arange(self.count, dtype=np.int64)
        streams = stream_keys(self.keys, size, 0, SETS, size)  # a virtual node after the last
        for name, _draw in program.drawn:
            var_type = program.types[name]
            if name in tracked:
                distinct, inverse = draw_values(
                    var_type, program.strings, program.addresses, streams, number
                )
                self.columns.assign(name, everyone, distinct, inverse)
            number += draws_per_value(var_type, program.addresses)

    def run(self) -> None:
        for node in self.plan.order:
            parts = self.pending[node]
            self.pending[node] = []
            if not parts:
                continue
            rows = np.concatenate([p[0] for p in parts])
            times = np.concatenate([p[1] for p in parts])
            live = ~self.rescue[rows]
            rows, times = rows[live], times[live]
            if len(rows):
                self.visit(node, rows, times)

    def visit(self, node: int, rows: I64, times: F64) -> None:
        program = self.program
        kind = program.kinds[node]
        if kind == AND and len(program.incoming[node]) > 1:
            self.join(node, rows, times)
            return
        if len(self.plan.preds[node]) > 1:  # a merge: two tokens here is for the scalar engine
            many = np.bincount(rows, minlength=self.count)[rows] > 1
            self.rescue[rows[many]] = True
            rows, times = rows[~many], times[~many]
        self.visits[node, rows] += 1
        self.finish[rows] = np.maximum(self.finish[rows], times)
        if kind == TASK:
            self.task(node, rows, times)
        elif kind == XOR:
            self.exclusive(node, rows, times)
        elif kind == END:
            if node in program.kill:
                rows, times = self.alone(rows, times)
            self.ends[rows] += 1
            self.last_end[rows] = node
        elif kind == COMPLETE:  # no outgoing flow: stuck there, as in the scalar engine
            self.emit(program.out[node], *self.alone(rows, times))
        elif kind == TERMINATE:  # one that takes every token passes none on
            rows, times = self.alone(rows, times)
            if program.kill[node] is not None and program.out[node]:
                self.emit(program.out[node], rows, times)
        else:  # START, or a parallel gateway that only splits
            assert kind in (START, AND)
            self.emit(program.out[node], rows, times)

    def emit(self, moves: Moves, rows: I64, times: F64) -> None:
        """Tokens of ``rows`` leave over ``moves`` at ``times`` (none: stuck right there)."""
        if not moves:
            self.abort(rows, STUCK, times)
            return
        if len(moves) > 1:
            self.forked[rows] = True
        for target, _flow in moves:
            self.pending[target].append((rows, times))

    def alone(self, rows: I64, times: F64) -> tuple[I64, F64]:
        """The rows whose instance has one token, at a terminate or a completion join: there
        it takes nothing and passes the token on (or ends with it). Where the instance forked,
        what it takes depends on where its other tokens are: the scalar engine's case."""
        forked = self.forked[rows]
        self.rescue[rows[forked]] = True
        return rows[~forked], times[~forked]

    def abort(self, rows: I64, code: int, times: F64) -> None:
        """The instance ends now (failed or stuck); with other tokens alive, the order of
        events decides what they did before: the scalar engine's case."""
        forked = self.forked[rows]
        self.rescue[rows[forked]] = True
        alone = rows[~forked]
        self.abort_code[alone] = code
        self.abort_time[alone] = times[~forked]

    def join(self, node: int, rows: I64, times: F64) -> None:
        """A parallel join fires for instances with a token on each incoming flow (each flow
        carries at most one token per instance here); the others hold theirs: stuck."""
        arrived = np.bincount(rows, minlength=self.count)
        self.visits[node] += arrived
        latest = np.zeros(self.count)
        np.maximum.at(latest, rows, times)
        self.finish = np.maximum(self.finish, latest)
        needed = len(self.program.incoming[node])
        fired = np.flatnonzero(arrived == needed)
        self.held[(arrived > 0) & (arrived < needed)] = True
        if len(fired):
            self.emit(self.program.out[node], fired, latest[fired])

    def exclusive(self, node: int, rows: I64, times: F64) -> None:
        program = self.program
        choice = program.choices[node]
        if choice is None:  # a free choice: one draw from the node's ROUTE stream
            options = program.out[node]
            if not options:
                self.abort(rows, STUCK, times)
                return
            size = len(program.ids)
            picked = units(stream_keys(self.keys[rows], node, 0, ROUTE, size), 1)
            index = (picked * len(options)).astype(np.int64)
            for k, option in enumerate(options):
                mine = index == k
                self.emit((option,), rows[mine], times[mine])
            return
        routes, default = choice
        waiting = np.arange(len(rows))
        for condition, taken in routes:
            if not len(waiting):
                return
            results, inverse = self.columns.evaluate(condition, program.reads[node], rows[waiting])
            holds = np.array([bool(r) for r in results], dtype=bool)[inverse]
            self.emit(taken, rows[waiting[holds]], times[waiting[holds]])
            waiting = waiting[~holds]
        if len(waiting):
            self.emit(default, rows[waiting], times[waiting])

    def task(self, node: int, rows: I64, times: F64) -> None:
        program = self.program
        timing = program.timing[node]
        assert timing is not None
        if timing.sample is None and not timing.failure_rate:  # instant: done at once
            self.tries[0, node, rows] += 1
            self.apply_sets(node, rows)
            self.emit(program.out[node], rows, times)
            return
        streams = stream_keys(self.keys[rows], node, 0, TIMING, len(program.ids))
        _probe, per = durations(timing.dist, streams[:0], 1)
        rate = timing.failure_rate
        stride = per + (1 if rate else 0)
        now = times.copy()
        ok = np.zeros(len(rows), dtype=bool)
        going = np.arange(len(rows))
        for attempt in range(timing.max_attempts):
            if not len(going):
                break
            mine = streams[going]
            took, _ = durations(timing.dist, mine, attempt * stride + 1)
            failing = (
                units(mine, attempt * stride + per + 1) < rate
                if rate
                else np.zeros(len(going), dtype=bool)
            )
            late = took > timing.deadline
            took = np.where(late, timing.deadline, took)
            self.tries[0, node, rows[going]] += 1
            self.tries[2, node, rows[going]] += late
            self.tries[1, node, rows[going]] += ~late & failing
            now[going] += took
            done = ~late & ~failing
            ok[going[done]] = True
            going = going[~done]
            if attempt < len(timing.delays):
                now[going] += timing.delays[attempt]
        self.busy[node, rows] = now - times
        past = now > self.until  # the completion is never reached: cut at --until
        self.cut[rows[past]] = True
        rows, now, ok = rows[~past], now[~past], ok[~past]
        self.apply_sets(node, rows[ok])
        self.emit(program.out[node], rows[ok], now[ok])
        failed, at = rows[~ok], now[~ok]
        handler = program.on_error[node]
        if handler >= 0:
            self.emit(((handler, program.error_flow[node]),), failed, at)
        elif len(failed):
            self.abort(failed, FAILED, at)

    def apply_sets(self, node: int, rows: I64) -> None:
        """A task's ``sets`` on instances ``rows``, left to right (``values.apply``)."""
        program, tracked = self.program, self.plan.tracked
        if not program.sets[node] or not len(rows):
            return
        streams: U64 | None = None
        number = 1
        for (target, value, _draw), reads in zip(
            program.sets[node], program.sets_reads[node], strict=True
        ):
            if value is None:
                var_type = program.types[target]
                if target in tracked:
                    if streams is None:
                        streams = stream_keys(self.keys[rows], node, 0, SETS, len(program.ids))
                    distinct, inverse = draw_values(
                        var_type, program.strings, program.addresses, streams, number
                    )
                    self.columns.assign(target, rows, distinct, inverse)
                number += draws_per_value(var_type, program.addresses)
            elif target in tracked:
                results, inverse = self.columns.evaluate(value, reads, rows)
                self.columns.assign(target, rows, results, inverse)

    def outcomes(self) -> I64:
        """Per instance: end node, FAILED, STUCK or CUT (``_OPEN`` for the rescued)."""
        out = np.where(self.ends == 1, self.last_end, STUCK)
        out[self.ends > 1] = _OPEN  # which end was last: event order decides
        out[self.held] = STUCK
        out[self.cut] = CUT
        aborted = self.abort_code != _OPEN
        out[aborted] = self.abort_code[aborted]
        self.finish[aborted] = self.abort_time[aborted]
        self.rescue |= out == _OPEN
        out[self.rescue] = _OPEN
        return out


@dataclass
class BatchResult:
    """Per-chunk totals of a batch: (outcomes, latencies, counters) per chunk, in order."""

    chunks: list[tuple[dict[int, int], list[float], NodeCounters]]
    rescued: int


def run_batch(
    program: Program,
    plan: CohortPlan,
    seed: int,
    until: float,
    max_steps: int,
    bounds: list[tuple[int, int]],
) -> BatchResult:
    """Run the consecutive chunks ``bounds`` as one cohort; their totals, chunk by chunk."""
    first, last = bounds[0][0], bounds[-1][1]
    cohort = Cohort.start(program, plan, instance_keys(seed, first, last), until)
    cohort.run()
    outcome = cohort.outcomes()
    rescued = np.flatnonzero(cohort.rescue)
    for row in rescued.tolist():
        alone = counters_for(program)
        key = instance_key(seed, first + row)
        code, finished = run_instance(program, key, alone, until, max_steps)
        own = alone[program.name]
        outcome[row], cohort.finish[row] = code, finished
        cohort.visits[:, row] = own.visits
        cohort.tries[:, :, row] = np.array(own.tries, dtype=np.int64).T
        cohort.busy[:, row] = own.busy
    chunks = []
    for start, stop in bounds:
        part = slice(start - first, stop - first)
        codes, counts = np.unique(outcome[part], return_counts=True)
        ends = outcome[part]
        done = (ends != CUT) & (ends != STUCK)
        latencies = cohort.finish[part][done].tolist()
        counters = NodeCounters(
            cohort.visits[:, part].sum(axis=1).tolist(),
            cohort.tries[:, :, part].sum(axis=2).T.tolist(),
            [_running_sum(row) for row in cohort.busy[:, part]],
        )
        chunks.append(
            (dict(zip(codes.tolist(), counts.tolist(), strict=True)), latencies, counters)
        )
    return BatchResult(chunks, len(rescued))


def _running_sum(values: F64) -> float:
    """Left-to-right sum from 0.0, as ``busy[node] += took`` adds instance by instance
    (``np.cumsum`` adds in order; ``np.sum`` would pair terms and round differently)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def batch_size(program: Program, chunk: int) -> int:
    """Chunks per cohort: large enough to amortise numpy's per-call cost, small enough that
    the per-node, per-instance counters stay within a few tens of megabytes."""
    per_chunk = chunk * (len(program.ids) * 5 + 16) * 8
    return max(1, min(64, math.floor(64_000_000 / per_chunk)))
