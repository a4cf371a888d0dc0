"""Pre-commit latency: `archctl verify examples/` as a whole process, wall time.

The peer a team would otherwise put in a pre-commit hook for spec files is schema
validation with check-jsonschema against the same JSON Schemas (specs/*.schema.json): it
proves nothing about behaviour, so it is the floor archctl's start-up is measured against.

    pip install -e ".[bench]" && python bench/bench_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def wall(argv: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)


def kind_of(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("kind:"):
            return line.split(":", 1)[1].strip()
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    median, worst = wall([sys.executable, "-m", "archctl", "verify", "examples/"], args.runs)
    rows.append(("archctl verify examples/ (load + all proofs)", median, worst))
    peer = shutil.which("check-jsonschema")
    if peer:
        total_median = 0.0
        total_worst = 0.0
        for kind in ("workflow", "statemachine", "plugins", "policy"):
            files = [str(p) for p in EXAMPLES if kind_of(p) == kind]
            if not files:
                continue
            schema = str(ROOT / "specs" / f"{kind}.schema.json")
            m, w = wall([peer, "--schemafile", schema, *files], args.runs)
            total_median += m
            total_worst += w
        rows.append(
            ("check-jsonschema, 4 schemas (schema only, no proofs)", total_median, total_worst)
        )
    print(f"runs per command: {args.runs}; {len(EXAMPLES)} example specs\n")
    print("| command | median wall (s) | worst (s) |")
    print("| --- | ---: | ---: |")
    for name, m, w in rows:
        print(f"| {name} | {m:.3f} | {w:.3f} |")


if __name__ == "__main__":
    main()
