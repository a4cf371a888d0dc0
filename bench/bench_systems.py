"""Benchmark: `archctl verify` on systems vs SPIN on the same models (see gen_systems.py).

SPIN is what a user would pick for exactly this. Both sides run as whole processes: SPIN is
`spin -a` + `gcc -O2 -DSAFETY` + `./pan` (its default partial-order reduction on), archctl is
`python -m archctl verify FILE`. Times are CPU seconds of the child processes (user + sys),
wall in parentheses: the 2-core machine is shared, so wall time is inflated by other jobs.
Counts: SPIN's "states, stored" (with POR; `-c0`: it does not stop at the first error, so
it explores the whole state space as archctl does) and the configurations archctl explored
for deadlock and safety (with its reductions; from the proof certificate or the finding
note, taken in a separate untimed run).

    python bench/bench_systems.py                      # the full table (several minutes)
    python bench/bench_systems.py --quick              # smallest sizes only

SPIN is a benchmark-only dependency: this script installs it with apt-get when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_systems import MODELS

PLAN = [
    *(("philosophers-naive", n) for n in range(3, 13)),
    *(("philosophers-ordered", n) for n in range(3, 13)),
    *(("two-phase-commit", n) for n in range(2, 6)),
    *(("alternating-bit", k) for k in range(1, 5)),
]
QUICK = [
    ("philosophers-naive", 3),
    ("philosophers-ordered", 3),
    ("two-phase-commit", 2),
    ("alternating-bit", 1),
]

COUNT = r"""
import json, re, sys
from archctl.check import CheckOptions
from archctl.verify import verify_paths
outcome = verify_paths([sys.argv[1]], CheckOptions(max_states=int(sys.argv[2])))
counts = [int(m.group(1).replace(",", "")) for d in outcome.diagnostics for n in d.notes
          for m in [re.search(r"explored ([0-9,]+) configurations", n)] if m]
counts += [int(p.certificate.split()[0].replace(",", "")) for p in outcome.proved
           if p.check == "SY102" and p.certificate]
print(json.dumps({"configurations": max(counts) if counts else None}))
"""


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: the archctl of this checkout, whatever is installed
ENV = {**os.environ, "PYTHONPATH": ROOT}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ensure_spin() -> None:
    if shutil.which("spin") is None:
        subprocess.run(["apt-get", "install", "-y", "spin"], check=True, capture_output=True)


def run_spin(pml: str, folder: str, timeout: float) -> dict[str, object]:
    begin, cpu = time.perf_counter(), _cpu()
    try:
        subprocess.run(
            ["spin", "-a", pml], cwd=folder, check=True, capture_output=True, timeout=timeout
        )
        subprocess.run(
            ["gcc", "-O2", "-DSAFETY", "-o", "pan", "pan.c"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        out = subprocess.run(
            ["./pan", "-m10000000", "-c0"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout
    except subprocess.TimeoutExpired:
        return {"verdict": "timeout", "cpu": _cpu() - cpu, "wall": time.perf_counter() - begin}
    stored = re.search(r"([0-9]+) states, stored", out)
    errors = re.search(r"errors: ([0-9]+)", out)
    if errors and int(errors.group(1)):
        verdict = "deadlock" if "invalid end state" in out else "violated"
    else:
        verdict = "ok"
    return {
        "verdict": verdict,
        "states": int(stored.group(1)) if stored else None,
        "cpu": _cpu() - cpu,
        "wall": time.perf_counter() - begin,
    }


def run_archctl(path: str, timeout: float, budget: int) -> dict[str, object]:
    begin, cpu = time.perf_counter(), _cpu()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "archctl",
                "verify",
                path,
                "--max-states",
                str(budget),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=ENV,
        )
    except subprocess.TimeoutExpired:
        return {"verdict": "timeout", "cpu": _cpu() - cpu, "wall": time.perf_counter() - begin}
    cpu, wall = _cpu() - cpu, time.perf_counter() - begin
    found = json.loads(done.stdout)["diagnostics"]
    codes = {d["code"] for d in found if d["severity"] == "error"}
    verdict = "ok"
    for code, meaning in (("SY901", "inconclusive"), ("SY201", "violated"), ("SY102", "deadlock")):
        if code in codes:
            verdict = meaning
    counted = subprocess.run(
        [sys.executable, "-c", COUNT, path, str(budget)],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    return {
        "verdict": verdict,
        "configurations": json.loads(counted.stdout)["configurations"],
        "cpu": cpu,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0, help="per process, seconds")
    parser.add_argument("--max-states", type=int, default=2_000_000)
    args = parser.parse_args()
    _ensure_spin()
    print(
        "| model | size | SPIN verdict | SPIN states (POR) | SPIN CPU s (wall) "
        "| archctl verdict | archctl configurations | archctl CPU s (wall) | same verdict |"
    )
    print("| --- | ---: | --- | ---: | ---: | --- | ---: | ---: | --- |")
    for model, size in QUICK if args.quick else PLAN:
        with tempfile.TemporaryDirectory() as folder:
            yaml_text, promela = MODELS[model](size)
            path, pml = os.path.join(folder, "model.yaml"), os.path.join(folder, "model.pml")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(yaml_text)
            with open(pml, "w", encoding="utf-8") as handle:
                handle.write(promela)
            spin = run_spin("model.pml", folder, args.timeout)
            ours = run_archctl(path, args.timeout, args.max_states)
        same = "yes" if spin["verdict"] == ours["verdict"] else "**no**"
        if "timeout" in (spin["verdict"], ours["verdict"]):
            same = "n/a"
        print(
            f"| {model} | {size} | {spin['verdict']} | {spin.get('states', '')} "
            f"| {spin['cpu']:.2f} ({spin['wall']:.2f}) | {ours['verdict']} "
            f"| {ours.get('configurations', '')} | {ours['cpu']:.2f} ({ours['wall']:.2f}) "
            f"| {same} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
