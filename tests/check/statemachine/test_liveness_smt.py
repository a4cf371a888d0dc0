"""Differential test: the Z3 liveness engine against the explicit fair-lasso search.

On tiny random machines with one bounded counter both engines can run; the explicit search is
exhaustive, so it is the oracle. Whenever the Z3 engine decides (a bounded fair lasso: SM203;
a ranking function: proved), its verdict must match; SM901 is allowed (it claims nothing).
Seeded and time-bounded, like the other differential tests.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from archctl.check import CheckContext
from archctl.check.statemachine.evidence import Findings
from archctl.check.statemachine.explicit import explore
from archctl.check.statemachine.liveness import check_liveness
from archctl.check.statemachine.liveness_smt import check_liveness_symbolic
from archctl.check.statemachine.symbolic import Reach
from archctl.load.loader import load_paths
from archctl.model.statemachine import StateMachine

GUARDS = ("", "n < 2", "n > 0", "n == 1", "n != 2")
ACTIONS = ("", "n = n + 1", "n = n - 1", "n = 0")


def random_machine(rng: random.Random, fairness: str, path: Path) -> StateMachine:
    states = ["s0", "s1", "s2"]
    lines = [
        "kind: statemachine",
        "name: random",
        f"fairness: {fairness}",
        "variables:",
        "  n: {type: int, range: [0, 2], initial: 0}",
        "states: [s0, s1, s2]",
        "initial: s0",
        "final: [s2]" if rng.random() < 0.5 else "",
        "transitions:",
    ]
    for number in range(rng.randint(2, 5)):
        parts = [
            f"from: {rng.choice(states[:2])}",
            f"to: {rng.choice(states)}",
            f"on: e{number}",
        ]
        guard, action = rng.choice(GUARDS), rng.choice(ACTIONS)
        if guard:
            parts.append(f'guard: "{guard}"')
        if action:
            parts.append(f'do: "{action}"')
        if rng.random() < 0.2:
            parts.append("fair: false")
        lines.append("  - {" + ", ".join(parts) + "}")
    goal = rng.choice(['state == \\"s2\\"', "n == 2", 'state == \\"s1\\" and n == 0'])
    lines += ["properties:", f'  - {{name: p, eventually: "{goal}"}}']
    path.write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    [machine] = load_paths([str(path)]).specs
    assert isinstance(machine, StateMachine)
    return machine


def explicit_verdict(machine: StateMachine) -> str:
    context = CheckContext([machine])
    findings = Findings(machine, "explicit")
    check_liveness(explore(machine), findings, context)
    return "violated" if findings.out else "holds"


def symbolic_verdict(machine: StateMachine) -> str:
    findings = Findings(machine, "symbolic")
    check_liveness_symbolic(Reach(machine, 2_000), findings)
    codes = [d.code for d in findings.out]
    if codes == ["SM203"]:
        return "violated"
    if codes == ["SM901"]:
        return "undecided"
    assert codes == [] and findings.proofs
    return "holds"


@pytest.mark.parametrize("fairness", ["none", "weak", "strong"])
def test_z3_liveness_agrees_with_the_explicit_search(fairness: str, tmp_path: Path) -> None:
    rng = random.Random(f"liveness-smt-{fairness}")
    stop = time.monotonic() + 2.0
    decided = 0
    tried = 0
    while time.monotonic() < stop or tried < 5:
        path = tmp_path / f"m{tried}.yaml"
        machine = random_machine(rng, fairness, path)
        tried += 1
        symbolic = symbolic_verdict(machine)
        if symbolic != "undecided":
            decided += 1
            assert symbolic == explicit_verdict(machine), path.read_text(encoding="utf-8")
        if tried >= 40:
            break
    assert decided > 0
