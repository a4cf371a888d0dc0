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
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as handle:
    doc = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
parsed = time.perf_counter()
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
done = time.perf_counter()
print(json.dumps({"parse": parsed - start, "analysis": done - parsed,
                  "findings": len(deadlocks) + len(trapped) + len(graph) - len(reachable)}))
"""

ARCHCTL_PHASES = r"""
import json, sys, time
from archctl.check import run_checks
from archctl.load.loader import load_paths
start = time.perf_counter()
loaded = load_paths([sys.argv[1]])
parsed = time.perf_counter()
found = run_checks(loaded.specs)
done = time.perf_counter()
print(json.dumps({"parse": parsed - start, "analysis": done - parsed,
                  "findings": len(found) + len(loaded.diagnostics)}))
"""


def _phases(script: str, path: str) -> dict[str, float]:
    begin = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script, path], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    result["process"] = time.perf_counter() - begin
    return result


def _verify(path: str) -> tuple[float, int]:
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", path], capture_output=True, text=True
    )
    return time.perf_counter() - begin, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "machine.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(generate(args.states))
        rows = []
        for _ in range(args.repeat):
            base = _phases(BASELINE, path)
            ours = _phases(ARCHCTL_PHASES, path)
            whole, code = _verify(path)
            rows.append((base, ours, whole, code))
    best_base = min(rows, key=lambda row: row[0]["process"])[0]
    best_ours = min(rows, key=lambda row: row[1]["process"])[1]
    best_whole = min(row[2] for row in rows)
    codes = sorted({row[3] for row in rows})
    transitions = 3 * (args.states - 1)
    print(f"{args.states:,} states, {transitions:,} transitions; best of {args.repeat}\n")
    print("| tool | parse (s) | analysis (s) | whole process (s) | findings |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| baseline: CSafeLoader + networkx | {best_base['parse']:.2f} | "
        f"{best_base['analysis']:.2f} | {best_base['process']:.2f} | "
        f"{int(best_base['findings'])} |"
    )
    print(
        f"| archctl load + statemachine check | {best_ours['parse']:.2f} | "
        f"{best_ours['analysis']:.2f} | {best_ours['process']:.2f} | "
        f"{int(best_ours['findings'])} |"
    )
    print(f"| `archctl verify` (CLI, exit {codes}) | | | {best_whole:.2f} | |")
    print(f"\nratio whole `archctl verify` / baseline: {best_whole / best_base['process']:.2f}x")


if __name__ == "__main__":
    main()
