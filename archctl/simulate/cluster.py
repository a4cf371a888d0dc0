"""Simulation beyond one machine: chunks of instances on a Dask cluster.

Dask's distributed scheduler is what teams already run on Kubernetes (dask-kubernetes),
Slurm (dask-jobqueue) or a laptop (``LocalCluster``); archctl only submits work to it. The
instance range is cut into the same fixed chunks as ``--workers`` uses, 64 chunks make one
task, and results are gathered *in chunk order*, so the output is byte-identical to a local
run with the same seed whatever the number of workers. Workers get the spec texts, not
paths, so they need no shared file system. A worker that dies is replaced by the scheduler
and its chunk rerun (a chunk is a pure function of the seed and its bounds, so the result
is the same); a scheduler that cannot be reached, or is lost, is a clear error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from archctl.load.loader import load_text
from archctl.model.workflow import Workflow
from archctl.simulate.parallel import CHUNK, ChunkResult, Job, run_chunks
from archctl.simulate.workflow import Program, SimulationError, compile_workflow

#: how long to wait for a scheduler before saying it cannot be reached
CONNECT_TIMEOUT = "15s"
#: reruns of a chunk whose worker died (the scheduler reschedules it elsewhere)
RETRIES = 3

_programs: dict[tuple[str, tuple[tuple[str, str], ...]], Program] = {}


def program_from_sources(sources: tuple[tuple[str, str], ...], name: str) -> Program:
    """Compile workflow ``name`` from (path, text) pairs; cached per worker process."""
    key = (name, sources)
    program = _programs.get(key)
    if program is None:
        workflows: dict[str, Workflow] = {}
        for path, text in sources:
            for spec in load_text(path, text).specs:
                if isinstance(spec, Workflow):
                    workflows[spec.name] = spec
        program = _programs[key] = compile_workflow(workflows[name], workflows)
    return program


#: chunks per Dask task: fewer, larger tasks keep the scheduler's per-task cost (tens of
#: milliseconds on a busy machine) small next to the work, and a task of 64 chunks is one
#: cohort of the vectorised engine (``simulate/cohort.py``); results stay per chunk
CHUNKS_PER_TASK = 64


def _remote_chunks(job: Job, bounds: list[tuple[int, int]]) -> list[ChunkResult]:
    return run_chunks(job.load(), job, bounds)


def shippable(job: Job, sources: Mapping[str, str], name: str) -> Job:
    """The job with a loader that carries the spec texts (workers may not see our files)."""
    pairs = tuple(sorted(sources.items()))
    return Job(
        functools.partial(program_from_sources, pairs, name),
        job.seed,
        job.until,
        job.max_steps,
        job.record,
    )


def connect(address: str) -> tuple[Any, Any]:
    """(client, cluster to close or None) for ``tcp://host:port`` or ``local:N``."""
    try:
        import distributed
    except ImportError:
        raise SimulationError(
            '--cluster needs Dask\'s distributed scheduler: pip install "archctl[dask]"'
        ) from None
    dask: Any = distributed  # partly untyped; used through its documented API only
    if address.startswith("local:"):
        try:
            workers = int(address.removeprefix("local:"))
        except ValueError:
            workers = 0
        if workers < 1:
            raise SimulationError(
                f"--cluster local:N needs a number of workers >= 1, not '{address}'"
            )
        cluster = dask.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,
        )
        return dask.Client(cluster), cluster
    try:
        return dask.Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as error:
        raise SimulationError(
            f"cannot reach the Dask scheduler at {address}: {error}; is it running, and is the "
            "address tcp://HOST:8786?"
        ) from None


def run_on_cluster(job: Job, instances: int, address: str) -> Iterator[ChunkResult]:
    """Chunk results in instance order, computed on the cluster's workers."""
    client, cluster = connect(address)
    try:
        bounds = [(lo, min(lo + CHUNK, instances)) for lo in range(0, instances, CHUNK)]
        groups = [bounds[i : i + CHUNKS_PER_TASK] for i in range(0, len(bounds), CHUNKS_PER_TASK)]
        shared = client.scatter(job, broadcast=True, hash=False)  # sent once per worker
        futures = [
            client.submit(_remote_chunks, shared, group, pure=False, retries=RETRIES)
            for group in groups
        ]
        for future in futures:
            try:
                yield from future.result()
            except (OSError, TimeoutError) as error:
                raise SimulationError(
                    f"lost the Dask scheduler at {address} while simulating: {error}"
                ) from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
