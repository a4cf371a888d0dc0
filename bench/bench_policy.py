"""Benchmark: policy analysis of `archctl verify` vs a straightforward Z3 baseline.

The baseline is what one writes first with Z3: one incremental solver with the attribute
domains, then every pair of rules checked for overlap (push / add both conditions / check /
pop) plus one "does it ever decide" query per rule (its condition and the negation of every
rule that takes precedence). ``archctl verify`` is timed as a whole process (python start-up,
loading, z3 import, all PO checks, report) on the same generated policy file.

    python bench/bench_policy.py            # 400 rules side by side, then 1,000 rules,
                                            # for both rule shapes (scoped, loose)
    python bench/bench_policy.py --rules 200 --large 500 --seed 7 --shapes scoped

The side-by-side runs are repeated (``--repeat``, default 3, baseline and ``verify``
interleaved) and the median of each tool's CPU and wall seconds is reported: the machine is
shared, and a single whole-process run of well under a second swings by 30% with other jobs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROLES = ["admin", "engineer", "contractor", "service", "guest", "auditor"]
DEPTS = ["eng", "ops", "sales", "hr", "legal", "finance", "support", "research"]
ZONES = ["corp", "vpn", "public"]
SENS = ["public", "internal", "confidential", "secret"]
HEADER = """kind: policy
name: random-{n}
attributes:
  user.role: {{type: enum, values: [{roles}]}}
  user.dept: {{type: enum, values: [{depts}]}}
  user.mfa: {{type: bool}}
  device.managed: {{type: bool}}
  network.zone: {{type: enum, values: [{zones}]}}
  resource.sensitivity: {{type: enum, values: [{sens}]}}
  risk: {{type: real, range: [0, 1]}}
  hour: {{type: int, range: [0, 23]}}
  src: {{type: ip}}
bands:
  trust:
    over: risk
    levels: {{high: "[0, 0.3]", medium: "(0.3, 0.7]", low: "(0.7, 1]"}}
combine: {combine}
default: deny
rules:
"""


def _atom(rng: random.Random, scoped: bool = False) -> str:
    pick = rng.choice([2, 3, 5, 6, 7, 8]) if scoped else rng.randrange(9)
    if pick == 0:
        return f'user.role == "{rng.choice(ROLES)}"'
    if pick == 1:
        values = ", ".join(f'"{v}"' for v in rng.sample(DEPTS, rng.randint(2, 4)))
        return f"user.dept in [{values}]"
    if pick == 2:
        return rng.choice(["user.mfa", "not user.mfa", "device.managed", "not device.managed"])
    if pick == 3:
        return f'network.zone {rng.choice(["==", "!="])} "{rng.choice(ZONES)}"'
    if pick == 4:
        return f'resource.sensitivity == "{rng.choice(SENS)}"'
    if pick == 5:
        return f"risk {rng.choice(['<', '>='])} {rng.randint(1, 9) / 10}"
    if pick == 6:
        low = rng.randint(0, 20)
        return f"hour >= {low} and hour <= {rng.randint(low, 23)}"
    if pick == 7:
        return f'trust == "{rng.choice(["high", "medium", "low"])}"'
    return f'src in "10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.0/{rng.choice([16, 20, 24])}"'


def _scope(rng: random.Random, shape: str) -> list[str]:
    """Who and what a rule is about, as access rules are written.

    ``scoped``: one role, one resource sensitivity and one department, the way Cedar/XACML
    rules scope principal and resource before adding conditions. ``loose``: a role (or two)
    and either a sensitivity or a department, so rules overlap far more (a stress case: most
    rules end up shadowed, redundant or conflicting).
    """
    if shape == "scoped":
        return [
            f'user.role == "{rng.choice(ROLES)}"',
            f'resource.sensitivity == "{rng.choice(SENS)}"',
            f'user.dept == "{rng.choice(DEPTS)}"',
        ]
    roles = rng.sample(ROLES, rng.choice([1, 1, 2]))
    who = (
        f'user.role == "{roles[0]}"'
        if len(roles) == 1
        else "user.role in [" + ", ".join(f'"{r}"' for r in roles) + "]"
    )
    what = (
        f'resource.sensitivity == "{rng.choice(SENS)}"'
        if rng.random() < 0.7
        else f'user.dept == "{rng.choice(DEPTS)}"'
    )
    return [who, what]


def generate(n: int, seed: int, combine: str, shape: str = "scoped") -> str:
    rng = random.Random(seed)
    lines = [
        HEADER.format(
            n=n,
            roles=", ".join(ROLES),
            depts=", ".join(DEPTS),
            zones=", ".join(ZONES),
            sens=", ".join(SENS),
            combine=combine,
        )
    ]
    extra = (1, 2) if shape == "scoped" else (1, 3)
    for index in range(n):
        effect = "deny" if rng.random() < 0.3 else "allow"
        atoms = _scope(rng, shape) + [_atom(rng, scoped=True) for _ in range(rng.randint(*extra))]
        lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{' and '.join(atoms)}'}}\n")
    return "".join(lines)


def baseline(path: str) -> tuple[float, float, int]:
    """The straightforward Z3 analysis; returns (CPU s, wall s, number of solver checks)."""
    import z3

    from archctl.check.policy.encode import encode
    from archctl.check.policy.request import takes_precedence
    from archctl.load.loader import load_file

    start, cpu = time.perf_counter(), time.process_time()
    policy = load_file(path).specs[0]
    ctx = z3.Context()
    encoding = encode(policy, ctx)  # type: ignore[arg-type]
    solver = z3.Solver(ctx=ctx)
    solver.add(*encoding.domain)
    matches = encoding.matches
    checks = 0
    for i in range(len(matches)):
        for j in range(i + 1, len(matches)):
            solver.push()
            solver.add(matches[i], matches[j])
            solver.check()
            solver.pop()
            checks += 1
    for i in range(len(matches)):
        solver.push()
        solver.add(matches[i])
        solver.add(*(z3.Not(matches[j]) for j in takes_precedence(policy, i)))  # type: ignore[arg-type]
        solver.check()
        solver.pop()
        checks += 1
    return time.process_time() - cpu, time.perf_counter() - start, checks


def run_archctl(*args: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """One whole ``archctl`` process: (CPU s of the child, wall s, its outcome); exits on an
    internal error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "archctl", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode == 3 or "internal error" in done.stderr:
        raise SystemExit(f"archctl failed: {done.stderr}")
    return cpu, elapsed, done


