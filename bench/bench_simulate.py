"""Benchmark: `archctl simulate` against SimPy run the way its users run large experiments.

Both simulate the two workflows of examples/ (order-workflow, async-message-processor) with
the same distributions, retry/backoff/deadline rules and instance counts. The SimPy peer is
the one an expert would write for a million instances: one ``Environment`` per 1,000
instances (chunked, so the event queue stays short), every instance a process, ``yield
from`` for a task's retries, random values drawn up front per chunk with numpy. Its draws
come from the counter-based generator archctl uses (``archctl.simulate.keyed``: a draw is
keyed by seed, instance, node, phase and number), so both sides see the same values per
instance and must agree *exactly*: the bench fails unless outcome counts, mean latency and
the latency percentiles are identical.

Both sides run as a fresh Python process, start-up included, one after the other in the same
run; we report CPU seconds (user + sys of the child: stable on a shared machine).

    python bench/bench_simulate.py [--instances 1000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Generator
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
MODELS = {
    "order-workflow": os.path.join(ROOT, "examples", "order-workflow.yaml"),
    "async-message-processor": os.path.join(ROOT, "examples", "async-message-processor.yaml"),
}
SUCCESS = {"order-workflow": "delivered", "async-message-processor": "ack"}
CHUNK = 1000


# ---------------------------------------------------------------- draws, per chunk


class Draws:
    """The keyed draws of one chunk of instances, computed with numpy up front.

    ``get(node, phase, count)`` is a list per draw number (1..count) of a list per instance:
    the ``number``-th draw of the stream (instance, node, visit 0, phase)."""

    def __init__(self, seed: int, start: int, stop: int, ids: list[str]) -> None:
        from archctl.simulate import keyed

        self.keyed = keyed
        self.keys = keyed.instance_keys(seed, start, stop)
        self.index = {node: i for i, node in enumerate(ids)}
        self.size = len(ids)

    def get(self, node: str, phase: int, count: int) -> list[list[float]]:
        streams = self.keyed.stream_keys(self.keys, self.index[node], 0, phase, self.size)
        return [self.keyed.units(streams, n).tolist() for n in range(1, count + 1)]


# ---------------------------------------------------------------- SimPy models


def _task(
    env: Any,
    draws: list[list[float]],
    i: int,
    low: float,
    high: float,
    rate: float,
    deadline: float,
    delays: tuple[float, ...],
) -> Generator[Any, Any, bool]:
    """A task with retries: uniform duration, then (with a failure rate) the failure draw;
    an attempt past the deadline times out there."""
    stride = 2 if rate else 1
    for attempt in range(len(delays) + 1):
        took = low + (high - low) * draws[attempt * stride][i]
        failing = rate and draws[attempt * stride + 1][i] < rate
        if took > deadline:
            yield env.timeout(deadline)
        elif failing:
            yield env.timeout(took)
        else:
            yield env.timeout(took)
            return True
        if attempt < len(delays):
            yield env.timeout(delays[attempt])
    return False


Body = Callable[[Any, dict[str, Any], int, dict[str, int], list[float]], Generator[Any, Any, None]]


def simpy_async(
    env: Any, d: dict[str, Any], i: int, out: dict[str, int], lat: list[float]
) -> Generator[Any, Any, None]:
    yield env.timeout(1.0 + 19.0 * d["receive"][0][i])
    if d["well_formed"][i] < 0.5:
        delays = (500.0, 1000.0, 2000.0)
        ok = yield from _task(env, d["process"], i, 50.0, 1500.0, 0.1, 5000.0, delays)
        if ok:
            out["ack"] += 1
            lat.append(env.now)
            return
    yield env.timeout(5.0 + 25.0 * d["dlq"][0][i])
    out["dead_letter"] += 1
    lat.append(env.now)


def simpy_order(
    env: Any, d: dict[str, Any], i: int, out: dict[str, int], lat: list[float]
) -> Generator[Any, Any, None]:
    ok = yield from _task(env, d["validate"], i, 20.0, 150.0, 0.02, 2000.0, (200.0, 400.0))
    if not ok:
        out["rejected"] += 1
        lat.append(env.now)
        return
    reserve = env.process(_task(env, d["reserve"], i, 50.0, 400.0, 0.0, 3000.0, ()))
    delays = (500.0, 1000.0, 2000.0)
    charge = env.process(_task(env, d["charge"], i, 200.0, 2000.0, 0.05, 10000.0, delays))
    paid = yield charge
    if not paid:  # no on_error: the instance fails at once, whatever reserve is doing
        out["(failed)"] += 1
        lat.append(env.now)
        return
    yield reserve
    if d["in_stock"][i] < 0.5 and d["paid"][i] < 0.5:
        delays = (1000.0, 2000.0, 4000.0, 8000.0)
        shipped = yield from _task(env, d["ship"], i, 1000.0, 5000.0, 0.03, 30000.0, delays)
        if shipped:
            out["delivered"] += 1
            lat.append(env.now)
            return
    yield env.timeout(100.0 + 400.0 * d["compensate"][0][i])
    out["failed"] += 1
    lat.append(env.now)


#: per model, what its SimPy body reads: name -> (node, phase, draws per instance); the
#: TIMING stream of a task holds (duration, failure draw) per attempt, the SETS one its `any`
WANTS: dict[str, dict[str, tuple[str, str, int]]] = {
    "order-workflow": {
        "validate": ("validate-order", "TIMING", 6),
        "reserve": ("reserve-inventory", "TIMING", 1),
        "in_stock": ("reserve-inventory", "SETS", 1),
        "charge": ("charge-payment", "TIMING", 8),
        "paid": ("charge-payment", "SETS", 1),
        "ship": ("ship", "TIMING", 10),
        "compensate": ("compensate", "TIMING", 1),
    },
    "async-message-processor": {
        "receive": ("receive", "TIMING", 1),
        "well_formed": ("receive", "SETS", 1),
        "process": ("process", "TIMING", 8),
        "dlq": ("publish-to-dlq", "TIMING", 1),
    },
}
PEERS: dict[str, Body] = {"order-workflow": simpy_order, "async-message-processor": simpy_async}


def prepare(model: str, draws: Draws) -> dict[str, Any]:
    """The chunk's draws each body reads; a SETS draw is one value per instance."""
    from archctl.simulate import keyed

    out: dict[str, Any] = {}
    for name, (node, phase, count) in WANTS[model].items():
        values = draws.get(node, getattr(keyed, phase), count)
        out[name] = values[0] if phase == "SETS" else values
    return out


