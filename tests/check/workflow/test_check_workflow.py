"""Workflow checker: semantics, the reduction against full exploration, traces, bounds.

The data-driven cases under tests/cases/workflow/ pin one finding per code; these tests
check what the cases cannot: that the stubborn-set reduction gives the same verdicts as
the full state space on many workflows (generated and random), that traces are concrete
and well-formed, that bounds are reported as WF901, and that odd graphs (as an importer
may produce them) never crash the checker.
"""

from __future__ import annotations

import json
import random
import sys

import pytest

from archctl.check import CheckContext, CheckOptions
from archctl.check.workflow.checker import check
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.check.workflow.soundness import Soundness
from archctl.check.workflow.structure import reachable
from archctl.evidence import Trace
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.workflow import Flow, Node, Workflow
from archctl.report.json import render_json
from archctl.source import Span
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen_workflow import parallel_branches, workflow

SPAN = Span("generated.yaml", 1, 1, 1, 1)
CLEAN = [
    "order-workflow.yaml",
    "approval-process.yaml",
    "multi-level-cache.yaml",
    "async-message-processor.yaml",
    "service-mesh-routing.yaml",
]


def load(text: str) -> Workflow:
    result = load_yaml_text("generated.yaml", text)
    assert not result.diagnostics, result.diagnostics
    spec = result.specs[0]
    assert isinstance(spec, Workflow)
    return spec


def run(spec: Workflow, max_states: int = 2_000_000) -> list[tuple[str, str]]:
    found = check(spec, CheckContext([spec], CheckOptions(max_states=max_states)))
    return sorted((d.code, d.subject or "") for d in found)


def verdicts(spec: Workflow, reduce: bool) -> set[tuple[str, str]]:
    """Soundness findings of one exploration mode (codes and subjects).

    ``reduce=False`` is the oracle: every interleaving, every value kept (no stubborn sets,
    no live-variable merging); ``reduce=True`` is what the checker runs.
    """
    net, data = build_net(spec), build_data(spec, 10_000)
    explorer = Explorer(net, data, 200_000, reduce=reduce, live=reduce)
    found = explorer.run()
    assert not found.bound_hit
    findings = Soundness(net, data, found, spec.name, explorer).check(reachable(net))
    return {(d.code, d.subject or "") for d in findings if d.code != "WF105"} | {
        ("WF105", "") for d in findings if d.code == "WF105"
    }


@pytest.mark.parametrize("name", CLEAN)
def test_examples_verify_clean(name: str) -> None:
    outcome = verify_paths([str(EXAMPLES / name)])
    assert [(d.code, d.subject) for d in outcome.diagnostics] == []


@pytest.mark.parametrize("seed", range(1, 7))
@pytest.mark.parametrize("defect", [None, "deadlock"])
def test_reduction_keeps_verdicts_on_generated_workflows(seed: int, defect: str | None) -> None:
    spec = load(workflow(40, seed, defect, max_branches=3, max_depth=2, branch_nodes=8))
    assert verdicts(spec, reduce=True) == verdicts(spec, reduce=False)


def test_reduction_finds_unsafety_like_full_search() -> None:
    for seed in range(1, 5):
        spec = load(workflow(40, seed, "unsafe", max_branches=3, max_depth=2, branch_nodes=8))
        reduced = {code for code, _ in verdicts(spec, reduce=True)}
        full = {code for code, _ in verdicts(spec, reduce=False)}
        assert "WF105" in reduced and "WF105" in full


def test_parallel_branches_collapse_under_reduction() -> None:
    spec = load(parallel_branches(15))
    net, data = build_net(spec), build_data(spec, 10_000)
    reduced = Explorer(net, data, 2_000_000).run()
    assert len(reduced.keys) == 15 + 4  # one interleaving: start, split, 15 tasks, join, end
    assert run(spec) == []
    full = Explorer(net, data, 2_000_000, reduce=False).run()
    small = build_net(load(parallel_branches(8)))
    assert len(Explorer(small, data, 10_000, reduce=False).run().keys) == 2**8 + 3
    assert len(full.keys) > len(reduced.keys) or full.bound_hit


def test_deadlock_trace_is_concrete() -> None:
    path = ROOT / "tests/cases/workflow/xor-split-into-and-join.yaml"
    outcome = verify_paths([str(path)])
    (finding,) = outcome.diagnostics
    assert isinstance(finding.evidence, Trace)
    steps = finding.evidence.steps
    assert steps[0].node == "start" and steps[0].tokens == ("start -> choose",)
    assert [s.node for s in steps[1:]] in (["choose", "email"], ["choose", "letter"])
    assert steps[-1].tokens in (("email -> join",), ("letter -> join",))


