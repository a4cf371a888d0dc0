"""Benchmark: `archctl verify` in every report format, with tens of thousands of findings.

The shape: 100,000 states of which every third has no incoming transition (33,333 SM101
findings, each with a note and a help line, and 66,667 proved reachability facts in the
JSON ``proved`` list). The peer is the one of bench/bench_statemachine.py: PyYAML's
CSafeLoader plus bare networkx reachability, co-reachability and deadlock traversals,
which finds the same unreachable states but writes no report. Every run is a fresh
process in the same session; CPU seconds (user + system of the child) are the measure,
the machine being shared. The table also gives the in-process render time per format.

    python bench/bench_report.py                       # 100,000 states, best of 1
    python bench/bench_report.py --states 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_statemachine import BASELINE
from bench_statemachine import _children_cpu as _cpu

FORMATS = ("json", "sarif", "text", "github", "gitlab", "junit", "concise")

RENDER = r"""
import io, json, sys, time
from rich.console import Console
from archctl.commands.verify_output import render
from archctl.report.text import render_plain, render_text
from archctl.verify import verify_paths
outcome = verify_paths([sys.argv[1]])
times = {}
for fmt in sys.argv[2:]:
    cpu = time.process_time()
    if fmt == "text":
        console = Console(file=io.StringIO(), highlight=False, emoji=False)
        render_text(console, outcome.diagnostics, outcome.sources, outcome.files, outcome.specs)
    else:
        render(outcome, fmt, "error", ".")
    times[fmt] = time.process_time() - cpu
print(json.dumps({"findings": len(outcome.diagnostics), "render": times}))
"""


def generate(states: int, seed: int = 7) -> str:
    """Every third state unreachable (it only leaves); the others form a chain with jumps."""
    rng = random.Random(seed)
    names = [f"s{i}" for i in range(states)]
    chain = [name for i, name in enumerate(names) if i % 3 != 2]
    orphans = [name for i, name in enumerate(names) if i % 3 == 2]
    lines = ["kind: statemachine", f"name: unreachable-{states}", "states:"]
    lines += [f"  - {name}" for name in names]
    lines += ["initial: s0", f"final: [{chain[-1]}]", "transitions:"]
    for i in range(len(chain) - 1):
        lines.append(f"  - {chain[i]} -> {chain[i + 1]} on e0")
        lines.append(f"  - {chain[i]} -> {chain[rng.randrange(len(chain))]} on e1")
    lines += [f"  - {name} -> {chain[rng.randrange(len(chain))]} on e0" for name in orphans]
    return "\n".join(lines) + "\n"


def _process(argv: list[str]) -> tuple[float, float, str]:
    """(wall, CPU) seconds of a fresh process, and its stdout (small outputs only)."""
    begin, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - begin, _cpu() - cpu, done.stdout


def _verify(path: str, fmt: str) -> tuple[float, float]:
    begin, cpu = time.perf_counter(), _cpu()
    with open(os.devnull, "w") as sink:
        subprocess.run(
            [sys.executable, "-m", "archctl", "verify", path, "--format", fmt],
            stdout=sink,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - begin, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    import json

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "machine.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(generate(args.states))
        base: list[tuple[float, float]] = []
        runs: dict[str, list[tuple[float, float]]] = {fmt: [] for fmt in FORMATS}
        for _ in range(args.repeat):
            wall, cpu, out = _process([sys.executable, "-c", BASELINE, path])
            base.append((wall, cpu))
            baseline_findings = json.loads(out)["findings"]
            for fmt in FORMATS:
                runs[fmt].append(_verify(path, fmt))
        _, _, out = _process([sys.executable, "-c", RENDER, path, *FORMATS])
        rendered = json.loads(out)
    best = min(base, key=lambda run: run[1])
    print(
        f"{args.states:,} states; archctl findings: {rendered['findings']:,} "
        f"(baseline counts {baseline_findings:,}); best of {args.repeat} by CPU"
    )
    load_after = os.getloadavg()[0]
    print(f"machine load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print("CPU seconds (wall in parentheses)\n")
    print("| run | whole process | / baseline (CPU) | render in process |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| baseline: CSafeLoader + networkx traversals | {best[1]:.2f} ({best[0]:.2f}) | 1.00x | |"
    )
    for fmt in FORMATS:
        wall, cpu = min(runs[fmt], key=lambda run: run[1])
        print(
            f"| `archctl verify --format {fmt}` | {cpu:.2f} ({wall:.2f}) | "
            f"{cpu / best[1]:.2f}x | {rendered['render'][fmt]:.2f} |"
        )


if __name__ == "__main__":
    main()
