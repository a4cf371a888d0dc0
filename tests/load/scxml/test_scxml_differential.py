"""Differential test: each flattened machine against a direct SCXML interpreter.

The oracle (scxml_oracle.py beside this file) interprets the XML itself with concrete data; the
flattened machine is run by the statemachine simulator one macrostep per event. On seeded
random event sequences over the chart's alphabet both must reach the same configuration,
the same data and the same halting, after every event. Charts whose import approximates
data (an LD009 on a value or condition) are left out: there the flat machine is meant to
allow more than the chart.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from archctl.load.loader import load_file
from archctl.model.statemachine import StateMachine
from tests.conftest import CASES
from tests.load.scxml.scxml_oracle import FlatRun, Interpreter

SEQUENCES = 6
LENGTH = 10
#: wall-clock budget per chart: bounded in the suite whatever the machine
BUDGET_SECONDS = 2.0


def exact_machine(path: Path) -> StateMachine | None:
    """The flat machine when the import is exact for data; None when it approximates."""
    loaded = load_file(str(path))
    if not loaded.specs or any(d.severity.name == "ERROR" for d in loaded.diagnostics):
        return None
    approximated = ("value '", "condition '", "data '", "In() inside", "<script>")
    if any(d.code == "LD009" and d.message.startswith(approximated) for d in loaded.diagnostics):
        return None
    machine = loaded.specs[0]
    assert isinstance(machine, StateMachine)
    return machine


def disagreement(path: Path, machine: StateMachine, seed: int) -> str | None:
    """None when both agree on every sequence; else the first differing run, described."""
    text = path.read_text(encoding="utf-8")
    alphabet = [*sorted(machine.events), "unknown.event"]
    rng = random.Random(seed)
    deadline = time.monotonic() + BUDGET_SECONDS
    for number in range(SEQUENCES):
        if time.monotonic() > deadline:
            break
        oracle, flat = Interpreter(text), FlatRun(machine, seed + number)
        sent: list[str] = []
        for _ in range(LENGTH + 1):
            mine = (flat.configuration, flat.data, flat.halted)
            theirs = (oracle.configuration, oracle.data, oracle.halted)
            if mine != theirs:
                return f"after {sent}: flat {mine} != oracle {theirs}"
            event = rng.choice(alphabet)
            sent.append(event)
            oracle.send(event)
            flat.send(event)
    return None


def charts(root: Path) -> list[Path]:
    return sorted(root.rglob("*.scxml"))


@pytest.mark.parametrize("path", charts(CASES / "scxml"), ids=lambda p: p.name)
def test_fixture_charts_agree_with_the_interpreter(path: Path) -> None:
    machine = exact_machine(path)
    if machine is None:
        pytest.skip("import approximates data")
    assert disagreement(path, machine, seed=7) is None


def test_corpus_charts_agree_with_the_interpreter(corpus: Path) -> None:
    compared, failures = 0, []
    for path in charts(corpus / "statemachines"):
        machine = exact_machine(path)
        if machine is None:
            continue
        compared += 1
        problem = disagreement(path, machine, seed=11)
        if problem is not None:
            failures.append(f"{path.name}: {problem}")
    assert failures == []
    assert compared == 68  # every exact import of the corpus is compared
