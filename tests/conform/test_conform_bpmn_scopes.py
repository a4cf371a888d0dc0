"""conform follows what only BPMN imports have: terminate ends, interrupts, subprocess
completions, as verify and simulate do.

The simulator is the second engine here: every run it makes of these models must fit the
model when conform replays it (the simulator itself is checked against the checker's firing
rules in tests/simulate/test_simulate_scopes.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conform.test_conform_cli import conform_json, simulate_log
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases" / "bpmn"
SCOPED = [
    "terminate-ends-everything.bpmn",
    "terminate-inside-subprocess.bpmn",
    "interrupt-parallel-subprocess.bpmn",
    "interrupt-after-inner-end.bpmn",
    "error-end-caught-by-boundary.bpmn",
    "subprocess-two-tokens-one-end.bpmn",
]


@pytest.mark.parametrize("name", SCOPED)
def test_simulated_runs_of_scoped_bpmn_models_fit(tmp_path: Path, name: str) -> None:
    log = tmp_path / "run.jsonl"
    simulate_log(str(CASES / name), log, instances=40, seed=7)
    code, report = conform_json(str(CASES / name), log)
    assert report["deviations"] == [], name
    assert report["fitting"] == report["cases"] == 40
    assert code == 0 and report["fitness"] == 1.0


def test_a_terminate_end_ends_the_instance_with_its_loop_still_running(tmp_path: Path) -> None:
    # approve reaches the terminate end while the polling loop may still be waiting: the
    # case is complete (it used to be "incomplete: expected one of: wait")
    log = tmp_path / "cut.csv"
    log.write_text(
        "case,activity,time\n"
        "1,approve,2024-01-01T00:00:00\n"
        "2,wait,2024-01-01T00:00:00\n2,approve,2024-01-01T00:00:01\n",
        encoding="utf-8",
    )
    code, report = conform_json(str(CASES / "terminate-ends-everything.bpmn"), log)
    assert code == 0 and report["fitting"] == 2 and report["deviations"] == []


def test_a_subprocess_completes_only_once_its_scope_is_empty(tmp_path: Path) -> None:
    # the parallel subprocess ships only after both branches: a log that ships after one
    # branch does not fit
    log = tmp_path / "early.jsonl"
    log.write_text('{"case": "1", "activity": "ship.pack", "time": 0}\n', encoding="utf-8")
    _, report = conform_json(str(CASES / "interrupt-parallel-subprocess.bpmn"), log)
    assert report["fitting"] == 0 and report["deviations"]
