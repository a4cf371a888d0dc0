"""Benchmark: policy analysis at scale (#19), random rule sets of 1,000 to 10,000 rules.

The shape of the issue: six attributes (two ints 0..1000 compared with `<`, `>` and ranges,
an enum of five values, a bool, an IPv4 address in random /8 to /24 blocks, a string), one to
three atoms per rule, mixed allow/deny, first-applicable. ``archctl verify`` runs as a whole
process per size; at 400 and 1,000 rules the plain pairwise Z3 encoding (``bench_policy.
baseline``) runs side by side, on this shape and on the "loose" shape of bench_policy.py.
Each row carries a digest of the findings (JSON report, sorted) so that a change that makes
the analysis faster can be shown to find exactly the same things.

    python bench/bench_policy_scale.py                      # sizes, then the peer at 400/1,000
    python bench/bench_policy_scale.py --sizes 1000,2000 --peer none
    python bench/bench_policy_scale.py --sizes "" --shapes loose --formats text,json --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_policy import baseline, run_archctl
from bench_policy import generate as generate_loose

KINDS = ["web", "api", "batch", "admin", "mobile"]
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "zeta"]


def _atom(rng: random.Random) -> str:
    pick = rng.randrange(6)
    if pick in (0, 1):
        name = "a" if pick == 0 else "b"
        form = rng.randrange(3)
        if form == 0:
            return f"{name} < {rng.randint(1, 1000)}"
        if form == 1:
            return f"{name} > {rng.randint(0, 999)}"
        low = rng.randint(0, 1000)
        return f"{name} >= {low} and {name} <= {rng.randint(low, 1000)}"
    if pick == 2:
        return f'kind {rng.choice(["==", "!="])} "{rng.choice(KINDS)}"'
    if pick == 3:
        return rng.choice(["flag", "not flag"])
    if pick == 4:
        prefix = rng.randint(8, 24)
        address = rng.getrandbits(32) & ~((1 << (32 - prefix)) - 1) & 0xFFFFFFFF
        dotted = ".".join(str((address >> s) & 255) for s in (24, 16, 8, 0))
        return f'src in "{dotted}/{prefix}"'
    return f'name {rng.choice(["==", "!="])} "{rng.choice(WORDS)}"'


def generate(n: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = [
        f"kind: policy\nname: scale-{n}\nattributes:\n"
        "  a: {type: int, range: [0, 1000]}\n"
        "  b: {type: int, range: [0, 1000]}\n"
        f"  kind: {{type: enum, values: [{', '.join(KINDS)}]}}\n"
        "  flag: {type: bool}\n"
        "  src: {type: ip}\n"
        "  name: {type: string}\n"
        "combine: first-applicable\ndefault: deny\nrules:\n"
    ]
    for index in range(n):
        effect = rng.choice(["allow", "deny"])
        body = " and ".join(_atom(rng) for _ in range(rng.randint(1, 3)))
        lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{body}'}}\n")
    return "".join(lines)


def verify(path: str, output: str = "json") -> tuple[float, float, str, str]:
    """Whole ``archctl verify`` process: (CPU s, wall s, finding counts, digests).

    Two digests of the JSON findings: of the verdicts (code, subject, severity, line: what
    is found) and of everything (messages, notes and witnesses too). With ``output="text"``
    the default text report is timed instead and the digest is of its bytes (the file's
    temporary folder taken out); the counts are then the report's summary line.
    """
    if output == "text":
        cpu, elapsed, done = run_archctl("verify", path, "--color", "never")
        text = done.stdout.replace(os.path.dirname(path), "<dir>")
        summary = text.strip().splitlines()[-2] if text.strip() else done.stderr.strip()
        return cpu, elapsed, summary, hashlib.sha256(text.encode()).hexdigest()[:12]
    cpu, elapsed, done = run_archctl("verify", path, "--format", "json")
    found = json.loads(done.stdout)["diagnostics"]
    for finding in found:
        finding.pop("file", None)  # a temporary folder
    verdicts = sorted((f["code"], f.get("subject") or "", f["severity"], f["line"]) for f in found)
    counts: dict[str, int] = {}
    for code, *_ in verdicts:
        counts[code] = counts.get(code, 0) + 1
    summary = ", ".join(f"{code} {count}" for code, count in sorted(counts.items()))
    everything = sorted(json.dumps(f, sort_keys=True) for f in found)
    digests = f"{_digest(verdicts)} / {_digest(everything)}"
    return cpu, elapsed, summary, digests


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--peer", default="400,1000", help="sizes for the Z3 peer, or none")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="verify the peer inputs without running the Z3 peer (digests of another build)",
    )
    parser.add_argument("--shapes", default="random,loose", help="rule shapes of the peer rows")
    parser.add_argument(
        "--formats", default="json", help="report formats timed on the peer inputs: json,text"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="peer rows: interleaved runs (median)"
    )
    args = parser.parse_args()
    print(f"load average before: {_load()}", flush=True)
    print(
        f"| policy (seed {args.seed}) | tool | CPU s | wall s | findings "
        + "| digest (verdicts / all) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    timings: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in [int(s) for s in args.sizes.split(",") if s]:
            path = os.path.join(folder, f"scale-{size}.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(generate(size, args.seed))
            cpu, wall, summary, digest = verify(path)
            timings.append((size, cpu))
            print(
                f"| {size} random rules | `archctl verify` | {cpu:.2f} | {wall:.2f} "
                f"| {summary} | {digest} |",
                flush=True,
            )
        for (n1, t1), (n2, t2) in itertools.pairwise(timings):
            exponent = math.log(t2 / t1) / math.log(n2 / n1)
            print(
                f"growth {n1} -> {n2} rules: CPU x{t2 / t1:.2f} for x{n2 / n1:.1f} rules, "
                f"exponent {exponent:.2f}",
                flush=True,
            )
        peers = [] if args.peer == "none" else [int(s) for s in args.peer.split(",")]
        for size in peers:
            for shape in args.shapes.split(","):
                path = os.path.join(folder, f"peer-{shape}-{size}.yaml")
                text = (
                    generate(size, args.seed)
                    if shape == "random"
                    else generate_loose(size, args.seed, "deny-overrides", "loose")
                )
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                _peer_rows(path, f"{size} {shape} rules", args)
    print(f"load average after: {_load()}", flush=True)


def _peer_rows(path: str, name: str, args: argparse.Namespace) -> None:
    """The Z3 peer and ``archctl verify`` in each format on one input, interleaved
    ``--repeat`` times (medians: a sub-second process swings with the machine's load)."""
    formats = args.formats.split(",")
    ours: dict[str, list[tuple[float, float, str, str]]] = {f: [] for f in formats}
    bases: list[tuple[float, float, int]] = []
    for _ in range(args.repeat):
        if not args.no_baseline:
            bases.append(baseline(path))
        for output in formats:
            ours[output].append(verify(path, output))
    base_cpu = statistics.median(run[0] for run in bases) if bases else 0.0
    if bases:
        base_wall = statistics.median(run[1] for run in bases)
        print(
            f"| {name} | Z3 pairwise (in-process) | {base_cpu:.2f} | {base_wall:.2f} "
            f"| {bases[0][2]} solver checks | |",
            flush=True,
        )
    for output, runs in ours.items():
        cpu = statistics.median(run[0] for run in runs)
        wall = statistics.median(run[1] for run in runs)
        summary, digest = runs[0][2], runs[0][3]
        if len({run[3] for run in runs}) != 1:
            raise SystemExit(f"{name}: the {output} report differs between runs")
        ratio = f"**{base_cpu / cpu:.1f}x** less CPU; " if bases else ""
        print(
            f"| {name} | `archctl verify` ({output}, whole process) | {cpu:.2f} | {wall:.2f} "
            f"| {ratio}{summary} | {digest} |",
            flush=True,
        )


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
