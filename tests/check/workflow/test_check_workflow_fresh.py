"""Fresh variables and traps against the plain search (every value kept, every marking).

Fresh variables (values only ``any`` writes, each read once) are left out of the states;
random workflows whose writes are mostly ``any`` must get exactly the findings of the search
that keeps them (including the ones where a value is read twice and the explorer falls back).
A marked trap must never be claimed for a marking the complete search shows can complete.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace

from archctl.check.workflow.data import build_data
from archctl.check.workflow.fire import Rules
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.check.workflow.soundness import Soundness
from archctl.check.workflow.structure import reachable
from archctl.check.workflow.traps import Traps, drains, escapes
from archctl.load.bpmn.frontend import load_bpmn_text
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.workflow import Workflow
from tests.check.workflow.test_check_workflow_live import findings
from tests.check.workflow.test_check_workflow_live import random_workflow as live_workflow
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen_workflow import bpmn_flag_branches

SETS = ["x = any", "y = any", "x = any; y = any", "", "", "y = true"]
WHENS = ["x", "not x", "y", "x and y", "x or not y"]


VARIABLES = ["  x: {type: bool}", "  y: {type: bool}"]  # no initial values: fresh if read once


def random_workflow(rng: random.Random, loops: bool) -> str:
    return live_workflow(rng, VARIABLES, SETS, WHENS, loops)


def test_leaving_fresh_values_out_keeps_every_finding() -> None:
    rng = random.Random(18)
    deadline = time.monotonic() + 4.0
    checked = 0
    while time.monotonic() < deadline and checked < 300:
        result = load_yaml_text("fresh.yaml", random_workflow(rng, loops=checked % 2 == 1))
        assert not result.diagnostics, result.diagnostics
        spec = result.specs[0]
        assert isinstance(spec, Workflow)
        left_out, kept = findings(spec, fresh=True), findings(spec, fresh=False)
        if left_out is None or kept is None:
            continue
        assert left_out == kept, result.sources
        checked += 1
    assert checked >= 30, checked


def test_flag_branches_without_output_mappings_stay_small() -> None:
    """#18: every task may write every flag; each gateway reads its flag once, fresh."""
    spec = load_bpmn_text("f.bpmn", bpmn_flag_branches(6, outputs=False)).specs[0]
    assert isinstance(spec, Workflow)
    net, data = build_net(spec), build_data(spec, 10_000)
    explorer = Explorer(net, data, 200_000)
    assert explorer.fresh is not None and len(explorer.fresh.slots) == 6
    found = explorer.run()
    assert not found.fresh_broken and len(found.keys) < 100
    assert Soundness(net, data, found, spec.name, explorer).check(reachable(net)) == []


def test_a_value_read_twice_is_tracked() -> None:
    """Two gateways read one value: leaving it out would decouple them (fallback)."""
    text = (
        "kind: workflow\nname: twice\nvariables:\n  x: {type: bool}\n"
        'nodes:\n  start: {type: start}\n  w: {type: task, sets: "x = any"}\n'
        "  g1: {type: gateway, gateway: exclusive}\n  g2: {type: gateway, gateway: exclusive}\n"
        "  a: {type: task}\n  b: {type: task}\n  bad: {type: task}\n  end: {type: end}\n"
        "flows:\n  - start -> w\n  - w -> g1\n"
        '  - {from: g1, to: a, when: "x"}\n  - {from: g1, to: b, default: true}\n'
        "  - a -> g2\n  - b -> end\n"
        '  - {from: g2, to: end, when: "x"}\n  - {from: g2, to: bad, default: true}\n'
        "  - bad -> end\n"
    )
    spec = load_yaml_text("twice.yaml", text).specs[0]
    assert isinstance(spec, Workflow)
    net, data = build_net(spec), build_data(spec, 10_000)
    explorer = Explorer(net, data, 10_000)
    assert explorer.fresh is None  # x is live after g1: not fresh, nothing left out
    codes = {
        (d.code, d.subject)
        for d in Soundness(net, data, explorer.run(), "twice", explorer).check(reachable(net))
    }
    assert codes == {("WF106", "bad")}  # x held at g1 still holds at g2


def looping_workflow(rng: random.Random) -> str:
    """Branches of loops whose back edge leaves a parallel or exclusive gateway, with or
    without an exit: livelocks, token factories and sound loops."""
    lines = ["kind: workflow", "name: loops", "nodes:", "  start: {type: start}"]
    lines += ["  split: {type: gateway, gateway: parallel}", "  end: {type: end}"]
    flows = ["start -> split"]
    for branch in range(rng.randint(1, 2)):
        merge, work, choose = f"m{branch}", f"t{branch}", f"c{branch}"
        kind = rng.choice(["parallel", "exclusive", "exclusive"])
        lines += [
            f"  {merge}: {{type: gateway, gateway: exclusive}}",
            f"  {work}: {{type: task}}",
            f"  {choose}: {{type: gateway, gateway: {kind}}}",
        ]
        flows += [f"split -> {merge}", f"{merge} -> {work}", f"{work} -> {choose}"]
        flows.append(f"{choose} -> {merge}")
        exits = rng.random() < 0.7
        if exits or kind == "parallel":
            flows.append(f"{choose} -> end")
        else:
            lines.append(f"  {choose}x: {{type: task}}")
            flows += [f"{choose} -> {choose}x", f"{choose}x -> {merge}"]
    lines.append("flows:")
    lines += [f"  - {flow}" for flow in flows]
    return "\n".join(lines) + "\n"


