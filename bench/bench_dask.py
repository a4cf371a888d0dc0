"""simulate on one machine (`--workers 2`) vs on a 2-worker Dask LocalCluster.

Both runs are whole `archctl simulate` processes on the async message processor with the
same seed; the outputs must be byte-identical. The per-chunk overhead of the cluster is
(cluster wall - local wall) / chunks, chunks being 1,000 instances each.

Run: python bench/bench_dask.py --instances 10000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "examples" / "async-message-processor.yaml")


def timed(extra: list[str], instances: int) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "archctl",
            "simulate",
            SPEC,
            "-n",
            str(instances),
            "--seed",
            "1",
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=10_000_000)
    options = parser.parse_args()
    chunks = -(-options.instances // 1000)
    local = timed(["--workers", "2"], options.instances)
    cluster = timed(["--cluster", "local:2"], options.instances)
    print(
        f"{options.instances} instances, {chunks} chunks; wall s (CPU s of archctl and its workers)"
    )
    print("| run | wall (s) | CPU of the process tree (s) |")
    print("| --- | ---: | ---: |")
    print(f"| `--workers 2` (local processes) | {local[0]:.1f} | {local[1]:.1f} |")
    print(f"| `--cluster local:2` (Dask LocalCluster) | {cluster[0]:.1f} | {cluster[1]:.1f} |")
    overhead = (cluster[0] - local[0]) / chunks * 1000
    print(f"overhead per chunk: {overhead:.2f} ms; identical output: {local[2] == cluster[2]}")


if __name__ == "__main__":
    main()
