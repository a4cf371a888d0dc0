"""simulate on a real Dask cluster (LocalCluster with worker processes, no mocks): the same
bytes as a local run, worker deaths retried without changing the result, a missing
scheduler a clear error."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_archctl

distributed = pytest.importorskip("distributed")

PROCESSOR = str(EXAMPLES / "async-message-processor.yaml")


def test_cluster_run_is_byte_identical_to_a_local_run(tmp_path: Path) -> None:
    local_log, cluster_log = tmp_path / "local.jsonl", tmp_path / "cluster.jsonl"
    args = ("simulate", PROCESSOR, "-n", "5500", "--seed", "9", "--format", "json")
    local = run_archctl(*args, "--events-out", str(local_log))
    remote = run_archctl(*args, "--events-out", str(cluster_log), "--cluster", "local:2")
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert local.stdout == remote.stdout
    assert json.loads(remote.stdout)["instances"] == 5500
    assert local_log.read_bytes() == cluster_log.read_bytes()


def test_unreachable_scheduler_is_a_clear_error_not_a_hang() -> None:
    started = time.monotonic()
    done = run_archctl("simulate", PROCESSOR, "-n", "10", "--cluster", "tcp://127.0.0.1:9")
    assert done.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert time.monotonic() - started < 60
    bad = run_archctl("simulate", PROCESSOR, "--cluster", "local:zero")
    assert bad.returncode == 2 and "local:N" in bad.stderr


def test_a_dying_worker_does_not_change_the_result() -> None:
    from distributed import LocalCluster

    from archctl.load.loader import load_file
    from archctl.simulate.cluster import run_on_cluster, shippable
    from archctl.simulate.command import load_program
    from archctl.simulate.parallel import Job, run_many

    paths = (PROCESSOR,)
    loaded = load_file(PROCESSOR)
    (spec,) = loaded.specs
    program = load_program(paths, spec.name)
    job = Job(lambda: program, seed=5)
    expected = [chunk.totals for chunk in run_many(program, job, 320_000, 1)]
    texts = {path: source.text for path, source in loaded.sources.items()}
    remote_job = shippable(job, texts, spec.name)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        got = []
        for number, chunk in enumerate(
            run_on_cluster(remote_job, 320_000, cluster.scheduler_address)
        ):
            got.append(chunk.totals)
            if number == 0:
                victim = next(iter(cluster.workers.values()))
                pid = victim.process.process.pid  # the nanny's worker process
                os.kill(pid, signal.SIGKILL)
        alive = {w.process.process.pid for w in cluster.workers.values() if w.process.process}
    assert pid not in alive  # the worker really died mid-run, and was replaced
    assert len(got) == 320  # five Dask tasks of 64 chunks: the kill lands mid-run
    assert [t.outcomes for t in got] == [t.outcomes for t in expected]
    assert [t.latencies for t in got] == [t.latencies for t in expected]