def test_a_marked_trap_never_completes() -> None:
    """Against the backward search over the explored states (the whole state space, or the
    part explored before tokens piled up: a trapped state must not complete there either)."""
    rng = random.Random(7)
    deadline = time.monotonic() + 3.0
    trapped = checked = 0
    while time.monotonic() < deadline and checked < 300:
        text = random_workflow(rng, loops=True) if checked % 2 else looping_workflow(rng)
        spec = load_yaml_text("t.yaml", text).specs[0]
        assert isinstance(spec, Workflow)
        net, data = build_net(spec), build_data(spec, 10_000)
        explorer = Explorer(net, data, 50_000, reduce=False, live=False)
        found = explorer.run()
        if found.bound_hit:
            continue
        checked += 1
        traps = Traps(net, explorer.rules)
        sound = Soundness(net, data, found, spec.name, explorer)
        done = [sid for sid, (marking, _) in enumerate(found.keys) if not marking]
        can_complete = sound.backward(done)
        for sid, (marking, _) in enumerate(found.keys):
            if traps.stuck(marking):
                trapped += 1
                assert sid not in can_complete, spec
    assert checked >= 30 and trapped, (checked, trapped)


def test_dropping_tokens_that_drain_alone_keeps_deadlocks_and_completion() -> None:
    """traps.drains: the net without those tokens has a deadlock, or a marking that cannot
    complete, exactly when the real one has (on nets small enough to search in full)."""
    rng = random.Random(11)
    deadline = time.monotonic() + 3.0
    checked = 0
    while time.monotonic() < deadline and checked < 300:
        text = random_workflow(rng, loops=True) if checked % 2 else looping_workflow(rng)
        spec = load_yaml_text("d.yaml", text).specs[0]
        assert isinstance(spec, Workflow)
        net, data = build_net(spec), build_data(spec, 10_000)
        verdicts = []
        for vanish in (0, drains(net, Rules(net, data))):
            explorer = Explorer(net, data, 50_000)
            explorer.vanish = vanish
            found = explorer.run()
            if found.bound_hit or found.unsafe_stop or found.truncated:
                break
            sound = Soundness(net, data, found, spec.name, explorer)
            dead = sound.dead_ends()
            verdicts.append((bool(dead), bool(sound.livelock(dead))))
        if len(verdicts) == 2:
            assert verdicts[0] == verdicts[1], text
            checked += 1
    assert checked >= 30, checked


def test_tokens_bound_for_a_terminate_end_prove_only_what_holds() -> None:
    """traps.escapes with traps.drains: when the search that counts a token put on the
    way to a terminate end as completion proves deadlock freedom or option to complete,
    the full search agrees (on nets small enough for it; some ends made terminate ends)."""
    rng = random.Random(5)
    deadline = time.monotonic() + 3.0
    checked = proved = 0
    while time.monotonic() < deadline and checked < 300:
        text = random_workflow(rng, loops=True) if checked % 2 else looping_workflow(rng)
        spec = load_yaml_text("e.yaml", text).specs[0]
        assert isinstance(spec, Workflow)
        nodes = tuple(
            replace(node, terminate=True) if node.type == "end" else node for node in spec.nodes
        )
        spec = replace(spec, nodes=nodes)
        net, data = build_net(spec), build_data(spec, 10_000)
        rules = Rules(net, data)
        escape = escapes(net, rules)
        verdicts = []
        for vanish, bound in ((0, 0), (drains(net, rules) & ~escape, escape)):
            explorer = Explorer(net, data, 50_000)
            explorer.vanish, explorer.escape = vanish, bound
            found = explorer.run()
            if found.bound_hit or found.unsafe_stop or found.truncated:
                break
            sound = Soundness(net, data, found, spec.name, explorer)
            dead = sound.dead_ends()
            verdicts.append((not dead, not dead and not sound.livelock(dead)))
        if len(verdicts) == 2:
            (no_deadlock, completes), (claims_no_deadlock, claims_completes) = verdicts
            assert no_deadlock or not claims_no_deadlock, text
            assert completes or not claims_completes, text
            proved += claims_completes
            checked += 1
    assert checked >= 30 and proved, (checked, proved)
