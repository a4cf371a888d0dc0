"""Benchmark: `archctl verify` on a 100k-state / 300k-transition machine vs the bare baseline.

The peer a user would pick instead is "load the YAML with PyYAML's CSafeLoader and run
networkx reachability, co-reachability and deadlock traversals by hand". Both run in fresh
processes, in the same run, on the same generated file; each reports its parse and analysis
phases, and the whole `archctl verify` process is timed from outside as well.

    python bench/bench_statemachine.py                 # 100,000 states, 1 repetition
    python bench/bench_statemachine.py --states 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_statemachine import generate

BASELINE = r"""
import json, sys, time
import networkx as nx
import yaml
start, cpu0 = time.perf_counter(), time.process_time()
with open(sys.argv[1], encoding="utf-8") as handle:
    doc = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
parsed, cpu1 = time.perf_counter(), time.process_time()
graph = nx.DiGraph()
graph.add_nodes_from(doc["states"])
for item in doc["transitions"]:
    source, rest = item.split("->")
    graph.add_edge(source.strip(), rest.split()[0])
reachable = nx.descendants(graph, doc["initial"]) | {doc["initial"]}
coreachable = set()
for final in doc["final"]:
    coreachable |= nx.ancestors(graph, final) | {final}
deadlocks = [s for s in reachable if graph.out_degree(s) == 0 and s not in doc["final"]]
trapped = [s for s in reachable if s not in coreachable]
done, cpu2 = time.perf_counter(), time.process_time()
print(json.dumps({"parse": parsed - start, "analysis": done - parsed,
                  "parse_cpu": cpu1 - cpu0, "analysis_cpu": cpu2 - cpu1,
                  "findings": len(deadlocks) + len(trapped) + len(graph) - len(reachable)}))
"""

ARCHCTL_PHASES = r"""
import json, sys, time
from archctl.kinds import check_specs
from archctl.load.loader import load_paths
start, cpu0 = time.perf_counter(), time.process_time()
loaded = load_paths([sys.argv[1]])
parsed, cpu1 = time.perf_counter(), time.process_time()
found = check_specs(loaded.specs)
done, cpu2 = time.perf_counter(), time.process_time()
print(json.dumps({"parse": parsed - start, "analysis": done - parsed,
                  "parse_cpu": cpu1 - cpu0, "analysis_cpu": cpu2 - cpu1,
                  "findings": len(found) + len(loaded.diagnostics)}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _phases(script: str, path: str) -> dict[str, float]:
    begin, cpu = time.perf_counter(), _children_cpu()
    out = subprocess.run(
        [sys.executable, "-c", script, path], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    result["process"] = time.perf_counter() - begin
    result["process_cpu"] = _children_cpu() - cpu
    return result


def _verify(path: str) -> dict[str, float]:
    begin, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", path], capture_output=True, text=True
    )
    return {
        "process": time.perf_counter() - begin,
        "process_cpu": _children_cpu() - cpu,
        "exit": done.returncode,
    }


def _row(name: str, run: dict[str, float]) -> str:
    def cell(key: str) -> str:
        if key not in run:
            return ""
        return f"{run[key]:.2f} ({run[key + '_cpu']:.2f})"

    findings = str(int(run["findings"])) if "findings" in run else f"exit {int(run['exit'])}"
    return f"| {name} | {cell('parse')} | {cell('analysis')} | {cell('process')} | {findings} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "machine.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(generate(args.states))
        runs: list[tuple[dict[str, float], ...]] = []
        for _ in range(args.repeat):
            runs.append((_phases(BASELINE, path), _phases(ARCHCTL_PHASES, path), _verify(path)))
    # best of the repetitions by CPU time: robust when other work shares the cores
    base, ours, whole = (
        min((r[i] for r in runs), key=lambda x: x["process_cpu"]) for i in range(3)
    )
    print(f"{args.states:,} states, {3 * (args.states - 1):,} transitions; best of {args.repeat}")
    print("wall seconds, CPU seconds in parentheses\n")
    print("| run | parse | analysis | whole process | findings |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(_row("baseline: PyYAML CSafeLoader + networkx traversals", base))
    print(_row("archctl load + statemachine checker (in one process)", ours))
    print(_row("`archctl verify` CLI", whole))
    wall = whole["process"] / base["process"]
    cpu = whole["process_cpu"] / base["process_cpu"]
    print(f"\n`archctl verify` / baseline, whole process: {wall:.2f}x wall, {cpu:.2f}x CPU")


if __name__ == "__main__":
    main()
