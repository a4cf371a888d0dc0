"""Benchmark: termination and liveness proofs (issue 16).

1. Every state machine with termination or liveness questions among the examples and the test
   cases, verified as a whole `archctl verify` process each (target: under 1 s each). No
   liveness checker a user could pip-install (TLC, SPIN and nuXmv are Java/C tools outside
   PyPI) is available here, so this part is measured against the target alone.
2. The fair-lasso search on a finite machine of about 100,000 configurations against the plain
   reachability check (the breadth-first exploration every explicit check starts with) on
   the same machine, in one process (target: the liveness check within 2x reachability).

    python bench/bench_liveness.py                    # both parts
    python bench/bench_liveness.py --side 316 --repeat 3
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CASES = [
    *sorted(glob.glob(os.path.join(ROOT, "tests/cases/statemachine/termination-*.yaml"))),
    *sorted(glob.glob(os.path.join(ROOT, "tests/cases/statemachine/liveness-*.yaml"))),
    *sorted(glob.glob(os.path.join(ROOT, "tests/cases/statemachine/unbounded-*.yaml"))),
]


def machines() -> list[str]:
    from archctl.load.loader import load_paths

    examples = sorted(glob.glob(os.path.join(ROOT, "examples/*.yaml")))
    out = []
    for path in examples:
        if any(spec.kind == "statemachine" for spec in load_paths([path]).specs):
            out.append(path)
    return out + CASES


def whole_process(path: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", path, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(done.stdout)
    codes = sorted(d["code"] for d in report["diagnostics"])
    return wall, cpu, ", ".join(codes) or "clean"


def big_machine(side: int) -> str:
    """Two counters of ``side`` values each, a wrap-around loop and an exit that stays open."""
    top = side - 1
    return f"""kind: statemachine
name: lasso-bench
variables:
  a: {{type: int, range: [0, {top}], initial: 0}}
  b: {{type: int, range: [0, {top}], initial: 0}}
states: [run, done]
initial: run
final: [done]
transitions:
  - {{from: run, on: inc-a, to: run, guard: "a < {top}", do: "a = a + 1"}}
  - {{from: run, on: wrap-a, to: run, guard: "a == {top}", do: "a = 0"}}
  - {{from: run, on: inc-b, to: run, guard: "b < {top}", do: "b = b + 1"}}
  - {{from: run, on: wrap-b, to: run, guard: "b == {top}", do: "b = 0"}}
  - run -> done on stop
properties:
  - {{name: stops, eventually: "state == \\"done\\""}}
"""


def lasso_vs_reachability(side: int, repeat: int) -> tuple[int, float, float]:
    from archctl.check.statemachine.explicit import explore
    from archctl.check.statemachine.lasso import find_lasso
    from archctl.check.statemachine.liveness import _holds, space_graph
    from archctl.load.loader import load_paths

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(big_machine(side))
        [machine] = load_paths([path]).specs
    reach_times, lasso_times = [], []
    configs = 0
    for _ in range(repeat):
        start = time.process_time()
        space = explore(machine)  # type: ignore[arg-type]
        reach_times.append(time.process_time() - start)
        start = time.process_time()
        [prop] = space.machine.properties
        assert prop.condition is not None
        found = find_lasso(space_graph(space), "weak", [0], _holds(space, prop.condition))
        lasso_times.append(time.process_time() - start)
        assert found is None  # 'stop' is enabled everywhere: weak fairness forces it
        configs = len(space.state_of)
    return configs, min(reach_times), min(lasso_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--side", type=int, default=224, help="values per counter (2 x side^2 configurations)"
    )
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print("| machine | findings | wall s | CPU s |")
    print("| --- | --- | ---: | ---: |")
    for path in machines():
        wall, cpu, codes = whole_process(path)
        print(f"| {os.path.relpath(path, ROOT)} | {codes} | {wall:.2f} | {cpu:.2f} |")
    configs, reach, lasso = lasso_vs_reachability(args.side, args.repeat)
    print()
    print("| configurations | reachability CPU s | fair-lasso search CPU s | liveness / reach |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {configs:,} | {reach:.2f} | {lasso:.2f} | {(reach + lasso) / reach:.2f}x |")


if __name__ == "__main__":
    main()
