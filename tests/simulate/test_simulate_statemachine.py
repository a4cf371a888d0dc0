"""State machine runs: event feeds, random walks, and replay of verify's counterexamples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from tests.conftest import EXAMPLES, ROOT

SPECS = ROOT / "tests" / "simulate"
INSTANCE = str(EXAMPLES / "workflow-state-machine.yaml")
DOOR = str(SPECS / "deadlock-machine.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_event_feed_fires_transitions_and_applies_updates() -> None:
    run = run_json(INSTANCE, "--events", "start,step_failed,resume,step_failed,resume,finish")
    states = [step["to"] for step in run["steps"]]
    assert states == ["created", "running", "waiting", "running", "waiting", "running", "completed"]
    assert [step["values"]["retries"] for step in run["steps"]] == [0, 0, 1, 1, 2, 2, 2]
    assert run["end"] == {"state": "completed", "final": True, "reason": "events fed"}


def test_guards_pick_the_transition_for_an_event() -> None:
    events = ",".join(["start"] + ["step_failed", "resume"] * 3 + ["step_failed"])
    run = run_json(INSTANCE, "--events", events)
    assert run["steps"][-1]["to"] == "failed"  # retries == 3: the guard of the other one holds


def test_event_not_enabled_is_a_clear_error_naming_the_enabled_ones() -> None:
    code, out, err = invoke(INSTANCE, "--events", "start,resume")
    assert code == 2
    assert "event 'resume' is not enabled in state 'running'" in err.replace("\n", " ")
    assert "enabled: cancel, finish, step_completed, step_failed, suspend" in err.replace("\n", " ")
    assert "running" in out  # the steps that did run are shown


def test_unknown_event_lists_the_machine_events() -> None:
    code, _, err = invoke(INSTANCE, "--events", "start,explode")
    assert code == 2
    assert "unknown event 'explode'" in err


def test_random_walk_is_seeded() -> None:
    first = run_json(str(EXAMPLES / "k8s-operator.yaml"), "--steps", "40", "--seed", "9")
    again = run_json(str(EXAMPLES / "k8s-operator.yaml"), "--steps", "40", "--seed", "9")
    assert first == again
    walks = {
        json.dumps(run_json(str(EXAMPLES / "k8s-operator.yaml"), "--steps", "40", "--seed", str(s)))
        for s in range(5)
    }
    assert len(walks) > 1  # the seed matters
    assert len(first["steps"]) <= 41


def test_random_walk_stops_at_a_deadlock() -> None:
    runs = [run_json(DOOR, "--steps", "50", "--seed", str(seed)) for seed in range(30)]
    reasons = {run["end"]["reason"] for run in runs}
    assert "deadlock" in reasons  # some walk kicks the door into the jammed state
    for run in runs:
        if run["end"]["reason"] == "deadlock":
            assert run["end"]["state"] == "jammed" and run["end"]["final"] is False


HAND_TRACE = {
    "kind": "trace",
    "steps": [
        {"state": "closed", "values": {"opens": 0}},
        {"event": "open", "state": "open", "values": {"opens": 1}},
        {"event": "kick", "state": "jammed", "values": {"opens": 1}},
    ],
}


def test_replay_of_a_hand_written_trace(tmp_path: Path) -> None:
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(HAND_TRACE))
    run = run_json(DOOR, "--replay", str(trace))
    assert [step["to"] for step in run["steps"]] == ["closed", "open", "jammed"]
    assert run["end"]["state"] == "jammed"
    assert "enabled here: none" in run["end"]["reason"]


def test_replay_rejects_a_step_that_is_not_enabled(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(HAND_TRACE))
    bad["steps"][2]["event"] = "leave"  # leave is only enabled when closed
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(bad))
    code, _, err = invoke(DOOR, "--replay", str(trace))
    assert code == 2
    assert "step 3: event 'leave' is not enabled in state 'open'; enabled: close, kick" in (
        " ".join(err.split())
    )


def test_replay_rejects_values_the_run_cannot_have(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(HAND_TRACE))
    bad["steps"][1]["values"]["opens"] = 2
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(bad))
    code, _, err = invoke(DOOR, "--replay", str(trace))
    assert code == 2
    assert "opens: trace 2, run 1" in err


def test_replay_of_the_trace_verify_produced(tmp_path: Path) -> None:
    verify = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", DOOR, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    report = json.loads(verify.stdout)
    traced = [
        d
        for d in report["diagnostics"]
        if d["code"].startswith("SM") and (d.get("evidence") or {}).get("kind") == "trace"
    ]
    if not traced:
        pytest.skip("the state machine checker produced no finding with a trace")
    path = tmp_path / "report.json"
    path.write_text(verify.stdout)
    run = run_json(DOOR, "--replay", str(path))
    assert run["mode"] == "replay"
    assert run["end"]["state"] == traced[0]["evidence"]["steps"][-1]["state"]
    assert len(run["steps"]) == len(traced[0]["evidence"]["steps"])
    # the finding can also be chosen by code, and the spec comes from the finding
    code, out, _ = invoke(str(SPECS), "--replay", str(path), "--finding", traced[0]["code"])
    assert code == 0 and "jammed" in out


def test_replay_needs_a_trace(tmp_path: Path) -> None:
    empty = tmp_path / "report.json"
    empty.write_text(json.dumps({"version": 1, "summary": {}, "diagnostics": []}))
    code, _, err = invoke(DOOR, "--replay", str(empty))
    assert code == 2 and "no finding with a trace" in err