def test_witness_and_trace_values_come_from_the_run() -> None:
    path = ROOT / "tests/cases/workflow/gateway-hole.yaml"
    by_code = {d.code: d for d in verify_paths([str(path)]).diagnostics}
    witness = by_code["WF107"].evidence.to_json()  # type: ignore[union-attr]
    assert witness["kind"] == "witness"
    amount = witness["values"]["amount"]  # type: ignore[index,call-overload]
    assert 100 <= amount <= 500
    trace = by_code["WF103"].evidence
    assert isinstance(trace, Trace)
    assert 100 <= trace.steps[-1].values["amount"] <= 500  # type: ignore[operator]


def test_failure_into_on_error_is_a_step_of_the_trace() -> None:
    path = ROOT / "tests/cases/workflow/error-handler-into-join.yaml"
    (finding,) = verify_paths([str(path)]).diagnostics
    assert isinstance(finding.evidence, Trace)
    steps = finding.evidence.steps
    failed = [s for s in steps if s.note is not None]
    assert [s.node for s in failed] == ["charge"]
    assert "charge -> refund (on_error)" in (failed[0].tokens or ())
    assert steps[-1].tokens == ("reserve -> join",)


def test_bound_is_inconclusive_not_a_pass() -> None:
    spec = load(workflow(40, 3, None, max_branches=3, max_depth=2, branch_nodes=8))
    found = run(spec, max_states=5)
    assert ("WF901", spec.name) in found
    assert not any(code in ("WF104", "WF106") for code, _ in found)
    text = (ROOT / "tests/cases/workflow/loop-without-exit.yaml").read_text(encoding="utf-8")
    assert {code for code, _ in run(load(text))} == {"WF104", "WF106", "WF109"}
    cut = {code for code, _ in run(load(text), max_states=3)}
    assert cut == {"WF901"}  # "never holds", "never completes", "dead": all unproved


COUNTER = """
kind: workflow
name: counted-retries
variables:
  tries: {type: int, range: [0, 3], initial: 0}
  ok: {type: bool, initial: false}
nodes:
  start: {type: start}
  attempt: {type: task, sets: "tries = tries + 1; ok = any"}
  again: {type: gateway, gateway: exclusive}
  done: {type: end}
  gave-up: {type: end, result: failure}
flows:
  - start -> attempt
  - attempt -> again
  - {from: again, to: done, when: "ok"}
  - {from: again, to: attempt, when: "not ok and tries < 3"}
  - {from: again, to: gave-up, default: true}
"""


def test_arithmetic_loop_counter_is_tracked_exactly() -> None:
    assert run(load(COUNTER)) == []
    stuck = COUNTER.replace("      - {from: again, to: gave-up, default: true}\n", "")
    stuck = stuck.replace("  - {from: again, to: gave-up, default: true}\n", "")
    stuck = stuck.replace("  gave-up: {type: end, result: failure}\n", "")
    found = run(load(stuck))
    assert ("WF107", "again") in found and ("WF103", "again") in found


def test_instance_failure_is_an_outcome_not_a_deadlock() -> None:
    text = """
kind: workflow
name: fails-sometimes
nodes:
  start: {type: start}
  split: {type: gateway, gateway: parallel}
  flaky: {type: task, failure_rate: 0.5}
  steady: {type: task}
  join: {type: gateway, gateway: parallel}
  done: {type: end}
flows:
  - start -> split
  - split -> flaky
  - split -> steady
  - flaky -> join
  - steady -> join
  - join -> done
"""
    assert run(load(text)) == []


def test_output_is_deterministic() -> None:
    paths = [str(p) for p in sorted((ROOT / "tests/cases/workflow").glob("*.yaml"))]
    outcome = verify_paths(paths)
    first = render_json(outcome.diagnostics, len(paths), len(paths))
    again = verify_paths(paths)
    assert first == render_json(again.diagnostics, len(paths), len(paths))
    assert json.loads(first)["diagnostics"]


def random_workflow(rng: random.Random) -> Workflow:
    """An arbitrary graph of nodes and flows, as a careless importer might produce it."""
    count = rng.randint(2, 9)
    nodes = [Node("start", "start", SPAN)]
    for i in range(count):
        kind = rng.choice(["task", "task", "gateway", "gateway", "end"])
        gateway = rng.choice(["exclusive", "parallel", "inclusive"]) if kind == "gateway" else None
        on_error = rng.choice([None, None, "start", f"n{rng.randrange(count)}"])
        nodes.append(
            Node(
                f"n{i}",
                kind,
                SPAN,
                task="service" if kind == "task" else None,
                gateway=gateway,
                failure_rate=rng.choice([0.0, 0.0, 0.3, 1.0]) if kind == "task" else 0.0,
                on_error=on_error if kind == "task" else None,
            )
        )
    ids = [node.id for node in nodes]
    flows = [
        Flow(i, rng.choice(ids), rng.choice(ids), None, rng.random() < 0.1, SPAN)
        for i in range(rng.randint(1, 14))
    ]
    return Workflow("random", SPAN, (), tuple(nodes), tuple(flows))


