"""Terminate ends and subprocess scopes (BPMN imports) in the simulator, against the checker.

The checker's token game is the reference (``check/workflow/fire.py``): a terminate end
takes every token and completes the instance, a scoped terminate takes every token inside
its subprocess and goes on, a completion join fires once its subprocess is empty. The
differential test runs instances of every BPMN model we have with their firings recorded
and replays each run, step by step, through ``replay_workflow`` (which applies the
checker's rules, terminates and completions included): every simulated run must be a run
the checker allows, and a model whose option to complete ``verify`` proves must not have
instances cut at the step limit.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.api import load_text
from archctl.cli import app
from archctl.load.loader import load_paths
from archctl.model.workflow import Workflow
from archctl.simulate.counters import counters_for
from archctl.simulate.engine import run_instance
from archctl.simulate.gateways import Firing, Record
from archctl.simulate.keyed import instance_key
from archctl.simulate.records import CUT, OUTCOME_LABEL
from archctl.simulate.replay import TraceInput
from archctl.simulate.replay_workflow import replay_workflow
from archctl.simulate.workflow import Program, SimulationError, compile_workflow
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES, ROOT

BPMN_CASES = ROOT / "tests" / "cases" / "bpmn"
REPRODUCER = BPMN_CASES / "terminate-ends-everything.bpmn"
INTERRUPT = BPMN_CASES / "interrupt-parallel-subprocess.bpmn"
SOURCES = [*sorted(BPMN_CASES.glob("*.bpmn")), *sorted(EXAMPLES.glob("*.bpmn"))]


def simulate_json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["simulate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


#: step limit of the replayed runs: a run that loops this long is cut (and its prefix still
#: replayed); a loop a free choice leaves stays this long with a vanishing probability
STEPS = 1000


def run(
    program: Program, seed: int, instance: int, max_steps: int = STEPS
) -> tuple[int, list[Record], list[Firing]]:
    records: list[Record] = []
    fired: list[Firing] = []
    key = instance_key(seed, instance)
    outcome, _ = run_instance(
        program, key, counters_for(program), max_steps=max_steps, records=records, fired=fired
    )
    return outcome, records, fired


def replay_run(program: Program, fired: list[Firing], outcome: int) -> None:
    """Replay one simulated run through the checker's rules; raise where it is not one."""
    labels = program.labels
    marking: Counter[str] = Counter()
    steps = []
    for number, (node, taken, put, values) in enumerate(fired, 1):
        for flow in taken:
            assert marking[labels[flow]] > 0, f"step {number}: no token on {labels[flow]}"
            marking[labels[flow]] -= 1
        marking.update(labels[flow] for flow in put)
        marking = +marking
        tokens = sorted(marking.elements())
        steps.append({"node": program.ids[node], "tokens": tokens, "values": values})
    if steps:
        replay_workflow(program, TraceInput(steps))
    if outcome >= 0:  # completed: no token is left anywhere
        assert not marking, f"completed at {program.ids[outcome]} with tokens {marking}"


def workflows(path: Path) -> list[tuple[Workflow, Program]]:
    loaded = load_paths([str(path)])
    found = {s.name: s for s in loaded.specs if isinstance(s, Workflow)}
    out = []
    for workflow in found.values():
        try:
            out.append((workflow, compile_workflow(workflow, found)))
        except SimulationError:
            continue
    return out


def completes(path: Path) -> set[str]:
    """The specs of ``path`` whose option to complete (WF104) ``verify`` proves."""
    proved = verify_paths([str(path)]).proved
    return {proof.spec for proof in proved if proof.check == "WF104"}


def check_file(path: Path, instances: int, seed: int = 11) -> int:
    """Replay ``instances`` simulated runs of every workflow of ``path``; the runs checked."""
    sure = completes(path)
    checked = 0
    for workflow, program in workflows(path):
        for instance in range(instances):
            outcome, _records, fired = run(program, seed, instance)
            label = f"{path.name} {workflow.name} instance {instance}"
            try:
                replay_run(program, fired, outcome)
            except (SimulationError, AssertionError) as error:
                pytest.fail(f"{label}: the simulated run is not one the checker allows: {error}")
            if workflow.name in sure:
                assert outcome != CUT, f"{label}: verify proves it completes, but it was cut"
            checked += 1
    return checked


def test_a_terminate_end_ends_every_instance_at_once() -> None:
    """The reproducer: a polling loop without exit beside an approval that ends in a
    terminate end. Every instance completes at `stop`, the polling token taken with it."""
    summary = simulate_json(str(REPRODUCER), "--instances", "200", "--seed", "1")
    assert summary["outcomes"] == {"stop": 200}
    nodes = summary["nodes"]
    assert isinstance(nodes, dict) and nodes["stop"]["visits"] == 200


