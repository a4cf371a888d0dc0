"""The cohort (numpy) engine against the scalar engine: the same chunk results, exactly.

The scalar engine (``engine.run_instance``, one instance at a time on a heap) is the oracle:
it is the documented semantics, and it shares nothing with the cohort engine but the keyed
draws. Every example workflow and a few hundred random ones (seeded, time-bounded) must give
identical per-chunk totals: outcome counts, latencies in instance order, per-node visits,
attempts, failures, timeouts and busy time to the last bit.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.api import load_text
from archctl.cli import app
from archctl.load.loader import load_paths
from archctl.model.workflow import Workflow
from archctl.simulate.cohort import batch_size
from archctl.simulate.parallel import CHUNK, ChunkResult, Job, run_chunks
from archctl.simulate.plan import cohort_plan
from archctl.simulate.workflow import Program, SimulationError, compile_workflow
from tests.conftest import EXAMPLES, ROOT

SOURCES = [*sorted(EXAMPLES.glob("*.yaml")), *sorted((ROOT / "tests" / "simulate").glob("*.yaml"))]


def programs(text: str) -> list[Program]:
    """The workflows of ``text`` that compile (a subprocess cycle is refused up front)."""
    workflows = {s.name: s for s in load_text(text) if isinstance(s, Workflow)}
    out = []
    for workflow in workflows.values():
        try:
            out.append(compile_workflow(workflow, workflows))
        except SimulationError:
            continue
    return out


def both(
    program: Program, seed: int, instances: int, until: float = float("inf"), steps: int = 500
) -> tuple[list[ChunkResult], list[ChunkResult]]:
    job = Job(lambda: program, seed, until, steps)
    bounds = [(lo, min(lo + CHUNK, instances)) for lo in range(0, instances, CHUNK)]
    return run_chunks(program, job, bounds), run_chunks(program, job, bounds, cohort=False)


def assert_same(fast: list[ChunkResult], slow: list[ChunkResult], label: str) -> None:
    assert len(fast) == len(slow)
    for mine, theirs in zip(fast, slow, strict=True):
        assert mine.start == theirs.start
        assert mine.totals.outcomes == theirs.totals.outcomes, label
        assert mine.totals.latencies == theirs.totals.latencies, label
        assert mine.totals.counters == theirs.totals.counters, label
        assert mine.totals.instances == theirs.totals.instances, label


def test_the_benchmarked_examples_take_the_cohort_path() -> None:
    for name in ("order-workflow", "async-message-processor"):
        (program,) = programs((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
        assert cohort_plan(program) is not None, name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_cohort_equals_scalar_on_every_example_workflow(path: Path) -> None:
    for program in programs(path.read_text(encoding="utf-8")):
        for seed, until in ((0, float("inf")), (7, 2500.0)):
            fast, slow = both(program, seed, 2300, until)
            assert_same(fast, slow, f"{path.name} {program.name} seed {seed}")


def test_batching_and_chunk_bounds_do_not_change_a_chunk() -> None:
    (program,) = programs((EXAMPLES / "order-workflow.yaml").read_text(encoding="utf-8"))
    job = Job(lambda: program, 3)
    bounds = [(lo, lo + CHUNK) for lo in range(0, 5 * CHUNK, CHUNK)]
    together = run_chunks(program, job, bounds)
    apart = [run_chunks(program, job, [b])[0] for b in bounds]
    assert_same(together, apart, "batched vs one chunk at a time")
    assert batch_size(program, CHUNK) >= 1


def test_workers_give_the_same_bytes_on_the_cohort_path() -> None:
    path = str(EXAMPLES / "async-message-processor.yaml")
    runner = CliRunner()
    args = ["simulate", path, "-n", "4500", "--seed", "9", "--format", "json"]
    one = runner.invoke(app, [*args, "--workers", "1"])
    two = runner.invoke(app, [*args, "--workers", "2"])
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    assert json.loads(one.stdout)["instances"] == 4500


# ---------------------------------------------------------------- random workflows

VARIABLES = """variables:
  flag: {type: bool%s}
  level: {type: int, range: [0, 4]%s}
  tier: {type: enum, values: [gold, silver, bronze]%s}
  score: {type: real, range: [0, 10]%s}