def verify(path: str) -> tuple[float, float, str]:
    """Whole ``archctl verify`` process: (CPU s of the child, wall s, summary line)."""
    cpu, elapsed, done = run_archctl("verify", path, "--fail-on", "error")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()
    return cpu, elapsed, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=400)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--combine", default="deny-overrides")
    parser.add_argument("--shapes", default="scoped,loose")
    parser.add_argument("--repeat", type=int, default=3, help="side-by-side runs (median)")
    args = parser.parse_args()
    print(
        f"| policy ({args.combine}, seed {args.seed}) | tool "
        f"| CPU s (median of {args.repeat}) | wall s | notes |"
    )
    print("| --- | --- | --- | --- | --- |")
    for shape in args.shapes.split(","):
        with tempfile.TemporaryDirectory() as folder:
            small = os.path.join(folder, f"{shape}-{args.rules}.yaml")
            large = os.path.join(folder, f"{shape}-{args.large}.yaml")
            with open(small, "w", encoding="utf-8") as handle:
                handle.write(generate(args.rules, args.seed, args.combine, shape))
            with open(large, "w", encoding="utf-8") as handle:
                handle.write(generate(args.large, args.seed, args.combine, shape))
            bases, ours = [], []
            for _ in range(args.repeat):  # interleaved, so both see the same machine load
                bases.append(baseline(small))
                ours.append(verify(small))
            base_cpu = statistics.median(run[0] for run in bases)
            base_wall = statistics.median(run[1] for run in bases)
            checks = bases[0][2]
            ours_cpu = statistics.median(run[0] for run in ours)
            ours_wall = statistics.median(run[1] for run in ours)
            summary = ours[0][2]
            large_cpu, large_wall, large_summary = verify(large)
        name = f"{args.rules} {shape} rules"
        print(
            f"| {name} | Z3 baseline (pairs + decide, push/pop) | {base_cpu:.2f} | "
            f"{base_wall:.2f} | {checks} solver checks, in-process (no start-up) |"
        )
        print(
            f"| {name} | `archctl verify` (whole process) | {ours_cpu:.2f} | {ours_wall:.2f} | "
            f"**{base_cpu / ours_cpu:.1f}x** less CPU ({base_wall / ours_wall:.1f}x wall); "
            f"{summary} |"
        )
        print(
            f"| {args.large} {shape} rules | `archctl verify` (whole process) | {large_cpu:.2f} | "
            f"{large_wall:.2f} | {large_summary} |"
        )


if __name__ == "__main__":
    main()
