"""Generate a large flat state machine (no variables) for the state machine benchmark.

Shape: states s0..s{N-1}; each non-final state has three transitions on its own events
e0/e1/e2: a chain edge to the next state (so every state is reachable and can reach the
final one) and two edges to pseudo-random earlier or later states. The last state is the
only final state and has no outgoing transitions, so a correct checker reports nothing.
"""

from __future__ import annotations

import argparse
import random


def generate(states: int, seed: int = 7) -> str:
    """The YAML text of the machine; ``3 * (states - 1)`` transitions."""
    rng = random.Random(seed)
    names = [f"s{i}" for i in range(states)]
    lines = [
        "kind: statemachine",
        f"name: generated-{states}",
        "states:",
        *(f"  - {name}" for name in names),
        "initial: s0",
        f"final: [{names[-1]}]",
        "transitions:",
    ]
    for i in range(states - 1):
        lines.append(f"  - {names[i]} -> {names[i + 1]} on e0")
        lines.append(f"  - {names[i]} -> {names[rng.randrange(states)]} on e1")
        lines.append(f"  - {names[i]} -> {names[rng.randrange(states)]} on e2")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("output")
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(generate(args.states, args.seed))


if __name__ == "__main__":
    main()