"""
CONDITIONS = [
    "flag",
    "not flag",
    "level > 2",
    "level <= 1 or flag",
    'tier == "gold"',
    'tier != "bronze" and level >= 2',
    "score > 5",
]
SETS = ["flag = any", "level = any", "tier = any", "score = any", "flag = not flag", "level = 3"]
DURATIONS = [
    "",
    "duration: 10ms, ",
    "duration: {dist: uniform, min: 1ms, max: 50ms}, ",
    "duration: {dist: exponential, mean: 20ms}, ",
    "duration: {dist: normal, mean: 20ms, stddev: 15ms}, ",
    "duration: {dist: lognormal, mean: 20ms, stddev: 10ms}, ",
]


def random_workflow(rng: random.Random, number: int) -> str:
    """A random workflow: tasks (timing, retries, deadlines, handlers, sets), exclusive and
    parallel gateways, several ends; mostly acyclic, sometimes with a loop back."""
    inner = rng.randint(3, 9)
    ids = [f"n{i}" for i in range(inner)]
    kinds = [rng.choice(["task", "task", "task", "xor", "and"]) for _ in ids]
    ends = [f"end{k}" for k in range(rng.randint(1, 3))]
    initial = [rng.choice(["", ", initial: false"]), rng.choice(["", ", initial: 1"])]
    initial += [rng.choice(["", ", initial: silver"]), rng.choice(["", ", initial: 2.5"])]
    lines = [f"kind: workflow\nname: random-{number}\n" + VARIABLES % tuple(initial), "nodes:"]
    lines.append("  start: {type: start}")
    flows = ["start -> n0"]
    for i, (node, kind) in enumerate(zip(ids, kinds, strict=True)):
        later = ids[i + 1 :] + ends
        targets = rng.sample(later, k=min(len(later), rng.choice([1, 1, 2, 2, 3])))
        if kind == "task":
            body = rng.choice(DURATIONS)
            if rng.random() < 0.6:
                body += f"failure_rate: {rng.choice([0.1, 0.3, 0.6])}, "
            if rng.random() < 0.5:
                body += f"retry: {{max_attempts: {rng.randint(2, 4)}, backoff: 5ms}}, "
            if rng.random() < 0.3:
                body += "deadline: 30ms, "
            if rng.random() < 0.5:
                body += f"on_error: {rng.choice(later)}, "
            if rng.random() < 0.5:
                body += f'sets: "{"; ".join(rng.sample(SETS, k=rng.randint(1, 2)))}", '
            lines.append(f"  {node}: {{type: task, {body.rstrip(', ')}}}")
            flows += [f"{node} -> {t}" for t in targets]
        elif kind == "xor":
            lines.append(f"  {node}: {{type: gateway, gateway: exclusive}}")
            if rng.random() < 0.3:  # a free choice
                flows += [f"{node} -> {t}" for t in targets]
                continue
            for target in targets:
                flows.append(f"{{from: {node}, to: {target}, when: '{rng.choice(CONDITIONS)}'}}")
            if rng.random() < 0.7:
                flows.append(f"{{from: {node}, to: {rng.choice(later)}, default: true}}")
        else:
            lines.append(f"  {node}: {{type: gateway, gateway: parallel}}")
            flows += [f"{node} -> {t}" for t in targets]
        if rng.random() < 0.05 and i > 0:  # a loop back: the scalar engine's alone
            flows.append(f"{node} -> {ids[rng.randrange(i)]}")
    lines += [f"  {end}: {{type: end}}" for end in ends]
    lines.append("flows:")
    lines += [f"  - {flow}" for flow in dict.fromkeys(flows)]
    return "\n".join(lines) + "\n"


def test_cohort_equals_scalar_on_random_workflows() -> None:
    rng = random.Random(20261204)
    deadline = time.monotonic() + 8.0
    tried = taken = 0
    while time.monotonic() < deadline or tried < 20:
        text = random_workflow(rng, tried)
        tried += 1
        try:
            (program,) = programs(text)
        except Exception:  # a random text the loader refuses: not this test's subject
            continue
        if cohort_plan(program) is not None:
            taken += 1
        seed = rng.randrange(1 << 32)
        until = rng.choice([float("inf"), float("inf"), 60.0])
        fast, slow = both(program, seed, 1500, until)
        assert_same(fast, slow, text)
    assert taken >= tried // 4, (taken, tried)  # the fast path really was exercised


def test_keyed_draws_are_the_documented_function_and_agree_on_arrays() -> None:
    """docs/simulate.md documents the keys: pin one value, and the array side must give the
    scalar side's draws for every instance."""
    from archctl.simulate import keyed

    assert keyed.instance_key(0, 0) == keyed.mix64((keyed.mix64(0) + keyed.GAMMA) % 2**64)
    stream = keyed.stream(keyed.instance_key(7, 3), 2, 1, keyed.SETS, 5)
    assert stream.key == keyed.stream_key(keyed.instance_key(7, 3), keyed.tag(2, 1, 1, 5))
    arrays = keyed.stream_keys(keyed.instance_keys(7, 0, 50), 2, 1, keyed.SETS, 5)
    for instance, key in enumerate(arrays.tolist()):
        scalar = keyed.stream(keyed.instance_key(7, instance), 2, 1, keyed.SETS, 5)
        assert key == scalar.key
        firsts = [scalar.random() for _ in range(3)]
        assert firsts == [keyed.units(arrays, n)[instance] for n in (1, 2, 3)]


SCOPED = sorted((ROOT / "tests" / "cases" / "bpmn").glob("*.bpmn"))


@pytest.mark.parametrize("path", SCOPED, ids=lambda p: p.name)
def test_cohort_equals_scalar_on_bpmn_terminates_and_scopes(path: Path) -> None:
    """Imported models with terminate ends, interrupts and completion joins: the cohort
    engine passes a lone token through them and hands forked instances to the scalar one."""
    loaded = load_paths([str(path)])
    found = {s.name: s for s in loaded.specs if isinstance(s, Workflow)}
    for workflow in found.values():
        program = compile_workflow(workflow, found)
        fast, slow = both(program, 5, 1200)
        assert_same(fast, slow, f"{path.name} {program.name}")


def test_the_cohort_engine_takes_models_with_completion_joins() -> None:
    """Not refused wholesale: a subprocess's completion join is no inclusive join."""
    path = ROOT / "tests" / "cases" / "bpmn" / "interrupt-parallel-subprocess.bpmn"
    (workflow,) = [s for s in load_paths([str(path)]).specs if isinstance(s, Workflow)]
    program = compile_workflow(workflow, {workflow.name: workflow})
    assert program.scope and program.kill and cohort_plan(program) is not None


def test_cohort_equals_scalar_on_a_timed_subprocess_with_an_interrupt() -> None:
    from tests.simulate.test_simulate_scopes import timed_program

    program = timed_program()
    assert cohort_plan(program) is not None
    for seed, until in ((0, float("inf")), (9, 40.0)):
        fast, slow = both(program, seed, 2100, until)
        assert_same(fast, slow, f"timed-scope seed {seed}")
