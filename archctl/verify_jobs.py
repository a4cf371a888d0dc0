"""Verify's per-spec checks on worker processes or a Dask cluster, merged in order.

Only checking is split: checking one spec is a pure function of the spec, the specs it may
refer to and the options. Loading stays in the calling process: parsing a file costs less
than sending its model back from a worker (pickling the specs of a 300-file monorepo took
longer than parsing them). Everything that looks across files stays there too: discovery,
LD006 duplicate names, linking systems to their components, loading referenced specs
from the project, inline suppressions, select/ignore/severity, per-file ignores, the
baseline and the canonical sort.
Results are gathered in submission order and merged exactly as the sequential loop merges
them, so ``--jobs N`` and ``--cluster`` print the same bytes as a sequential run.

Work goes out in chunks of consecutive items (a few per worker), so the per-task cost of a
process pool or the Dask scheduler stays small next to the work even for hundreds of files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from archctl.check import CheckOptions
from archctl.diagnostics import Diagnostic
from archctl.kinds import check_specs, checker_of
from archctl.model.spec import Spec
from archctl.proof import Proof

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741 - the item type, next to S (shared) and R (result)
R = TypeVar("R")

#: chunks per worker: enough to even out specs of very different cost, few enough that
#: the per-task overhead (milliseconds on a pool, tens of them on a busy scheduler) is noise
CHUNKS_PER_WORKER = 4


class WorkersError(Exception):
    """The workers cannot be used (no Dask, an unreachable or lost scheduler): exit 2."""


class Workers(Protocol):
    """Runs ``work(shared, chunk)`` over chunks of items; results in the items' order."""

    def map(self, work: Callable[[S, list[I]], list[R]], shared: S, items: Sequence[I]) -> list[R]:
        """Every item's result, in order (``work`` maps a chunk to one result per item)."""
        ...

    def close(self) -> None: ...


class InProcess:
    """The sequential run: one chunk, this process (what ``--jobs 1`` means)."""

    def map(self, work: Callable[[S, list[I]], list[R]], shared: S, items: Sequence[I]) -> list[R]:
        return work(shared, list(items)) if items else []

    def close(self) -> None:
        return None


def chunks(items: Sequence[I], workers: int) -> list[list[I]]:
    """Consecutive runs of ``items``, about ``CHUNKS_PER_WORKER`` per worker."""
    size = max(1, -(-len(items) // max(1, workers * CHUNKS_PER_WORKER)))
    return [list(items[lo : lo + size]) for lo in range(0, len(items), size)]


_shared: Any = None


def _install(shared: object) -> None:
    global _shared
    _shared = shared


def _call(work: Callable[[Any, list[Any]], list[Any]], chunk: list[Any]) -> list[Any]:
    return work(_shared, chunk)


class Processes:
    """``--jobs N``: a pool of N local processes per phase.

    Where the platform forks (Linux), workers inherit the shared data (every loaded spec)
    instead of receiving a pickled copy; elsewhere it is pickled once per worker.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def map(self, work: Callable[[S, list[I]], list[R]], shared: S, items: Sequence[I]) -> list[R]:
        parts = chunks(items, self.jobs)
        if len(parts) <= 1:
            return InProcess().map(work, shared, items)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        workers = min(self.jobs, len(parts))
        with ProcessPoolExecutor(
            workers, context, initializer=_install, initargs=(shared,)
        ) as pool:
            done = pool.map(functools.partial(_call, work), parts)
            return [result for part in done for result in part]

    def close(self) -> None:
        return None


class Cluster:
    """``--cluster tcp://HOST:PORT`` or ``local:N``: chunks as tasks on Dask's scheduler.

    The loaded specs are scattered once per worker, so workers need no shared file
    system. A worker that dies is replaced and its chunk rerun (the result is
    the same: the work is pure); a scheduler that is unreachable or lost is an error.
    """

    def __init__(self, address: str) -> None:
        from archctl.simulate.cluster import connect
        from archctl.simulate.workflow import SimulationError

        self.address = address
        try:
            self.client, self.cluster = connect(address)
        except SimulationError as error:
            raise WorkersError(str(error)) from None

    def _workers(self) -> int:
        try:
            return max(1, len(self.client.scheduler_info().get("workers", {})))
        except (OSError, TimeoutError):
            return 1

    def map(self, work: Callable[[S, list[I]], list[R]], shared: S, items: Sequence[I]) -> list[R]:
        from archctl.simulate.cluster import RETRIES

        if not items:
            return []
        try:
            remote = self.client.scatter(shared, broadcast=True, hash=False)
            futures = [
                self.client.submit(work, remote, part, pure=False, retries=RETRIES)
                for part in chunks(items, self._workers())
            ]
            return [result for future in futures for result in future.result()]
        except (OSError, TimeoutError, CancelledError) as error:
            raise WorkersError(
                f"lost the Dask scheduler at {self.address} while verifying: "
                f"{error or type(error).__name__}"
            ) from None

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def workers_for(jobs: int = 1, cluster: str | None = None) -> Workers:
    """The workers the options ask for (raises :class:`WorkersError` for an unusable cluster)."""
    if cluster is not None:
        return Cluster(cluster)
    if jobs > 1:
        return Processes(jobs)
    return InProcess()


def prepare(specs: Sequence[Spec]) -> None:
    """Import the checker of every kind present, here, before workers are forked: they
    inherit the modules (z3 among them) instead of each importing them again."""
    for spec in {spec.kind: spec for spec in specs}.values():
        checker_of(spec)


@dataclass(frozen=True)
class CheckJob:
    """What every spec check needs: the checkable specs, the project context, the options."""

    checkable: Sequence[Spec]
    context: Sequence[Spec]
    options: CheckOptions | None


@dataclass(frozen=True)
class Checked:
    """One spec's findings, proofs and time (seconds), as the sequential loop records them."""

    diagnostics: list[Diagnostic]
    proved: list[Proof]
    seconds: float


def check_chunk(job: CheckJob, indices: list[int]) -> list[Checked]:
    """Check the specs at ``indices``; every other spec (and the context) is visible."""
    import time

    out = []
    for index in indices:
        spec = job.checkable[index]
        started = time.perf_counter()
        others = [other for number, other in enumerate(job.checkable) if number != index]
        proved: list[Proof] = []
        found = check_specs([spec], job.options, proved, context_specs=[*others, *job.context])
        out.append(Checked(found, proved, time.perf_counter() - started))
    return out
