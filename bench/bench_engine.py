"""Benchmark: the simulation engine alone (``simulate/engine.py:run_instance``), in-process.

``bench_simulate.py`` times whole ``archctl simulate`` runs against SimPy; this one isolates
the event loop, for before/after comparisons of changes to it: CPU seconds per 100,000
instances of the example workflows (compile once, one seeded RNG per instance as the
``simulate`` command does), best of ``--repeat`` runs, with a checksum of the outcomes so a
refactoring that changes behaviour shows. Run it on two checkouts to compare:

    PYTHONPATH=. python bench/bench_engine.py --instances 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from archctl.api import load_text
from archctl.model.workflow import Workflow
from archctl.simulate.engine import counters_for, run_instance
from archctl.simulate.workflow import compile_workflow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MODELS = ("order-workflow", "async-message-processor", "approval-process")


def measure(model: str, instances: int, repeat: int) -> tuple[float, int]:
    specs = load_text((EXAMPLES / f"{model}.yaml").read_text(encoding="utf-8"))
    workflows = {spec.name: spec for spec in specs if isinstance(spec, Workflow)}
    program = compile_workflow(workflows[specs[0].name], workflows)
    best = float("inf")
    checksum = 0
    for _ in range(repeat):
        counters = counters_for(program)
        checksum = 0
        started = time.process_time()
        for index in range(instances):
            outcome, finished = run_instance(program, random.Random(index), counters)
            checksum = (checksum * 31 + outcome * 1_000_003 + int(finished)) % (1 << 61)
        best = min(best, time.process_time() - started)
    return best, checksum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="keep the best of N runs")
    args = parser.parse_args()
    print("| workflow | instances | CPU s (best) | instances / CPU s | outcome checksum |")
    print("| --- | ---: | ---: | ---: | --- |")
    for model in MODELS:
        seconds, checksum = measure(model, args.instances, args.repeat)
        rate = args.instances / seconds
        print(f"| {model} | {args.instances} | {seconds:.2f} | {rate:,.0f} | {checksum:x} |")


if __name__ == "__main__":
    main()
