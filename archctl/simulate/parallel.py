"""Running many instances, in this process or spread over worker processes.

Each instance gets its own generator seeded from (seed, instance index) only, and instances
are grouped in fixed chunks whose results are merged in order; so ``--workers 4`` gives the
same summary, byte for byte, as ``--workers 1``. Workers compile the spec themselves (compiled
conditions are closures and do not pickle).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from archctl.simulate.cohort import batch_size, run_batch
from archctl.simulate.counters import counters_for
from archctl.simulate.engine import run_instance
from archctl.simulate.gateways import Record
from archctl.simulate.keyed import instance_key
from archctl.simulate.plan import cohort_plan
from archctl.simulate.records import CUT, STUCK
from archctl.simulate.stats import Totals
from archctl.simulate.workflow import Program

CHUNK = 1000
_MASK64 = (1 << 64) - 1


def instance_seed(seed: int, index: int) -> int:
    """The seed of one instance: a function of the run's seed and the instance index only."""
    return ((seed & _MASK64) << 40) | index


@dataclass(frozen=True)
class Job:
    """What to run: how to get the program (a loader for workers) and the run's limits."""

    load: Callable[[], Program]
    seed: int
    until: float = math.inf
    max_steps: int = 100_000
    record: bool = False


@dataclass
class ChunkResult:
    start: int
    totals: Totals
    records: list[tuple[int, Record]]


def run_chunk(program: Program, job: Job, start: int, stop: int) -> ChunkResult:
    """Run instances [start, stop) and return their totals (and events if recording)."""
    return run_chunks(program, job, [(start, stop)])[0]


def run_chunks(
    program: Program, job: Job, bounds: list[tuple[int, int]], cohort: bool = True
) -> list[ChunkResult]:
    """Run consecutive chunks; by the cohort engine when the workflow allows it and nothing
    is recorded (``cohort=False`` forces the scalar engine: the differential tests' oracle).
    Either way each chunk's result is the same (``tests/simulate/test_simulate_cohort.py``)."""
    plan = cohort_plan(program) if cohort and not job.record else None
    if plan is None or plan.steps > job.max_steps:
        return [_scalar_chunk(program, job, start, stop) for start, stop in bounds]
    batch = run_batch(program, plan, job.seed, job.until, job.max_steps, bounds)
    return [
        ChunkResult(start, Totals(outcomes, latencies, {program.name: counters}, stop - start), [])
        for (start, stop), (outcomes, latencies, counters) in zip(bounds, batch.chunks, strict=True)
    ]


def _scalar_chunk(program: Program, job: Job, start: int, stop: int) -> ChunkResult:
    """Instances [start, stop) one by one on the scalar engine."""
    counters = counters_for(program)
    outcomes: dict[int, int] = {}
    latencies: list[float] = []
    records: list[tuple[int, Record]] = []
    until, max_steps, seed = job.until, job.max_steps, job.seed
    for index in range(start, stop):
        rec: list[Record] | None = [] if job.record else None
        key = instance_key(seed, index)
        outcome, finished = run_instance(program, key, counters, until, max_steps, rec)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome != CUT and outcome != STUCK:
            latencies.append(finished)
        if rec is not None:
            records.extend((index, record) for record in rec)
    return ChunkResult(start, Totals(outcomes, latencies, counters, stop - start), records)


_worker: tuple[Program, Job] | None = None


def _init(job: Job) -> None:
    global _worker
    _worker = (job.load(), job)


def _work(bounds: list[tuple[int, int]]) -> list[ChunkResult]:
    assert _worker is not None
    program, job = _worker
    return run_chunks(program, job, bounds)


def run_many(program: Program, job: Job, instances: int, workers: int) -> Iterator[ChunkResult]:
    """Chunk results in instance order; several processes when ``workers`` > 1. Chunks go
    in batches (one cohort each), whose size depends only on the program: the results are
    per chunk, so neither the batching nor the number of workers changes them."""
    bounds = [(lo, min(lo + CHUNK, instances)) for lo in range(0, instances, CHUNK)]
    size = batch_size(program, CHUNK)
    batches = [bounds[i : i + size] for i in range(0, len(bounds), size)]
    if workers <= 1 or len(bounds) <= 1:
        for batch in batches:
            yield from run_chunks(program, job, batch)
        return
    if len(batches) < workers:  # smaller batches, so that every worker gets some
        size = max(1, -(-len(bounds) // workers))
        batches = [bounds[i : i + size] for i in range(0, len(bounds), size)]
    import multiprocessing  # only when spreading over processes: keeps start-up short

    context = multiprocessing.get_context()
    with context.Pool(min(workers, len(batches)), initializer=_init, initargs=(job,)) as pool:
        for results in pool.imap(_work, batches):
            yield from results