def run_simpy(model: str, instances: int, seed: int) -> dict[str, Any]:
    import simpy

    from archctl.api import load_text
    from archctl.model.workflow import Workflow

    with open(MODELS[model], encoding="utf-8") as handle:
        (spec,) = [s for s in load_text(handle.read()) if isinstance(s, Workflow)]
    ids = [node.id for node in spec.nodes]
    body = PEERS[model]
    out = {"ack": 0, "dead_letter": 0, "delivered": 0, "failed": 0, "rejected": 0, "(failed)": 0}
    lat: list[float] = []
    for start in range(0, instances, CHUNK):
        stop = min(start + CHUNK, instances)
        draws = prepare(model, Draws(seed, start, stop, ids))
        env = simpy.Environment()
        for i in range(stop - start):
            env.process(body(env, draws, i, out, lat))
        env.run()
    return {"outcomes": {k: v for k, v in out.items() if v}, "latency_ms": latency(lat)}


def latency(values: list[float]) -> dict[str, float]:
    """Mean and nearest-rank percentiles, rounded as archctl rounds them."""
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(1, math.ceil(p / 100.0 * len(ordered))) - 1], 3)

    return {
        "mean": round(math.fsum(values) / len(values), 3),
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": round(ordered[-1], 3),
    }


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
    archctl = [sys.executable, "-m", "archctl", "simulate", MODELS[model]]
    archctl += ["-n", str(instances), "--seed", str(seed), "--format", "json"]
    peer = [sys.executable, os.path.abspath(__file__), "--simpy-run", model]
    peer += ["--instances", str(instances), "--seed", str(seed)]
    best: dict[str, tuple[float, float, str]] = {}
    for _ in range(repeat):
        for name, command in (("archctl", archctl), ("simpy", peer)):
            result = _child(command)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
    ours, theirs = json.loads(best["archctl"][2]), json.loads(best["simpy"][2])
    ours_outcomes = {k: v for k, v in ours["outcomes"].items() if v}
    if ours_outcomes != theirs["outcomes"] or ours["latency_ms"] != theirs["latency_ms"]:
        raise SystemExit(
            f"{model}: the models disagree:\n archctl {ours_outcomes} {ours['latency_ms']}\n"
            f" SimPy   {theirs['outcomes']} {theirs['latency_ms']}"
        )
    return {
        "model": model,
        "instances": instances,
        "archctl": best["archctl"][:2],
        "simpy": best["simpy"][:2],
        "success": ours["outcomes"].get(SUCCESS[model], 0) / instances,
        "mean": ours["latency_ms"]["mean"],
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| workflow | instances | archctl CPU s (wall) | archctl inst/s "
        "| SimPy chunked CPU s (wall) | SimPy inst/s | speed-up "
        "| success share (both) | mean latency ms (both) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        (a_cpu, a_wall), (s_cpu, s_wall) = row["archctl"], row["simpy"]
        n = row["instances"]
        lines.append(
            f"| {row['model']} | {n:,} | {a_cpu:.2f} ({a_wall:.2f}) | {n / a_cpu:,.0f} "
            f"| {s_cpu:.2f} ({s_wall:.2f}) | {n / s_cpu:,.0f} | {s_cpu / a_cpu:.1f}x "
            f"| {row['success']:.6f} | {row['mean']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--instances", type=int, default=1_000_000)
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
