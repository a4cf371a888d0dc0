"""Live-variable reduction: merging dead values changes no verdict and no trace's truth.

The oracle is the plain search (every interleaving, every value kept); the checker's search
merges states that differ only in values no token can still read and lets branches commute
when their writes are dead. Random workflows with several variables, parallel branches and
writes of every kind must get the same soundness and gateway findings from both.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from archctl.check.workflow.conditions import from_runs
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.check.workflow.soundness import Soundness
from archctl.check.workflow.structure import reachable
from archctl.cli import app
from archctl.load.bpmn.frontend import load_bpmn_text
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.workflow import Workflow
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen_workflow import bpmn_flag_branches, free_choice_writes

SETS = ["x = any", "x = true", "y = not x", "n = n + 1", "n = 0", "y = n >= 2", "x = y", ""]
WHENS = ["x", "not x", "y and n < 2", "n == 1", "x or y"]


VARIABLES = [
    "  x: {type: bool, initial: false}",
    "  y: {type: bool}",
    "  n: {type: int, range: [0, 3], initial: 0}",
]


def random_workflow(
    rng: random.Random,
    variables: list[str] = VARIABLES,
    sets: list[str] = SETS,
    whens: list[str] = WHENS,
    loops: bool = False,
) -> str:
    """A parallel split into 1-3 branches of tasks and exclusive gateways, then a join
    (``loops``: some gateway branches go back to the step before the gateway)."""
    lines = ["kind: workflow", "name: live", "variables:", *variables]
    lines += [
        "nodes:",
        "  start: {type: start}",
        "  split: {type: gateway, gateway: parallel}",
        f"  join: {{type: gateway, gateway: {rng.choice(['parallel', 'parallel', 'exclusive'])}}}",
        "  end: {type: end}",
    ]
    flows = ["start -> split", "join -> end"]
    for branch in range(rng.randint(1 if loops else 2, 3)):
        previous = "split"
        for step in range(rng.randint(1, 3)):
            name = f"b{branch}s{step}"
            if rng.random() < (0.45 if loops else 0.35):
                lines.append(f"  {name}: {{type: gateway, gateway: exclusive}}")
                lines.append(f"  {name}a: {{type: task}}")
                back = loops and previous != "split" and rng.random() < 0.3
                flows += [
                    f"{previous} -> {name}",
                    f'{{from: {name}, to: {name}a, when: "{rng.choice(whens)}"}}',
                    f"{{from: {name}, to: {name}m, default: true}}",
                    f"{name}a -> {previous if back else name + 'm'}",
                ]
                lines.append(f"  {name}m: {{type: gateway, gateway: exclusive}}")
                previous = f"{name}m"
            else:
                chosen = rng.choice(sets)
                extra = f', sets: "{chosen}"' if chosen else ""
                lines.append(f"  {name}: {{type: task{extra}}}")
                flows.append(f"{previous} -> {name}")
                previous = name
        flows.append(f"{previous} -> join")
    lines.append("flows:")
    lines += [f"  - {flow}" for flow in flows]
    return "\n".join(lines) + "\n"


def findings(spec: Workflow, **options: bool) -> set[tuple[str, str]] | None:
    """Soundness and gateway findings of a search with these ``Explorer`` options, or None
    when it stopped early (an unsafe workflow whose tokens pile up), where two searches may
    stop at different points."""
    net, data = build_net(spec), build_data(spec, 10_000)
    explorer = Explorer(net, data, 200_000, **options)
    found = explorer.run()
    if found.bound_hit or found.unsafe_stop or found.truncated:
        return None
    out = Soundness(net, data, found, spec.name, explorer).check(reachable(net))
    out += from_runs(net, explorer.rules, complete=True)
    return {(d.code, d.subject or "") for d in out}


def test_merging_dead_values_keeps_every_finding() -> None:
    rng = random.Random(2026)
    deadline = time.monotonic() + 4.0
    checked = 0
    while time.monotonic() < deadline and checked < 400:
        result = load_yaml_text("live.yaml", random_workflow(rng))
        assert not result.diagnostics, result.diagnostics
        spec = result.specs[0]
        assert isinstance(spec, Workflow)
        merged = findings(spec, reduce=True, live=True)
        plain = findings(spec, reduce=False, live=False)
        if merged is None or plain is None:
            continue
        assert merged == plain, result.sources
        checked += 1
    assert checked >= 30, checked


def test_dead_writes_do_not_multiply_states() -> None:
    spec = load_yaml_text("w.yaml", free_choice_writes(12, deadlock=True)).specs[0]
    assert isinstance(spec, Workflow)
    net, data = build_net(spec), build_data(spec, 10_000)
    assert len(data.names) == 12
    merged = Explorer(net, data, 200_000).run()
    assert len(merged.keys) < 100  # without merging: one state per subset of flags set
    small = build_net(load_yaml_text("w.yaml", free_choice_writes(6, deadlock=True)).specs[0])  # type: ignore[arg-type]
    plain = Explorer(small, build_data(small.workflow, 10_000), 200_000, live=False).run()
    assert len(plain.keys) > 2**6  # every subset of the six flags set


def test_a_trace_through_dead_writes_shows_real_values_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "dead-writes.yaml"
    path.write_text(free_choice_writes(3, deadlock=True))
    runner = CliRunner()
    verify = runner.invoke(app, ["verify", str(path), "--format", "json"])
    report = json.loads(verify.stdout)
    deadlock = next(d for d in report["diagnostics"] if d["code"] == "WF103")
    last = deadlock["evidence"]["steps"][-1]
    fired = {step["node"] for step in deadlock["evidence"]["steps"]}
    assert any(f"a{i}" in fired for i in range(3))
    for i in range(3):  # a flag set on the way is shown set, though it was dead
        assert last["values"][f"x{i}"] is (f"a{i}" in fired)
    report_path = tmp_path / "report.json"
    report_path.write_text(verify.stdout)
    replay = runner.invoke(app, ["simulate", str(path), "--replay", str(report_path)])
    assert replay.exit_code == 0, replay.stderr


def test_independent_bpmn_branches_that_set_their_own_flags_commute() -> None:
    # each task writes only its branch's flag (Zeebe output mappings), and the writes after
    # each gateway are dead: the branches commute and the flags do not multiply states
    result = load_bpmn_text("flags.bpmn", bpmn_flag_branches(8))
    spec = result.specs[0]
    assert isinstance(spec, Workflow) and len(spec.variables) == 8
    net, data = build_net(spec), build_data(spec, 10_000)
    found = Explorer(net, data, 200_000).run()
    assert len(found.keys) < 200 and not found.bound_hit
    assert findings(spec) == set()
