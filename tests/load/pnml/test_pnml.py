"""PNML workflow nets: hardened reading, the workflow-net conditions, soundness with traces,
graph and convert (docs/pnml.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archctl.check import CheckContext, CheckOptions
from archctl.check.petrinet.checker import check
from archctl.conversion import convert_file
from archctl.diagnostics import Diagnostic
from archctl.evidence import Trace
from archctl.kinds import build_diagram
from archctl.load.loader import load_file
from archctl.load.pnml.frontend import load_pnml_text
from archctl.model.petrinet import PetriNet
from archctl.model.spec import LoadResult
from archctl.model.workflow import Workflow
from archctl.render.mermaid import render_mermaid
from tests.conftest import CASES, run_archctl

PNML = CASES / "pnml"
HEAD = '<?xml version="1.0"?>\n<pnml xmlns="http://www.pnml.org/version-2009/grammar/pnml">\n'


def load(body: str) -> LoadResult:
    return load_pnml_text("t.pnml", HEAD + body + "</pnml>\n")


def net_text(inner: str, name: str = "n") -> str:
    kind = "http://www.pnml.org/version-2009/grammar/ptnet"
    return f'<net id="{name}" type="{kind}"><page id="pg">\n{inner}</page></net>\n'


def chain(*extra: str) -> str:
    """i -> t -> o plus extra elements."""
    return net_text(
        '<place id="i"/>\n<place id="o"/>\n<transition id="t"/>\n'
        '<arc id="a1" source="i" target="t"/>\n<arc id="a2" source="t" target="o"/>\n'
        + "".join(extra)
    )


def the_net(path: Path) -> PetriNet:
    result = load_file(str(path))
    assert not result.diagnostics, result.diagnostics
    (spec,) = result.specs
    assert isinstance(spec, PetriNet)
    return spec


def verify(path: Path, max_states: int = 100_000) -> tuple[list[Diagnostic], CheckContext]:
    net = the_net(path)
    ctx = CheckContext([net], CheckOptions(max_states=max_states))
    return check(net, ctx), ctx


def fired(diagnostic: Diagnostic) -> list[str]:
    assert isinstance(diagnostic.evidence, Trace)
    return [step.node for step in diagnostic.evidence.steps if step.node is not None]


# -- reading ------------------------------------------------------------------------------


def test_reads_places_transitions_arcs_labels_and_pages() -> None:
    result = load(
        net_text(
            '<place id="i"><name><text>received</text></name>'
            "<initialMarking><text>1</text></initialMarking></place>\n"
            '<page id="inner"><transition id="t"><graphics><position x="1" y="2"/></graphics>'
            "</transition></page>\n"
            '<place id="o"/>\n'
            '<arc id="a1" source="i" target="t"/>\n<arc id="a2" source="t" target="o"/>\n'
        )
    )
    assert not result.diagnostics
    (net,) = result.specs
    assert isinstance(net, PetriNet)
    assert [p.id for p in net.places] == ["i", "o"] and net.places[0].label == "received"
    assert [t.id for t in net.transitions] == ["t"]
    assert (net.source, net.sinks) == ("i", ("o",))
    assert net.span.line == 3


def test_dashes_inside_comments_are_read_and_positions_kept() -> None:
    # the SAP reference exports carry '--' inside comments, which XML forbids
    text = HEAD + "<!-- generated -- by a tool --->\n" + chain() + "<broken>\n</pnml>\n"
    result = load_pnml_text("t.pnml", text)
    (problem,) = result.diagnostics
    assert problem.code == "LD001" and problem.span is not None
    # the mismatched close tag, on the last line: the blanked comment moved nothing
    assert (problem.span.line, problem.span.column) == (text.count("\n"), 3)


def test_comments_with_dashes_alone_load_cleanly() -> None:
    text = HEAD + "<!-- a -- b -->\n" + chain() + "</pnml>\n"
    result = load_pnml_text("t.pnml", text)
    assert not result.diagnostics and len(result.specs) == 1


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE pnml [<!ENTITY a "aaaaaaaa">]>',
        '<!DOCTYPE pnml SYSTEM "http://example.com/evil.dtd">',
    ],
)
def test_doctypes_and_entities_are_refused_with_a_location(doctype: str) -> None:
    result = load_pnml_text("t.pnml", '<?xml version="1.0"?>\n' + doctype + "\n<pnml/>\n")
    (problem,) = result.diagnostics
    assert problem.code == "LD001" and "refused" in problem.message
    assert problem.span is not None and problem.span.line == 2


def test_deep_nesting_is_refused() -> None:
    text = HEAD + "<page>" * 300 + "</page>" * 300 + "</pnml>"
    (problem,) = load_pnml_text("t.pnml", text).diagnostics
    assert problem.code == "LD001" and "deeper" in problem.message


def test_every_element_problem_is_collected_and_located() -> None:
    result = load(
        net_text(
            '<place id="i"/>\n<place/>\n<place id="i"/>\n<transition id="t"/>\n'
            '<arc id="a1" source="i" target="nowhere"/>\n'
            '<arc id="a2" source="i" target="i"/>\n'
            '<arc id="a3" source="i" target="t"><inscription><text>x</text></inscription></arc>\n'
        )
    )
    assert not result.specs
    found = sorted((d.code, d.span.line if d.span else 0) for d in result.diagnostics)
    assert found == [("LD003", 5), ("LD004", 9), ("LD004", 10), ("LD005", 8), ("LD006", 6)]


def test_other_net_types_are_refused() -> None:
    text = '<net id="n" type="http://www.pnml.org/version-2009/grammar/symmetricnet"></net>'
    (problem,) = load(text).diagnostics
    assert problem.code == "LD004" and "not a P/T net" in problem.message


def test_a_net_that_is_not_a_workflow_net_says_why_at_each_element() -> None:
    result = load_file(str(PNML / "notworkflow.pnml"))
    assert not result.specs
    (problem,) = result.diagnostics
    assert problem.code == "LD004" and "'j' is a second source place" in problem.message
    assert problem.span is not None and problem.span.line == 6
    orphan = load(
        chain('<place id="x"/>\n<transition id="u"/>\n<arc id="a3" source="u" target="x"/>\n')
    )
    messages = sorted(d.message for d in orphan.diagnostics)
    assert any("no path from the source 'i' reaches transition 'u'" in m for m in messages)


def test_the_initial_marking_must_be_one_token_on_the_source() -> None:
    result = load(
        chain().replace(
            '<place id="o"/>',
            '<place id="o"><initialMarking><text>1</text></initialMarking></place>',
        )
    )
    (problem,) = result.diagnostics
    assert (
        problem.code == "LD004" and "exactly one token on its source place 'i'" in problem.message
    )


# -- soundness ----------------------------------------------------------------------------


def test_a_sound_net_has_no_findings_and_records_its_proofs() -> None:
    found, ctx = verify(PNML / "sound.pnml")
    assert found == []
    assert sorted(p.check for p in ctx.proved) == ["WF103", "WF104", "WF105", "WF106"]
    assert all("reachable markings" in (p.certificate or "") for p in ctx.proved)


def test_several_sinks_complete_when_every_token_is_on_one() -> None:
    found, ctx = verify(PNML / "multisink.pnml")
    assert found == [] and len(ctx.proved) == 4


def test_deadlock_with_a_firing_sequence_and_the_place_line() -> None:
    found, ctx = verify(PNML / "deadlock.pnml")
    codes = sorted((d.code, d.subject) for d in found)
    assert codes == [("WF103", "p1"), ("WF103", "p2"), ("WF106", "join")]
    first = next(d for d in found if d.subject == "p1")
    assert fired(first) == ["email"] and first.span is not None and first.span.line == 6
    assert "WF103" not in {p.check for p in ctx.proved}


def test_a_second_token_is_unsafe_with_its_trace() -> None:
    found, _ = verify(PNML / "unsafe.pnml")
    (unsafe,) = found
    assert unsafe.code == "WF105" and unsafe.subject == "o"
    assert fired(unsafe) == ["split", "a", "b"]


def test_a_loop_without_an_exit_is_no_option_to_complete() -> None:
    found, _ = verify(PNML / "livelock.pnml")
    assert sorted((d.code, d.subject) for d in found) == [("WF104", "q"), ("WF106", "leave")]
    livelock = next(d for d in found if d.code == "WF104")
    assert fired(livelock) == ["start", "spin"]


def test_non_free_choice_nets_are_checked_exactly() -> None:
    found, ctx = verify(PNML / "nonfreechoice.pnml")
    assert found == [] and len(ctx.proved) == 4


def test_a_search_bound_is_inconclusive_never_a_pass() -> None:
    found, ctx = verify(PNML / "livelock.pnml", max_states=2)
    (bound,) = found
    assert bound.code == "WF901" and "not decided" in bound.message
    assert ctx.proved == []


def test_verify_command_json_has_traces_and_proved() -> None:
    result = run_archctl("verify", "--format", "json", str(PNML / "deadlock.pnml"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    deadlock = next(d for d in report["diagnostics"] if d["code"] == "WF103")
    assert deadlock["evidence"]["kind"] == "trace"
    assert deadlock["evidence"]["steps"][0]["tokens"] == ["i"]
    clean = run_archctl("verify", "--format", "json", str(PNML / "sound.pnml"))
    assert clean.returncode == 0 and len(json.loads(clean.stdout)["proved"]) == 4


# -- graph and convert --------------------------------------------------------------------


def test_graph_draws_places_transitions_and_arcs() -> None:
    diagram = build_diagram(the_net(PNML / "sound.pnml"))
    shapes = {node.key: node.shape for node in diagram.nodes}
    assert shapes["i"] == "circle" and shapes["o"] == "end" and shapes["pay"] == "box"
    assert len(diagram.edges) == 10
    assert "start<br/>(one token)" in render_mermaid(diagram)
    dot = run_archctl("graph", "-f", "dot", str(PNML / "sound.pnml"))
    assert dot.returncode == 0 and '"split" -> "p1"' in dot.stdout.replace("n_", "")


def test_convert_turns_a_free_choice_net_into_a_sound_workflow(tmp_path: Path) -> None:
    outcome = convert_file(str(PNML / "sound.pnml"), "yaml")
    assert outcome.text is not None and "kind: workflow" in outcome.text
    target = tmp_path / "sound.yaml"
    target.write_text(outcome.text, encoding="utf-8")
    (workflow,) = load_file(str(target)).specs
    assert isinstance(workflow, Workflow)
    types = {node.id: (node.type, node.gateway) for node in workflow.nodes}
    assert types["i"] == ("start", None) and types["o"] == ("end", None)
    assert types["split.split"] == ("gateway", "parallel")
    assert types["join.join"] == ("gateway", "parallel")
    assert run_archctl("verify", str(target)).returncode == 0
    dsl = convert_file(str(PNML / "deadlock.pnml"), "dsl")
    assert dsl.text is not None and dsl.text.startswith("workflow deadlock {")


def test_convert_refuses_a_non_free_choice_net_at_the_arc() -> None:
    outcome = convert_file(str(PNML / "nonfreechoice.pnml"), "yaml")
    assert outcome.text is None and outcome.refused is not None
    (problem,) = [d for d in outcome.refused.diagnostics if d.code == "LD004"]
    assert "not free-choice" in problem.message
    assert problem.span is not None and problem.span.line == 16
    result = run_archctl("convert", str(PNML / "nonfreechoice.pnml"), "--to", "yaml")
    assert result.returncode == 2