def test_the_timeline_shows_what_a_terminate_took() -> None:
    ((_, program),) = workflows(REPRODUCER)
    outcome, records, _ = run(program, 1, 0)
    assert program.ids[outcome] == "stop"
    (taking,) = [r for r in records if r[1] == "terminate"]
    assert taking[2] == "stop" and taking[5] in (["poll"], ["wait"]) and taking[6] == 0
    assert records[-1][1:5] == ("finish", "terminate_ends_all", 0, "stop")


def test_an_interrupting_boundary_and_a_completion_join() -> None:
    """The interrupt strikes while the subprocess's parallel branches run: it takes their
    tokens (and nothing reaches `shipped`); otherwise the completion join fires once, after
    both branches, and the instance ends at `shipped`. Both happen, nothing gets stuck."""
    summary = simulate_json(str(INTERRUPT), "-n", "400", "--seed", "3")
    outcomes = summary["outcomes"]
    assert isinstance(outcomes, dict) and set(outcomes) == {"shipped", "refunded"}
    assert min(outcomes.values()) > 100
    ((_, program),) = workflows(INTERRUPT)
    seen = set()
    for instance in range(60):
        outcome, records, fired = run(program, 3, instance)
        replay_run(program, fired, outcome)
        ends = [r[2] for r in records if r[1] == "end"]
        joins = [r for r in records if r[1] == "join" and r[2] == "ship.join-2"]
        taken = [r[5] for r in records if r[1] == "terminate"]
        if program.ids[outcome] == "shipped":
            assert ends == ["shipped"] and len(joins) == 1 and not taken
        else:
            assert ends == ["refunded"] and not joins and len(taken) == 1
            seen.add(tuple(taken[0]))
    assert any(seen), "the interrupt never took a running branch's token"


TIMED = """\
kind: workflow
name: timed-scope
nodes:
  start: {type: start}
  sub: {type: task}
  fork: {type: gateway, gateway: parallel}
  pack: {type: task, duration: {dist: uniform, min: 5ms, max: 50ms}}
  label: {type: task, duration: {dist: exponential, mean: 20ms}, failure_rate: 0.2,
          retry: {max_attempts: 2, backoff: 3ms}, on_error: oops}
  oops: {type: task, duration: 4ms}
  listen: {type: task, duration: {dist: uniform, min: 1ms, max: 60ms}}
  decide: {type: gateway, gateway: exclusive}
  interrupt: {type: task}
  done: {type: gateway, gateway: inclusive}
  shipped: {type: end}
  refunded: {type: end}
flows: [start -> sub, sub -> fork, fork -> pack, fork -> label, fork -> listen,
        label -> done, oops -> done, pack -> done, listen -> decide, decide -> done,
        decide -> interrupt, interrupt -> refunded, done -> shipped]
"""


def timed_program() -> Program:
    """A subprocess with timed, failing branches and an interrupting listener: the YAML
    cannot say `terminate` or `scope` (only importers set them), so the test sets them."""
    (workflow,) = [s for s in load_text(TIMED) if isinstance(s, Workflow)]
    inside = ("fork", "pack", "label", "oops", "listen", "decide", "interrupt")
    nodes = []
    for node in workflow.nodes:
        if node.id == "done":
            node = replace(node, scope=inside)
        elif node.id == "interrupt":
            node = replace(node, terminate=True, scope=(*inside, "done"))
        nodes.append(node)
    scoped = replace(workflow, nodes=tuple(nodes))
    return compile_workflow(scoped, {scoped.name: scoped})


def test_timed_tokens_are_taken_mid_task_and_their_later_attempts_never_happen() -> None:
    program = timed_program()
    outcomes: Counter[str] = Counter()
    for instance in range(300):
        outcome, records, fired = run(program, 5, instance)
        replay_run(program, fired, outcome)
        outcomes[program.ids[outcome] if outcome >= 0 else OUTCOME_LABEL[outcome]] += 1
        for taking in [r for r in records if r[1] == "terminate"]:
            assert taking[2] == "interrupt"
            later = [r for r in records if r[0] > taking[0] and r[1] in ("attempt", "complete")]
            assert all(r[2] not in ("pack", "label", "oops", "listen") for r in later)
    assert set(outcomes) == {"shipped", "refunded"}, outcomes


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_simulated_bpmn_run_is_one_the_checker_allows(path: Path) -> None:
    check_file(path, instances=20)


def _scoped(path: Path) -> bool:
    """Whether a BPMN file has what this test is about (checked first, within the budget)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return any(word in text for word in ("terminateEventDefinition", "subProcess", "boundary"))


def test_simulated_corpus_runs_are_ones_the_checker_allows(corpus: Path) -> None:
    """The corpus's BPMN models, seeded and time-bounded (a few seconds)."""
    files = sorted(corpus.rglob("*.bpmn"), key=lambda p: (not _scoped(p), str(p)))
    deadline = time.monotonic() + 6.0
    checked = files_done = 0
    for path in files:
        if time.monotonic() > deadline and files_done >= 20:
            break
        checked += check_file(path, instances=5)
        files_done += 1
    assert checked > 50, (checked, files_done)
