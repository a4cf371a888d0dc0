"""Differential test: the timed token game against a compositional oracle.

Random block-structured workflows (sequences, parallel splits with joins, exclusive choices
with merges) without data have a textbook worst case: a sequence adds, a parallel block takes
its slowest branch, a choice its slowest alternative (its fastest for the best case). The
oracle computes that on the block tree, with the task times written out from spec-format 1.1
independently of archctl's timing module; the checker explores the token game. They must agree.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from archctl.check.workflow.sla import process_time
from archctl.load.loader import load_paths


@dataclass
class Built:
    nodes: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    count: int = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


def task(rng: random.Random, out: Built) -> tuple[str, str, float, float]:
    name = out.fresh("t")
    if rng.random() < 0.5:
        value = rng.choice([10, 40, 100, 250])
        out.nodes.append(f"  {name}: {{type: task, duration: {{dist: fixed, value: {value}ms}}}}")
        return name, name, value, value
    deadline = rng.choice([50, 200, 1000])
    attempts = rng.randint(1, 3)
    backoff, multiplier, cap = rng.choice([10, 100]), rng.choice([1, 2, 3]), rng.choice([150, 400])
    waits = sum(min(backoff * multiplier ** (n - 1), cap) for n in range(1, attempts))
    out.nodes.append(
        f"  {name}: {{type: task, deadline: {deadline}ms, failure_rate: 0.1, "
        f"retry: {{max_attempts: {attempts}, backoff: {backoff}ms, multiplier: {multiplier}, "
        f"max_backoff: {cap}ms}}}}"
    )
    # it can fail, so the worst run uses every attempt; the best succeeds at once in 0 ms
    return name, name, attempts * deadline + waits, 0.0


def block(rng: random.Random, out: Built, depth: int) -> tuple[str, str, float, float]:
    """(entry, exit, worst ms, best ms) of a random block."""
    kind = rng.choice(["task", "seq", "par", "xor"]) if depth < 3 else "task"
    if kind == "task":
        return task(rng, out)
    parts = [block(rng, out, depth + 1) for _ in range(rng.randint(2, 3))]
    if kind == "seq":
        for (_, last, _, _), (first, _, _, _) in itertools.pairwise(parts):
            out.flows.append(f"  - {last} -> {first}")
        return parts[0][0], parts[-1][1], sum(p[2] for p in parts), sum(p[3] for p in parts)
    gateway = "parallel" if kind == "par" else "exclusive"
    split, join = out.fresh("split"), out.fresh("join")
    out.nodes.append(f"  {split}: {{type: gateway, gateway: {gateway}}}")
    out.nodes.append(f"  {join}: {{type: gateway, gateway: {gateway}}}")
    for first, last, _, _ in parts:
        out.flows += [f"  - {split} -> {first}", f"  - {last} -> {join}"]
    worst = max(p[2] for p in parts)
    best = max(p[3] for p in parts) if kind == "par" else min(p[3] for p in parts)
    return split, join, worst, best


def test_worst_and_best_case_match_the_block_oracle(tmp_path: Path) -> None:
    rng = random.Random("sla-oracle")
    stop = time.monotonic() + 3.0
    checked = 0
    while time.monotonic() < stop or checked < 10:
        out = Built()
        first, last, worst, best = block(rng, out, 0)
        text = "\n".join(
            [
                "kind: workflow",
                "name: random",
                "nodes:",
                "  start: {type: start}",
                "  end: {type: end}",
                *out.nodes,
                "flows:",
                f"  - start -> {first}",
                f"  - {last} -> end",
                *out.flows,
            ]
        )
        path = tmp_path / f"w{checked}.yaml"
        path.write_text(text + "\n", encoding="utf-8")
        loaded = load_paths([str(path)])
        assert not loaded.diagnostics, text
        found = process_time("random", loaded.specs, ())
        # an instance whose last attempt fails ends (failed) no later than the same run
        # succeeding, so the worst case is the oracle's; the best completes every task
        assert found == (worst, best), text
        checked += 1
        if checked >= 200:
            break
