"""Benchmark: `archctl verify` on a generated monorepo: sequential, --jobs 2, --cluster local:2.

A few hundred spec files (bench/gen_monorepo.py: state machines, workflows, policies,
subprocesses across files, one duplicate name). Each run is a whole fresh process writing
the JSON report; CPU is user + system of the process and all its children (the pool's
workers, the LocalCluster's scheduler and workers). Outputs must be byte-identical to the
sequential run, or the benchmark fails.

    python bench/bench_verify_jobs.py                   # 300 specs, best of 1
    python bench/bench_verify_jobs.py --specs 100 --repeat 3
    python bench/bench_verify_jobs.py --specs 60 --scale 8      # heavier specs: checks dominate
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_statemachine import _children_cpu as _cpu
from gen_monorepo import generate

MODES: dict[str, tuple[str, ...]] = {
    "sequential": (),
    "--jobs 2": ("--jobs", "2"),
    "--cluster local:2": ("--cluster", "local:2"),
}


def _run(folder: str, extra: tuple[str, ...]) -> tuple[float, float, bytes]:
    begin, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", folder, "--format", "json", *extra],
        capture_output=True,
    )
    if done.returncode not in (0, 1, 2):
        raise SystemExit(f"archctl verify {' '.join(extra)} failed: {done.stderr.decode()}")
    return time.perf_counter() - begin, _cpu() - cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1, help="size of each spec (x)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        generate(folder, args.specs, scale=args.scale)
        runs: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
        reference = None
        for _ in range(args.repeat):
            for mode, extra in MODES.items():
                wall, cpu, out = _run(folder, extra)
                reference = out if reference is None else reference
                if out != reference:
                    raise SystemExit(f"{mode}: the report differs from the sequential run")
                runs[mode].append((wall, cpu))
    assert reference is not None
    findings = reference.count(b'"code": ')
    print(
        f"{args.specs} spec files (scale {args.scale}), {findings} findings, "
        "identical JSON reports in every mode"
    )
    print(f"best of {args.repeat} by wall time; {os.cpu_count()} CPUs on this machine\n")
    print("| run | wall s | CPU s (all processes) | speed-up (wall) |")
    print("| --- | ---: | ---: | ---: |")
    base = min(runs["sequential"])[0]
    for mode in MODES:
        wall, cpu = min(runs[mode])
        print(f"| `archctl verify {mode}` | {wall:.2f} | {cpu:.2f} | {base / wall:.2f}x |")


if __name__ == "__main__":
    main()
