"""Findings and traces drawn on diagrams, from hand-built diagnostics and trace files.

These do not depend on which checkers are registered: the diagnostics are built here with
the spans of the loaded model, exactly as a checker would point at the user's lines.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Cycle, Trace, TraceStep, Witness
from archctl.kinds import build_diagram
from archctl.load.loader import load_paths
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow
from archctl.render.dot import render_dot
from archctl.render.highlight import HighlightError, parse_highlight
from archctl.render.mermaid import render_mermaid
from archctl.render.overlay import apply_findings, apply_highlight
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "graph"
RED, GREY, BLUE = "#d1242f", "#8c959f", "#0969da"


def load(name: str) -> Spec:
    result = load_paths([str(FIXTURES / name)])
    assert result.diagnostics == []
    return result.specs[0]


def diag(code: str, severity: Severity, spec: Spec, span: object, subject: str) -> Diagnostic:
    return Diagnostic(code, severity, f"{code} finding", span, spec.name, subject)  # type: ignore[arg-type]


def test_workflow_findings_greyed_and_red_with_legend() -> None:
    workflow = load("broken-workflow.yaml")
    assert isinstance(workflow, Workflow)
    orphan, join = workflow.node("orphan"), workflow.node("join")
    assert orphan is not None and join is not None
    never_flow = next(flow for flow in workflow.flows if flow.target == "never")
    assert never_flow.when is not None
    diagnostics = [
        diag("WF102", Severity.ERROR, workflow, orphan.span, "orphan"),
        diag("WF103", Severity.ERROR, workflow, join.span, "join"),
        # a finding on the condition text itself lands on its flow
        diag("WF109", Severity.WARNING, workflow, never_flow.when.span, "pick"),
        diag("WF101", Severity.ERROR, workflow, None, "join"),
    ]
    graph = build_diagram(workflow, diagnostics)
    assert graph.node("orphan") is not None and graph.node("orphan").classes == ["dead"]  # type: ignore[union-attr]
    text = render_dot(graph)
    assert (
        '"orphan" [color="#8c959f", fillcolor="#eaeef2", fontcolor="#8c959f", '
        'label="orphan\\n[user]\\nWF102 unreachable-node", shape="box", style="rounded,filled"];'
    ) in text
    assert 'penwidth="2", shape="diamond", width="0.6", xlabel="join\\nWF103 deadlock\\nWF101' in (
        text
    )
    assert (
        '"pick" -> "never" [color="#8c959f", fillcolor="#eaeef2", fontcolor="#8c959f", '
        'label="[n > 20]\\nWF109 condition-unsatisfiable"];'
    ) in text
    # the edge leaving the unreachable node is greyed as well
    assert '"orphan" -> "done" [color="#8c959f"' in text
    assert [style for style, _ in graph.legend] == ["error", "dead"]
    assert '":legend:error"' in text and '":legend:dead"' in text
    mermaid = render_mermaid(graph)
    assert "class n_orphan,legend_dead dead" in mermaid
    assert "class n_join,legend_error error" in mermaid


def test_findings_of_other_specs_and_infos_are_not_drawn() -> None:
    machine = load("broken-machine.yaml")
    assert isinstance(machine, StateMachine)
    stuck = machine.state("stuck")
    assert stuck is not None
    other = Diagnostic("SM102", Severity.ERROR, "x", stuck.span, "another-spec", "stuck")
    info = Diagnostic("PO104", Severity.INFO, "x", stuck.span, machine.name, "stuck")
    elsewhere = Diagnostic(
        "SM102", Severity.ERROR, "x", replace(stuck.span, file="other.yaml"), machine.name, "stuck"
    )
    graph = build_diagram(machine)
    assert apply_findings(graph, [other, info, elsewhere]) == 0
    assert render_dot(graph) == render_dot(build_diagram(machine))


def test_statemachine_deadlock_red_unreachable_grey() -> None:
    machine = load("broken-machine.yaml")
    assert isinstance(machine, StateMachine)
    stuck, archived = machine.state("stuck"), machine.state("archived")
    assert stuck is not None and archived is not None
    dead_edge = next(t for t in machine.transitions if t.event == "tick")
    graph = build_diagram(
        machine,
        [
            diag("SM102", Severity.ERROR, machine, stuck.span, "stuck"),
            diag("SM101", Severity.ERROR, machine, archived.span, "archived"),
            diag("SM105", Severity.WARNING, machine, dead_edge.span, "busy"),
        ],
    )
    text = render_dot(graph)
    assert f'"stuck" [color="{RED}", fontcolor="{RED}", label="stuck\\nSM102 deadlock"' in text
    assert f'"archived" [color="{GREY}"' in text and "SM101 unreachable-state" in text
    assert '"busy" -> "busy" [color="#8c959f"' in text and "SM105 dead-transition" in text


def test_plugin_cycle_evidence_reds_the_whole_cycle() -> None:
    plugins = load("plugin-cycle.yaml")
    assert isinstance(plugins, PluginSet)
    alpha = plugins.plugin("alpha")
    assert alpha is not None
    finding = Diagnostic(
        "PL102",
        Severity.ERROR,
        "cycle",
        alpha.span,
        plugins.name,
        "alpha",
        Cycle(("alpha", "beta")),
    )
    graph = build_diagram(plugins, [finding])
    for key in ("alpha", "beta"):
        assert "error" in graph.node(key).classes  # type: ignore[union-attr]
    assert "error" not in graph.node("app").classes  # type: ignore[union-attr]
    red = sorted((e.source, e.target) for e in graph.edges if "error" in e.classes)
    assert red == [("alpha", "beta"), ("beta", "alpha")]
    assert graph.node("alpha").notes == ["PL102 dependency-cycle"]  # type: ignore[union-attr]


def test_policy_shadowing_drawn_from_the_finding_text() -> None:
    policy = load("shadowed-policy.yaml")
    assert isinstance(policy, Policy)
    spans = {rule.id: rule.span for rule in policy.rules}
    shadowed = Diagnostic(
        "PO102",
        Severity.ERROR,
        "rule 'contractors-public' (allow) never decides: decided first by 'unmanaged', "
        "'managed-public'",
        spans["contractors-public"],
        policy.name,
        "contractors-public",
        Witness({"role": "contractor"}),
        notes=("covered by 'unmanaged', 'managed-public' together",),
    )
    redundant = Diagnostic(
        "PO103",
        Severity.WARNING,
        "rule 'extra-deny' (deny) is redundant",
        spans["extra-deny"],
        policy.name,
        "extra-deny",
        notes=("the witness gets deny from rule 'unmanaged' (deny-overrides)",),
    )
    graph = build_diagram(policy, [shadowed, redundant])
    drawn = [(e.source, e.target, e.label) for e in graph.edges if e.style == "dotted"]
    assert drawn == [
        ("unmanaged", "contractors-public", "shadows"),
        ("managed-public", "contractors-public", "shadows"),
        ("unmanaged", "extra-deny", "makes redundant"),
    ]
    assert graph.node("contractors-public").classes == ["dead", "allow"]  # type: ignore[union-attr]
    text = render_dot(graph)
    assert (
        f'"unmanaged" -> "contractors-public" [color="{RED}", constraint="false", '
        f'fontcolor="{RED}", label="shadows", penwidth="2", style="dotted"];'
    ) in text


def machine_trace() -> Trace:
    return Trace(
        (
            TraceStep(state="idle", values={"n": 0}),
            TraceStep(event="start", state="busy", values={"n": 0}),
            TraceStep(event="tick", state="busy", values={"n": 1}),
            TraceStep(event="jam", state="stuck", values={"n": 1}),
        )
    )


def test_highlight_numbers_the_path() -> None:
    machine = load("broken-machine.yaml")
    graph = build_diagram(machine, highlight=machine_trace())
    text = render_dot(graph)
    assert f'":initial" -> "idle" [color="{BLUE}", fontcolor="{BLUE}", label="step 1"' in text
    assert 'label="busy\\nstep 2, 3"' in text
    assert 'label="tick [n < 3] / n = n + 1\\nstep 3"' in text
    assert 'label="jam\\nstep 4"' in text
    assert '"busy" -> "done" [label="finish [n == 3]"];' in text
    assert graph.legend == [("trace", "on the highlighted path (numbers give the step order)")]


def test_workflow_trace_follows_the_latest_predecessor() -> None:
    workflow = load("broken-workflow.yaml")
    trace = Trace(
        (
            TraceStep(tokens=("start",)),
            TraceStep(node="start"),
            TraceStep(node="pick"),
            TraceStep(node="left"),
            TraceStep(node="join"),
        )
    )
    graph = build_diagram(workflow)
    assert apply_highlight(graph, trace) == 4
    numbered = {(e.source, e.target): e.notes for e in graph.edges if e.notes}
    assert numbered == {
        ("pick", "left"): ["step 4"],
        ("left", "join"): ["step 5"],
        ("start", "pick"): ["step 3"],
    }


def test_parse_highlight_accepts_report_evidence_and_events(tmp_path: Path) -> None:
    trace_json = machine_trace().to_json()
    report = {
        "version": 1,
        "diagnostics": [
            {"code": "SM101", "spec": "broken-machine", "subject": "archived"},
            {"code": "SM102", "spec": "other", "evidence": {"kind": "trace", "steps": []}},
            {"code": "SM102", "spec": "broken-machine", "evidence": trace_json},
        ],
    }
    expected = Trace(tuple(TraceStep(state=s.state, event=s.event) for s in machine_trace().steps))
    assert parse_highlight(json.dumps(report), "broken-machine") == expected
    assert parse_highlight(json.dumps(trace_json), "x") == expected
    assert parse_highlight(json.dumps({"evidence": trace_json}), "x") == expected
    cycle = parse_highlight('{"kind": "cycle", "path": ["alpha", "beta"]}', "x")
    assert cycle == Cycle(("alpha", "beta"))
    events = "\n".join(
        json.dumps(event)
        for event in (
            {"instance": 0, "t": 0, "node": "start", "kind": "fire"},
            {"instance": 0, "t": 1, "node": "pick", "kind": "fire"},
            {"instance": 1, "t": 1, "node": "start", "kind": "fire"},
            {"instance": 0, "t": 2, "node": "left", "kind": "begin"},
            {"instance": 0, "t": 9, "node": "left", "kind": "done"},
        )
    )
    assert parse_highlight(events, "x") == Trace(
        (TraceStep(node="start"), TraceStep(node="pick"), TraceStep(node="left"))
    )
    walk = '[{"state": "idle"}, {"event": "start", "to": "busy"}]'
    assert parse_highlight(walk, "x") == Trace(
        (TraceStep(state="idle"), TraceStep(state="busy", event="start"))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ('{"kind": "trace"}', "a trace needs 'steps'"),
        ('{"kind": "cycle", "path": [1]}', "a cycle needs a 'path'"),
        ('{"version": 1, "diagnostics": []}', "no finding with a trace or cycle for spec 's'"),
        ("[1, 2]", "no step names a node or a state"),
        ('{"a": 1}\nnope', "line 2 is not JSON"),
        ("42", "expected a `archctl verify --format json` report"),
    ],
)
def test_parse_highlight_rejects_clearly(text: str, message: str) -> None:
    with pytest.raises(HighlightError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_highlight(text, "s")


def test_findings_on_no_element_are_listed_in_the_legend() -> None:
    workflow = load("broken-workflow.yaml")
    finding = Diagnostic(
        "WF111",
        Severity.ERROR,
        "subprocess 'x' names a missing workflow",
        workflow.span,
        workflow.name,
    )
    graph = build_diagram(workflow, [finding])
    assert graph.unplaced == [
        ("error", "WF111 subprocess: subprocess 'x' names a missing workflow")
    ]
    text = render_dot(graph)
    assert (
        '":finding:1" [color="#d1242f", fontcolor="#d1242f", label="WF111 subprocess: '
        'subprocess \'x\' names a missing workflow", penwidth="2", shape="note"];'
    ) in text
    mermaid = render_mermaid(graph)
    assert "    finding_1>\"WF111 subprocess: subprocess 'x' names a missing workflow\"]" in mermaid
    assert "class legend_error,finding_1 error" in mermaid


def test_workflow_trace_marks_the_tokens_left_at_the_end() -> None:
    """The WF103 trace of the workflow checker ends with a token waiting before the join."""
    report_trace = {
        "kind": "trace",
        "steps": [
            {"node": "start", "tokens": ["start -> pick"], "values": {"n": 0}},
            {"node": "pick", "tokens": ["pick -> left"], "values": {"n": 0}},
            {"node": "left", "tokens": ["left -> join"], "values": {"n": 0}},
        ],
    }
    evidence = parse_highlight(json.dumps(report_trace), "broken-workflow")
    graph = build_diagram(load("broken-workflow.yaml"), highlight=evidence)
    numbered = {(e.source, e.target): e.notes for e in graph.edges if e.notes}
    assert numbered == {
        ("start", "pick"): ["step 2"],
        ("pick", "left"): ["step 3"],
        ("left", "join"): ["token at the end"],
    }
    assert "trace" not in graph.node("join").classes  # type: ignore[union-attr]


def test_simulate_event_log_counts_each_node_entry_once() -> None:
    """The shape `archctl simulate --trace-out` writes: retries and waits are no new steps."""
    events = [
        {"instance": 0, "event": "start", "node": "broken-workflow", "tokens": 1},
        {"instance": 0, "event": "route", "node": "pick", "detail": ["right"], "tokens": 1},
        {"instance": 0, "event": "attempt", "node": "right", "attempt": 1, "outcome": "error"},
        {"instance": 0, "event": "attempt", "node": "right", "attempt": 2, "outcome": "ok"},
        {"instance": 0, "event": "complete", "node": "right", "outcome": "ok", "tokens": 1},
        {"instance": 1, "event": "route", "node": "pick", "detail": ["left"], "tokens": 1},
        {"instance": 0, "event": "wait", "node": "join", "tokens": 1},
    ]
    text = "\n".join(json.dumps(event) for event in events)
    trace = parse_highlight(text, "broken-workflow")
    assert trace == Trace((TraceStep(node="pick"), TraceStep(node="right")))
    graph = build_diagram(load("broken-workflow.yaml"), highlight=trace)
    numbered = {(e.source, e.target): e.notes for e in graph.edges if e.notes}
    assert numbered == {("start", "pick"): ["step 1"], ("pick", "right"): ["step 2"]}
