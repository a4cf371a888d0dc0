"""Replay of workflow counterexamples (verify's WF traces) as a checked token game."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from tests.conftest import ROOT

STUCK = str(ROOT / "tests" / "simulate" / "stuck.yaml")

JOIN_TRACE: dict[str, Any] = {
    "kind": "trace",
    "steps": [
        {"node": "start", "tokens": ["start -> pick"], "values": {"left": False}},
        {"node": "pick", "tokens": ["pick -> b"], "values": {"left": False}},
        {"node": "b", "tokens": ["b -> join"], "values": {"left": False}},
    ],
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_replay_of_a_join_that_waits_forever(tmp_path: Path) -> None:
    trace = write(tmp_path, JOIN_TRACE)
    code, out, err = invoke(STUCK, "--spec", "lonely-join", "--replay", trace, "--format", "json")
    assert code == 0, err
    run = json.loads(out)
    assert [step["node"] for step in run["steps"]] == ["start", "pick", "b"]
    assert run["end"]["tokens"] == ["b -> join"]
    assert "enabled here: none" in run["end"]["reason"]


def test_replay_rejects_a_route_the_condition_forbids(tmp_path: Path) -> None:
    wrong = json.loads(json.dumps(JOIN_TRACE))
    wrong["steps"][1]["tokens"] = ["pick -> a"]  # `left` is false: the default `b` is taken
    wrong["steps"][2] = {"node": "a", "tokens": ["a -> join"], "values": {"left": False}}
    code, _, err = invoke(STUCK, "--spec", "lonely-join", "--replay", write(tmp_path, wrong))
    assert code == 2
    assert "step 2: 'pick' cannot fire this way: with these values it emits ['pick -> b']" in err


def test_replay_rejects_a_node_without_a_token(tmp_path: Path) -> None:
    wrong = json.loads(json.dumps(JOIN_TRACE))
    wrong["steps"][2] = {"node": "join", "tokens": ["join -> done"], "values": {"left": False}}
    code, _, err = invoke(STUCK, "--spec", "lonely-join", "--replay", write(tmp_path, wrong))
    assert code == 2
    assert "step 3: 'join' is not enabled: it needs a token on every one of" in err
    assert "enabled: b" in err


def test_workflow_trace_against_a_state_machine_is_refused(tmp_path: Path) -> None:
    machine = str(ROOT / "tests" / "simulate" / "deadlock-machine.yaml")
    code, _, err = invoke(machine, "--replay", write(tmp_path, JOIN_TRACE))
    assert code == 2 and "fires workflow nodes" in err


def test_replay_of_the_workflow_trace_verify_produced(tmp_path: Path) -> None:
    verify = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", STUCK, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    report = json.loads(verify.stdout)
    traced = [
        d
        for d in report["diagnostics"]
        if d["spec"] == "lonely-join" and (d.get("evidence") or {}).get("kind") == "trace"
    ]
    if not traced:
        pytest.skip("the workflow checker produced no finding with a trace for lonely-join")
    path = tmp_path / "report.json"
    path.write_text(verify.stdout)
    with_trace = [
        d for d in report["diagnostics"] if (d.get("evidence") or {}).get("kind") == "trace"
    ]
    number = str(with_trace.index(traced[0]) + 1)  # --finding counts findings with a trace
    code, out, err = invoke(STUCK, "--replay", str(path), "--finding", number, "--format", "json")
    assert code == 0, err
    run = json.loads(out)
    assert run["spec"] == "lonely-join"  # taken from the finding
    assert run["end"]["tokens"] == traced[0]["evidence"]["steps"][-1]["tokens"]


def test_replay_refuses_values_of_the_wrong_type(tmp_path: Path) -> None:
    wrong = json.loads(json.dumps(JOIN_TRACE))
    wrong["steps"][0]["values"]["left"] = "yes"
    code, _, err = invoke(STUCK, "--spec", "lonely-join", "--replay", write(tmp_path, wrong))
    assert code == 2
    assert "step 1: 'left' = 'yes' is not a bool" in err


def test_replay_refuses_malformed_steps(tmp_path: Path) -> None:
    wrong = {"kind": "trace", "steps": [{"node": "start", "tokens": "start -> pick"}]}
    code, _, err = invoke(STUCK, "--spec", "lonely-join", "--replay", write(tmp_path, wrong))
    assert code == 2
    assert "'tokens' should be a list" in err


ROUTE_TRACE: dict[str, Any] = {
    "kind": "trace",
    "steps": [{"node": "start", "tokens": ["start -> route"], "values": {"amount": 5}}],
}


def test_replay_of_a_stuck_gateway_lists_nothing_enabled(tmp_path: Path) -> None:
    # amount 5: neither 'amount > 7' nor 'amount < 3' holds and there is no default, so the
    # gateway holds its token but cannot fire (#13 item 9: it used to be listed as enabled)
    code, out, err = invoke(
        STUCK, "--spec", "no-route", "--replay", write(tmp_path, ROUTE_TRACE), "--format", "json"
    )
    assert code == 0, err
    assert "enabled here: none" in json.loads(out)["end"]["reason"]


def test_replay_lists_a_gateway_whose_condition_holds_as_enabled(tmp_path: Path) -> None:
    document = json.loads(json.dumps(ROUTE_TRACE))
    path = tmp_path / "stuck.yaml"  # the same workflow, starting where 'amount > 7' holds
    path.write_text(Path(STUCK).read_text().replace("initial: 5", "initial: 8"))
    document["steps"][0]["values"]["amount"] = 8
    code, out, err = invoke(
        str(path), "--spec", "no-route", "--replay", write(tmp_path, document), "--format", "json"
    )
    assert code == 0, err
    assert "enabled here: route" in json.loads(out)["end"]["reason"]


SCOPED_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs">
<process id="scoped">
  <startEvent id="s"/>
  <subProcess id="sub">
    <startEvent id="in"/>
    <parallelGateway id="fork"/>
    <task id="approve"/>
    <exclusiveGateway id="poll"/>
    <task id="wait"/>
    <endEvent id="stop"><terminateEventDefinition/></endEvent>
    <sequenceFlow id="i1" sourceRef="in" targetRef="fork"/>
    <sequenceFlow id="i2" sourceRef="fork" targetRef="approve"/>
    <sequenceFlow id="i3" sourceRef="fork" targetRef="poll"/>
    <sequenceFlow id="i4" sourceRef="approve" targetRef="stop"/>
    <sequenceFlow id="i5" sourceRef="poll" targetRef="wait"/>
    <sequenceFlow id="i6" sourceRef="wait" targetRef="poll"/>
  </subProcess>
  <exclusiveGateway id="pick"/>
  <task id="a"/>
  <task id="b"/>
  <parallelGateway id="join"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
  <sequenceFlow id="f2" sourceRef="sub" targetRef="pick"/>
  <sequenceFlow id="f3" sourceRef="pick" targetRef="a"/>
  <sequenceFlow id="f4" sourceRef="pick" targetRef="b"/>
  <sequenceFlow id="f5" sourceRef="a" targetRef="join"/>
  <sequenceFlow id="f6" sourceRef="b" targetRef="join"/>
  <sequenceFlow id="f7" sourceRef="join" targetRef="e"/>
</process>
</definitions>
"""


def test_replay_follows_an_inner_terminate_end_and_the_subprocess_completion(
    tmp_path: Path,
) -> None:
    model = tmp_path / "scoped.bpmn"
    model.write_text(SCOPED_BPMN)
    verify = CliRunner().invoke(app, ["verify", str(model), "--format", "json"])
    report = json.loads(verify.stdout)
    deadlock = next(d for d in report["diagnostics"] if d["code"] == "WF103")
    nodes = [step["node"] for step in deadlock["evidence"]["steps"]]
    assert "sub.stop" in nodes and "sub.join" in nodes  # the terminate and the completion
    path = tmp_path / "report.json"
    path.write_text(verify.stdout)
    code, out, err = invoke(str(model), "--replay", str(path), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["end"]["tokens"] == deadlock["evidence"]["steps"][-1]["tokens"]
