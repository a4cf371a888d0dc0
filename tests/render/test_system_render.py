"""Drawing systems: the component diagram and the sequence diagram of a trace."""

from __future__ import annotations

import json

from archctl.evidence import Trace
from archctl.kinds import build_diagram
from archctl.model.system import System
from archctl.render.mermaid import render_mermaid
from archctl.render.output import render_spec
from archctl.render.sequence import build_sequence, sequence_mermaid
from archctl.report.json import render_json
from archctl.verify import verify_paths
from tests.conftest import CASES, EXAMPLES


def _loaded(path: str) -> tuple[System, list[object]]:
    outcome = verify_paths([path])
    system = next(spec for spec in outcome.loaded if isinstance(spec, System))
    return system, list(outcome.loaded)


def test_component_diagram_shows_who_sends_what_to_whom() -> None:
    system, specs = _loaded(str(EXAMPLES / "systems" / "two-phase-commit.yaml"))
    graph = build_diagram(system, peers=specs)  # type: ignore[arg-type]
    text = render_mermaid(graph)
    assert '"participant x3"' in text
    assert "votes<br/>capacity 3" in text and "decision[3]<br/>capacity 1" in text
    edges = {(e.source, e.target, e.label) for e in graph.edges}
    assert ("component:participant", "channel:votes", "yes, no") in edges
    assert ("channel:decision", "component:participant", "commit, abort") in edges
    assert ("component:coordinator", "channel:decision", "commit, abort") in edges


def test_sequence_diagram_pairs_each_receive_with_its_send() -> None:
    path = str(CASES / "system" / "two-phase-commit-partial-vote.yaml")
    outcome = verify_paths([path])
    leftover = next(d for d in outcome.diagnostics if d.code == "SY104")
    system = next(spec for spec in outcome.loaded if isinstance(spec, System))
    assert isinstance(leftover.evidence, Trace)
    seq = build_sequence(system, leftover.evidence)
    messages = [e for e in seq.events if e[0] == "message"]
    assert ("message", "participant[0]", "coordinator", "votes: yes", 2, 3) in messages
    assert ("message", "coordinator", "participant[2]", "decision[2]: commit", 9, 14) in messages
    queued = [e for e in seq.events if e[0] == "queued"]
    assert queued == [("queued", "participant[2]", "participant[2]", "votes: yes", 13, 13)]
    text = sequence_mermaid(system, leftover.evidence)
    assert text.startswith("sequenceDiagram\n")
    assert "  participant_0_->>coordinator: 2-3. votes: yes" in text
    assert "never received: votes: yes" in text


def test_graph_draws_a_sequence_from_a_verify_report() -> None:
    path = str(CASES / "system" / "two-phase-commit-partial-vote.yaml")
    outcome = verify_paths([path])
    report = render_json(outcome.diagnostics, outcome.files, outcome.specs)
    system = next(spec for spec in outcome.loaded if isinstance(spec, System))
    graph = build_diagram(system, peers=list(outcome.loaded))
    mermaid = render_spec(system, graph, "mermaid", report).decode("utf-8")
    assert mermaid.startswith("sequenceDiagram")
    dot = render_spec(system, graph, "dot", report).decode("utf-8")
    assert "rank=same" in dot and "arrowhead=normal" in dot
    assert json.loads(report)["diagnostics"][0]["evidence"]["steps"][1]["component"]


def test_sarif_has_one_thread_flow_per_component() -> None:
    from archctl.report.sarif import render_sarif

    path = str(CASES / "system" / "two-phase-commit-partial-vote.yaml")
    outcome = verify_paths([path])
    document = json.loads(render_sarif(outcome.diagnostics))
    leftover = next(r for r in document["runs"][0]["results"] if r["ruleId"] == "SY104")
    threads = leftover["codeFlows"][0]["threadFlows"]
    assert [t["id"] for t in threads] == [
        "coordinator",
        "participant[0]",
        "participant[1]",
        "participant[2]",
    ]
    orders = sorted(loc["executionOrder"] for t in threads for loc in t["locations"])
    assert orders == list(range(2, 15))  # every step after the initial configuration
    first = threads[1]["locations"][0]["location"]
    assert first["message"]["text"] == "2. participant[0]: votes!yes -> voted_yes"
    assert first["physicalLocation"]["region"]["startLine"] > 1
