"""archctl conform vs pm4py: token-based replay and alignments on the same net and log.

The model is a generated order-style workflow (parallel branches, a choice, a loop) with
about 10 activities per case. The log is drawn by random runs of the net (seeded) and
written once as CSV; deviating cases get one mutation each (a skipped, swapped or unknown
activity). Both sides are timed whole, as their users run them:

* archctl: `archctl conform model.yaml log.csv` in a fresh process (start-up included);
* pm4py: a fresh process that imports pm4py, reads the CSV with pandas, formats the frame
  and runs its own token-based replay (`pm4py.fitness_token_based_replay`) or alignments
  (`pm4py.conformance_diagnostics_alignments`, A* with the state-equation heuristic) on the
  equivalent Petri net; its import time is reported separately.

Run: python bench/bench_conform.py --cases 100000 --deviating 10000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = """kind: workflow
name: bench-order
nodes:
  start: {type: start}
  receive: {type: task}
  check: {type: task}
  split: {type: gateway, gateway: parallel}
  reserve: {type: task}
  pick: {type: task}
  charge: {type: task}
  join: {type: gateway, gateway: parallel}
  route: {type: gateway, gateway: exclusive}
  ship: {type: task}
  collect: {type: task}
  notify: {type: task}
  again: {type: gateway, gateway: exclusive}
  review: {type: task}
  done: {type: end}
flows: [start -> receive, receive -> check, check -> split, split -> reserve, reserve -> pick,
        split -> charge, pick -> join, charge -> join, join -> route, route -> ship,
        route -> collect, ship -> notify, collect -> notify, notify -> again,
        again -> review, review -> check, again -> done]
"""


def random_run(semantics, rng: random.Random) -> list[str]:  # type: ignore[no-untyped-def]
    marking = semantics.initial()[0]
    trace: list[str] = []
    while not semantics.complete(marking):
        moves = [(None, m) for m in semantics.silent(marking)] + list(semantics.visible(marking))
        if not moves:
            break
        label, marking = rng.choice(moves)
        if label is not None:
            trace.append(label)
        if len(trace) > 40:
            return random_run(semantics, rng)
    return trace


def mutate(trace: list[str], rng: random.Random) -> list[str]:
    out = list(trace)
    kind = rng.randrange(3)
    i = rng.randrange(len(out))
    if kind == 0:
        del out[i]
    elif kind == 1 and len(out) > 1:
        j = min(i + 1, len(out) - 1)
        out[i], out[j] = out[j], out[i]
        if out == trace:
            del out[i]
    else:
        out.insert(i, "audit")
    return out


def write_inputs(folder: Path, cases: int, deviating: int, seed: int) -> tuple[Path, Path, Path]:
    from archctl.conform.workflow_net import WorkflowSemantics, build_workflow_net
    from archctl.load.yaml.loader import load_yaml_text

    model = folder / "model.yaml"
    model.write_text(MODEL)
    (spec,) = load_yaml_text(str(model), MODEL).specs
    semantics = WorkflowSemantics(build_workflow_net(spec))
    rng = random.Random(seed)
    fitting = folder / "fitting.csv"
    mixed = folder / "deviating.csv"
    with fitting.open("w") as good, mixed.open("w") as bad:
        for out in (good, bad):
            out.write("case,activity,time\n")
        clock = 0
        for case in range(cases):
            trace = random_run(semantics, rng)
            for activity in trace:
                clock += 1
                good.write(f"c{case},{activity},{clock}\n")
            if case < deviating:
                for activity in mutate(trace, rng):
                    clock += 1
                    bad.write(f"d{case},{activity},{clock}\n")
    return model, fitting, mixed


PM4PY = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
started = time.perf_counter()
import pandas as pd
import pm4py
sys.path.insert(0, {root!r})
from archctl.conform.workflow_net import build_workflow_net
from archctl.load.yaml.loader import load_yaml_text
from tests.conform.pm4py_bridge import to_pm4py
imported = time.perf_counter()
(spec,) = load_yaml_text("model.yaml", open({model!r}).read()).specs
net, im, fm = to_pm4py(build_workflow_net(spec))
frame = pd.read_csv({log!r}, dtype={{"case": str, "activity": str}})
frame["time"] = pd.to_datetime(frame["time"], unit="s")
frame = pm4py.format_dataframe(frame, case_id="case", activity_key="activity", timestamp_key="time")
if {mode!r} == "tokens":
    result = pm4py.fitness_token_based_replay(frame, net, im, fm)
    value = result["log_fitness"]
    costs = None
else:
    aligned = pm4py.conformance_diagnostics_alignments(frame, net, im, fm)
    value = None
    costs = sorted(a["cost"] // 10000 for a in aligned)
done = time.perf_counter()
timing = {{"import": imported - started, "work": done - imported}}
print(json.dumps({{**timing, "fitness": value, "costs": costs}}))
"""


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall s, CPU s of the child, result): CPU is what to read on a shared machine."""
    cpu, started = child_cpu(), time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    return time.perf_counter() - started, child_cpu() - cpu, done


def run_pm4py(model: Path, log: Path, mode: str) -> tuple[float, float, dict]:  # type: ignore[type-arg]
    script = PM4PY.format(root=str(ROOT), model=str(model), log=str(log), mode=mode)
    wall, cpu, done = timed([sys.executable, "-c", script])
    assert done.returncode == 0, done.stderr
    return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])


def run_archctl(model: Path, log: Path, align: bool) -> tuple[float, float, dict]:  # type: ignore[type-arg]
    args = [sys.executable, "-m", "archctl", "conform", str(model), str(log), "--format", "json"]
    if align:
        args.append("--align")
    wall, cpu, done = timed(args)
    assert done.returncode in (0, 1), done.stderr
    return wall, cpu, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--deviating", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model, fitting, mixed = write_inputs(
            Path(tmp), options.cases, options.deviating, options.seed
        )
        events = sum(1 for _ in fitting.open()) - 1
        print(f"token replay: {options.cases} cases, {events} events; seconds as CPU (wall)")
        print("| run | archctl conform | pm4py | speed-up (CPU) | result |")
        print("| --- | ---: | ---: | ---: | --- |")
        for label, log in (("fitting log", fitting), ("with deviating cases", mixed)):
            ours = run_archctl(model, log, align=False)
            theirs = run_pm4py(model, log, "tokens")
            print(
                f"| token replay, {label} | {ours[1]:.2f} ({ours[0]:.2f}) | "
                f"{theirs[1]:.2f} ({theirs[0]:.2f}; import {theirs[2]['import']:.2f}) | "
                f"{theirs[1] / ours[1]:.1f}x | fitness {ours[2]['fitness']} vs "
                f"{theirs[2]['fitness']:.6f} |"
            )
        ours = run_archctl(model, mixed, align=True)
        theirs = run_pm4py(model, mixed, "align")
        our_costs = [d["cost"] for d in ours[2]["deviations"]]
        our_costs += [0] * (ours[2]["cases"] - len(our_costs))
        same = sorted(our_costs) == theirs[2]["costs"]
        print(
            f"| alignments, {len(theirs[2]['costs'])} cases | {ours[1]:.2f} ({ours[0]:.2f}) | "
            f"{theirs[1]:.2f} ({theirs[0]:.2f}; import {theirs[2]['import']:.2f}) | "
            f"{theirs[1] / ours[1]:.1f}x | costs identical: {same} |"
        )


if __name__ == "__main__":
    main()
