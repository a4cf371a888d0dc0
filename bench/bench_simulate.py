"""Benchmark: `archctl simulate` against SimPy, the library a user would reach for instead.

Both simulate the same two workflows of examples/ with the same distributions, the same
per-instance seeds and the same instance counts. SimPy runs every instance as a process in
one Environment (the idiomatic SimPy model: timeouts for durations and backoff, a loop for
retries with ``yield from``, ``all_of`` for the parallel join). Both sides run as a fresh
Python process, so start-up is included for both; we report CPU seconds (user + sys of the
child: stable on a shared machine) and instances per CPU second, and the share of successful
instances as a sanity check that both models agree.

    python bench/bench_simulate.py [--instances 100000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Generator
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {
    "order-workflow": os.path.join(ROOT, "examples", "order-workflow.yaml"),
    "async-message-processor": os.path.join(ROOT, "examples", "async-message-processor.yaml"),
}
SUCCESS = {"order-workflow": "delivered", "async-message-processor": "ack"}


def instance_seed(seed: int, index: int) -> int:
    """Same derivation as archctl.simulate.parallel.instance_seed (kept in sync by hand)."""
    return ((seed & ((1 << 64) - 1)) << 40) | index


# ---------------------------------------------------------------- SimPy models


def _task(
    env: Any,
    rng: random.Random,
    low: float,
    high: float,
    rate: float,
    deadline: float,
    attempts: int,
    backoff: float,
    multiplier: float,
    cap: float,
) -> Generator[Any, Any, bool]:
    """One task with retries: uniform duration, failure chance, per-attempt deadline."""
    for attempt in range(1, attempts + 1):
        took = low + (high - low) * rng.random()
        if took > deadline:
            yield env.timeout(deadline)
        elif rate and rng.random() < rate:
            yield env.timeout(took)
        else:
            yield env.timeout(took)
            return True
        if attempt < attempts:
            yield env.timeout(min(backoff * multiplier ** (attempt - 1), cap))
    return False


def simpy_async(env: Any, rng: random.Random, out: dict[str, int], lat: list[float]) -> Any:
    yield env.timeout(1 + 19 * rng.random())  # receive
    if rng.random() < 0.5:  # well_formed = any
        ok = yield from _task(env, rng, 50, 1500, 0.1, 5000, 4, 500, 2, 2000)
        if ok:
            out["ack"] += 1
            lat.append(env.now)
            return
    yield env.timeout(5 + 25 * rng.random())  # publish-to-dlq
    out["dead_letter"] += 1
    lat.append(env.now)


def _leg(
    env: Any,
    rng: random.Random,
    low: float,
    high: float,
    rate: float,
    deadline: float,
    attempts: int,
    backoff: float,
    cap: float,
) -> Generator[Any, Any, bool]:
    ok = yield from _task(env, rng, low, high, rate, deadline, attempts, backoff, 2, cap)
    return ok and rng.random() < 0.5  # sets: in_stock / paid = any


def simpy_order(env: Any, rng: random.Random, out: dict[str, int], lat: list[float]) -> Any:
    start = env.now
    ok = yield from _task(env, rng, 20, 150, 0.02, 2000, 3, 200, 2, 1000)
    if not ok:
        out["rejected"] += 1
        lat.append(env.now - start)
        return
    reserve = env.process(_leg(env, rng, 50, 400, 0.0, 3000, 1, 0, 0))
    charge = env.process(_leg(env, rng, 200, 2000, 0.05, 10000, 4, 500, 4000))
    yield env.all_of([reserve, charge])
    if reserve.value and charge.value:
        shipped = yield from _task(env, rng, 1000, 5000, 0.03, 30000, 5, 1000, 2, 10000)
        if shipped:
            out["delivered"] += 1
            lat.append(env.now - start)
            return
    yield env.timeout(100 + 400 * rng.random())  # compensate
    out["failed"] += 1
    lat.append(env.now - start)


def run_simpy(model: str, instances: int, seed: int) -> dict[str, Any]:
    import simpy

    env = simpy.Environment()
    out = {"ack": 0, "dead_letter": 0, "delivered": 0, "failed": 0, "rejected": 0}
    lat: list[float] = []
    body: Callable[..., Any] = simpy_order if model == "order-workflow" else simpy_async
    for index in range(instances):
        rng = random.Random(instance_seed(seed, index))
        env.process(body(env, rng, out, lat))
    env.run()
    return {"outcomes": {k: v for k, v in out.items() if v}, "mean": sum(lat) / len(lat)}


# ---------------------------------------------------------------- measurement


def _child(command: list[str]) -> tuple[float, float, str]:
    """Run a child process; return (CPU seconds, wall seconds, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout


def measure(model: str, instances: int, seed: int, repeat: int) -> dict[str, Any]:
    archctl = [
        sys.executable,
        "-m",
        "archctl",
        "simulate",
        MODELS[model],
        "-n",
        str(instances),
        "--seed",
        str(seed),
        "--format",
        "json",
    ]
    peer = [
        sys.executable,
        os.path.abspath(__file__),
        "--simpy-run",
        model,
        "--instances",
        str(instances),
        "--seed",
        str(seed),
    ]
    best: dict[str, tuple[float, float, str]] = {}
    for _ in range(repeat):
        for name, command in (("archctl", archctl), ("simpy", peer)):
            result = _child(command)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
    ours, theirs = json.loads(best["archctl"][2]), json.loads(best["simpy"][2])
    success = SUCCESS[model]
    return {
        "model": model,
        "instances": instances,
        "archctl": best["archctl"][:2],
        "simpy": best["simpy"][:2],
        "archctl_success": ours["outcomes"].get(success, 0) / instances,
        "simpy_success": theirs["outcomes"].get(success, 0) / instances,
        "archctl_mean": ours["latency_ms"]["mean"],
        "simpy_mean": theirs["mean"],
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| workflow | instances | archctl CPU s (wall) | archctl inst/s | SimPy CPU s (wall) "
        "| SimPy inst/s | speed-up | success share archctl / SimPy "
        "| mean latency ms archctl / SimPy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        (a_cpu, a_wall), (s_cpu, s_wall) = row["archctl"], row["simpy"]
        n = row["instances"]
        lines.append(
            f"| {row['model']} | {n} | {a_cpu:.2f} ({a_wall:.2f}) | {n / a_cpu:,.0f} "
            f"| {s_cpu:.2f} ({s_wall:.2f}) | {n / s_cpu:,.0f} | {s_cpu / a_cpu:.1f}x "
            f"| {row['archctl_success']:.4f} / {row['simpy_success']:.4f} "
            f"| {row['archctl_mean']:.1f} / {row['simpy_mean']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="keep the best of N runs")
    parser.add_argument("--simpy-run", choices=sorted(MODELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.simpy_run:
        print(json.dumps(run_simpy(args.simpy_run, args.instances, args.seed)))
        return
    rows = [measure(model, args.instances, args.seed, args.repeat) for model in MODELS]
    print(table(rows))


if __name__ == "__main__":
    main()
