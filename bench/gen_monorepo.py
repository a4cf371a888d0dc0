"""Generate a monorepo of spec files: what a platform team's `archctl verify specs/` sees.

Team folders of state machines (some with unreachable states and deadlocks), generated
workflows (sound, deadlocking or unsafe), first-applicable policies (shadowed rules,
gaps) and parent workflows whose subprocess lives in another team's file (a reference
across files), plus a spec name defined twice in two files (LD006, a cross-file check).
Used by bench/bench_verify_jobs.py and by the --jobs / --cluster tests.

    python bench/gen_monorepo.py --specs 300 OUTDIR
"""

from __future__ import annotations

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_policy import generate as policy
from gen_statemachine import generate as machine
from gen_workflow import workflow

TEAMS = ("billing", "identity", "orders", "search", "shipping", "support")


def _renamed(text: str, name: str) -> str:
    head, _, rest = text.partition("\nname: ")
    return f"{head}\nname: {name}\n{rest.partition(chr(10))[2]}"


def _statemachine(index: int, rng: random.Random, scale: int) -> str:
    states = rng.randint(30, 120) * scale
    text = _renamed(machine(states, seed=index), f"machine-{index}")
    if index % 3 == 0:  # a state no transition enters, and one that traps the run
        text = text.replace("states:\n", "states:\n  - orphan\n  - stuck\n", 1)
        text += f"  - s0 -> stuck on e{index}\n"
    return text


def _workflow(index: int, rng: random.Random, scale: int) -> str:
    defect = rng.choice([None, None, "deadlock", "unsafe"])
    nodes = rng.randint(20, 60) * scale
    return _renamed(workflow(nodes, index, defect), f"flow-{index}")


def _policy(index: int, rng: random.Random, scale: int) -> str:
    rules = rng.randint(10, 30) * scale
    return _renamed(policy(rules, index, "first-applicable"), f"policy-{index}")


def _parent(index: int, child: str) -> str:
    return (
        f"kind: workflow\nname: parent-{index}\nnodes:\n  start: {{type: start}}\n"
        f"  call: {{type: task, task: subprocess, process: {child}}}\n"
        "  done: {type: end}\nflows:\n  - start -> call\n  - call -> done\n"
    )


def generate(folder: str, specs: int, seed: int = 1, scale: int = 1) -> list[str]:
    """Write ``specs`` spec files under ``folder``; their paths, in the order written.

    ``scale`` multiplies the size of each machine, workflow and policy (heavier checks).
    """
    rng = random.Random(seed)
    paths = []
    for index in range(specs):
        kind = index % 4
        if kind == 0:
            text = _statemachine(index, rng, scale)
        elif kind == 1:
            text = _workflow(index, rng, scale)
        elif kind == 2:
            text = _policy(index, rng, scale)
        else:
            text = _parent(index, f"flow-{index - 2}")  # in another team's folder
        if index == specs - 1 and specs > 8:  # machine-0 defined twice: LD006
            text = _renamed(_statemachine(index, rng, scale), "machine-0")
        team = TEAMS[index % len(TEAMS)]
        path = os.path.join(folder, team, f"spec-{index:04d}.yaml")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("output")
    args = parser.parse_args()
    generate(args.output, args.specs, args.seed, args.scale)


if __name__ == "__main__":
    main()