def test_random_graphs_never_crash_and_reduction_agrees() -> None:
    rng = random.Random(4)
    for _ in range(300):
        spec = random_workflow(rng)
        found = check(spec, CheckContext([spec], CheckOptions(max_states=5_000)))
        assert all(d.span is not None and d.subject for d in found)
        if any(d.code == "WF901" for d in found) or len(build_net(spec).starts) != 1:
            continue
        assert verdicts(spec, reduce=True) == verdicts(spec, reduce=False), spec


def random_data_workflow(rng: random.Random) -> str:
    """Random YAML with variables: tasks set them, exclusive gateways branch on them."""
    lines = [
        "kind: workflow",
        "name: random-data",
        "variables:",
        "  x: {type: bool, initial: false}",
        "  n: {type: int, range: [0, 3], initial: 0}",
        "nodes:",
        "  start: {type: start}",
    ]
    count = rng.randint(3, 8)
    kinds = []
    for i in range(count):
        kind = rng.choice(["task", "task", "exclusive", "parallel", "end"])
        kinds.append(kind)
        if kind == "task":
            sets = rng.choice(["", "x = any", "x = not x", "n = 0", "x = n >= 2"])
            extra = f', sets: "{sets}"' if sets else ""
            lines.append(f"  n{i}: {{type: task{extra}}}")
        elif kind == "end":
            lines.append(f"  n{i}: {{type: end}}")
        else:
            lines.append(f"  n{i}: {{type: gateway, gateway: {kind}}}")
    lines.append("flows:")
    lines.append(f"  - start -> n{rng.randrange(count)}")
    for i, kind in enumerate(kinds):
        if kind == "end":
            continue
        targets = rng.sample(range(count), rng.randint(1, min(3, count)))
        for j, target in enumerate(targets):
            if kind == "exclusive" and len(targets) > 1:
                if j == len(targets) - 1:
                    lines.append(f"  - {{from: n{i}, to: n{target}, default: true}}")
                else:
                    when = rng.choice(["x", "not x", "n < 2", "x and n == 1"])
                    lines.append(f'  - {{from: n{i}, to: n{target}, when: "{when}"}}')
            else:
                lines.append(f"  - n{i} -> n{target}")
    return "\n".join(lines) + "\n"


def test_random_data_workflows_reduction_agrees() -> None:
    rng = random.Random(11)
    checked = 0
    for _ in range(200):
        result = load_yaml_text("generated.yaml", random_data_workflow(rng))
        if result.diagnostics or not result.specs:
            continue
        spec = result.specs[0]
        assert isinstance(spec, Workflow)
        found = check(spec, CheckContext([spec], CheckOptions(max_states=5_000)))
        if any(d.code == "WF901" for d in found):
            continue
        assert verdicts(spec, reduce=True) == verdicts(spec, reduce=False), spec
        checked += 1
    assert checked > 50


def test_traces_show_the_declared_initial_value() -> None:
    """Region representatives are exact for the proof, but the trace must show real values."""
    from archctl.evidence import Trace, Witness
    from archctl.verify import verify_paths

    outcome = verify_paths(["tests/simulate/stuck.yaml"])
    by_code = {d.code: d for d in outcome.diagnostics if d.spec == "no-route"}
    trace = by_code["WF103"].evidence
    witness = by_code["WF107"].evidence
    assert isinstance(trace, Trace) and isinstance(witness, Witness)
    assert trace.steps[-1].values == {"amount": 5}
    assert witness.values == {"amount": 5}


def test_condition_witnesses_do_not_depend_on_earlier_queries() -> None:
    """A library user, the language server and ``verify --jobs`` workers check many specs in one
    process; the witnesses Z3 picks must be those of a fresh ``archctl verify`` all the same."""
    import archctl
    from tests.conftest import CASES, run_archctl

    hole = CASES / "workflow" / "inclusive-hole.yaml"
    fresh = run_archctl("verify", "--format", "json", str(hole.relative_to(ROOT))).stdout
    for other in sorted((CASES / "workflow").glob("*.yaml")):
        archctl.verify_text(other.read_text(encoding="utf-8"), source=other.name)
    again = archctl.verify_paths([hole.relative_to(ROOT)]).to_json()
    assert json.loads(again)["diagnostics"] == json.loads(fresh)["diagnostics"]
