"""Benchmark: the simulation engines alone, in-process, for before/after comparisons.

``bench_simulate.py`` times whole ``archctl simulate`` runs against SimPy; this one isolates
the engines: CPU seconds per ``--instances`` instances of the example workflows (compiled
once), best of ``--repeat`` runs, with a checksum of the outcomes and end times so a change
of behaviour shows. Two columns per workflow:

- ``scalar``: ``engine.run_instance``, one instance at a time on its heap (what runs
  workflows the cohort engine does not take, and every run that records events);
- ``chunks``: ``parallel.run_chunks`` as ``archctl simulate`` calls it, i.e. the cohort
  engine where the workflow allows it, else the scalar engine chunk by chunk.

Run it on two checkouts to compare (``--scalar-only`` for a checkout without the cohort
engine):

    PYTHONPATH=. python bench/bench_engine.py --instances 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from archctl.api import load_text
from archctl.model.workflow import Workflow
from archctl.simulate.workflow import Program, compile_workflow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MODELS = ("order-workflow", "async-message-processor", "approval-process")


def program_of(model: str) -> Program:
    specs = load_text((EXAMPLES / f"{model}.yaml").read_text(encoding="utf-8"))
    workflows = {spec.name: spec for spec in specs if isinstance(spec, Workflow)}
    return compile_workflow(workflows[specs[0].name], workflows)


def scalar(program: Program, instances: int) -> int:
    from archctl.simulate.counters import counters_for
    from archctl.simulate.engine import run_instance
    from archctl.simulate.keyed import instance_key

    counters = counters_for(program)
    checksum = 0
    for index in range(instances):
        outcome, finished = run_instance(program, instance_key(0, index), counters)
        checksum = (checksum * 31 + outcome * 1_000_003 + int(finished)) % (1 << 61)
    return checksum


def chunked(program: Program, instances: int) -> int:
    from archctl.simulate.parallel import CHUNK, Job, run_chunks

    job = Job(lambda: program, 0)
    bounds = [(lo, min(lo + CHUNK, instances)) for lo in range(0, instances, CHUNK)]
    checksum = 0
    for batch in (bounds[i : i + 64] for i in range(0, len(bounds), 64)):
        for chunk in run_chunks(program, job, batch):
            for outcome, count in sorted(chunk.totals.outcomes.items()):
                checksum = (checksum * 31 + outcome * 1_000_003 + count) % (1 << 61)
            for finished in chunk.totals.latencies:
                checksum = (checksum * 31 + int(finished)) % (1 << 61)
    return checksum


def best(run: object, program: Program, instances: int, repeat: int) -> tuple[float, int]:
    assert callable(run)
    fastest, checksum = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        checksum = run(program, instances)
        fastest = min(fastest, time.process_time() - started)
    return fastest, checksum


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="keep the best of N runs")
    parser.add_argument("--scalar-only", action="store_true", help="no chunks column")
    args = parser.parse_args()
    print("| workflow | engine | instances | CPU s (best) | instances / CPU s | checksum |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for model in MODELS:
        program = program_of(model)
        runs = [("scalar", scalar)] + ([] if args.scalar_only else [("chunks", chunked)])
        for name, run in runs:
            seconds, checksum = best(run, program, args.instances, args.repeat)
            rate = args.instances / seconds
            print(
                f"| {model} | {name} | {args.instances} | {seconds:.2f} | {rate:,.0f} "
                f"| {checksum:x} |"
            )


if __name__ == "__main__":
    main()
