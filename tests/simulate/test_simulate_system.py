"""`archctl simulate` on systems: seeded interleavings with latency, statistics, replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archctl.load.loader import load_paths
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.simulate.system import Simulator
from archctl.simulate.system_command import statistics
from archctl.simulate.workflow import SimulationError
from archctl.verify import verify_paths
from tests.conftest import CASES, EXAMPLES


def simulator(path: Path, name: str) -> Simulator:
    loaded = load_paths([str(path)])
    system = next(s for s in loaded.specs if isinstance(s, System) and s.name == name)
    machines = {s.name: s for s in loaded.specs if isinstance(s, StateMachine)}
    return Simulator(system, machines)


MESH = EXAMPLES / "systems" / "service-mesh-breaker.yaml"


def test_runs_are_reproducible_from_the_seed_and_take_latency_time() -> None:
    sim = simulator(MESH, "service-mesh-breaker")
    first, again, other = sim.run(7, 500), sim.run(7, 500), sim.run(8, 500)
    assert first.events == again.events
    assert first.events != other.events
    assert first.ending == "final"
    assert first.time_ms > 0  # backend calls have latency
    times = [event["time_ms"] for event in first.events]
    assert times == sorted(times)
    assert first.sent["client"] == 3 and first.received["client"] == 3


def test_statistics_count_endings_components_and_channels() -> None:
    sim = simulator(MESH, "service-mesh-breaker")
    runs = [sim.run(seed, 500) for seed in range(40)]
    report = statistics(sim.model.system, runs, 0)
    assert report["endings"] == {"final": 40}
    assert report["components"]["client"]["sent"] == 3.0
    backend = report["channels"]["backend"]
    assert 5.0 <= backend["mean_latency_ms"] <= 40.0 and backend["deepest"] == 1


def test_a_deadlocking_system_ends_in_deadlock() -> None:
    sim = simulator(
        CASES / "system" / "service-mesh-probe-unanswered.yaml", "service-mesh-breaker-broken"
    )
    endings = {sim.run(seed, 500).ending for seed in range(60)}
    assert "deadlock" in endings


def test_replay_follows_a_verify_trace_to_its_deadlock(tmp_path: Path) -> None:
    case = CASES / "system" / "micro-frontend-no-handshake.yaml"
    outcome = verify_paths([str(case)])
    deadlock = next(d for d in outcome.diagnostics if d.code == "SY102")
    assert deadlock.evidence is not None
    steps = deadlock.evidence.to_json()["steps"]
    sim = simulator(case, "micro-frontend-shell-broken")
    run = sim.replay(steps)  # type: ignore[arg-type]
    assert run.ending == "deadlock"
    assert len(run.events) == len(steps) - 1  # type: ignore[arg-type]
    tampered = json.loads(json.dumps(steps))
    tampered[3]["component"] = "app[1]"
    with pytest.raises(SimulationError, match=r"step 4 .* cannot be taken here; possible: "):
        sim.replay(tampered)
