"""The system kind: loading and linking, the checker's verdicts, and the reductions.

The differential test is the guard on the reductions: on random tiny systems, exploration
with partial-order and symmetry reduction must give exactly the verdicts of the plain
exploration of every interleaving.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archctl.check import CheckContext, CheckOptions
from archctl.check.system.report import verify_system
from archctl.load.link import link_systems
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES

SYSTEMS = sorted((EXAMPLES / "systems").glob("*.yaml"))


def load(text: str) -> tuple[System, dict[str, StateMachine], list[Any]]:
    result = load_yaml_text("t.yaml", text)
    problems = list(result.diagnostics) + link_systems(result)
    systems = [spec for spec in result.specs if isinstance(spec, System)]
    machines = {spec.name: spec for spec in result.specs if isinstance(spec, StateMachine)}
    return systems[0], machines, problems


def run(text: str, reduce: bool = True, budget: int = 200_000) -> tuple[list[Any], CheckContext]:
    system, machines, problems = load(text)
    assert [p.message for p in problems] == []
    context = CheckContext([system, *machines.values()], CheckOptions())
    return verify_system(system, machines, context, budget, reduce), context


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.stem)
def test_examples_verify_clean_and_prove_their_checks(path: Path) -> None:
    outcome = verify_paths([str(path)])
    assert outcome.diagnostics == []
    checks = {(p.check, p.subject) for p in outcome.proved}
    system = path.stem
    assert {("SY101", system), ("SY102", system), ("SY105", system)} <= checks


PIPELINE = """
kind: statemachine
name: a
variables: {n: {type: int, range: [0, 2], initial: 0}}
states: [s, t]
initial: s
final: [t]
transitions:
  - {from: s, to: s, guard: "n < 2", send: "q!m(n)", do: "n = n + 1"}
  - {from: s, to: t, guard: "n == 2", send: "q!end"}
---
kind: statemachine
name: b
variables: {got: {type: int, range: [0, 1], initial: 0}, v: {type: int, range: [0, 2], initial: 0}}
states: [w, d]
initial: w
final: [d]
transitions:
  - {from: w, to: w, receive: "q?m(v)", do: "got = got + 1"}
  - {from: w, to: d, receive: "q?end"}
---
kind: system
name: p
components: {a: {machine: a}, b: {machine: b}}
channels: {q: {capacity: CAP}}
"""


def test_out_of_range_receive_count_has_the_trace_to_the_step() -> None:
    found, _ = run(PIPELINE.replace("CAP", "1"))
    codes = [(d.code, d.subject) for d in found]
    assert ("SY107", "b.w->w:q?m") in codes
    sy107 = next(d for d in found if d.code == "SY107")
    steps = sy107.evidence.to_json()["steps"]  # type: ignore[union-attr]
    assert steps[0]["note"] == "initial configuration"
    assert steps[1] == {
        "component": "a",
        "state": "s",
        "send": "q!m(0)",
        "channels": {"q": ["m(0)"]},
        "values": {"a.n": 1, "a.state": "s", "b.got": 0, "b.state": "w", "b.v": 0},
    }
    assert "`got = 2` leaves int[0..1]" in sy107.message


def test_rendezvous_moves_sender_and_receiver_in_one_step() -> None:
    text = PIPELINE.replace("CAP", "0").replace(
        "range: [0, 1], initial: 0}, v", "range: [0, 5], initial: 0}, v"
    )
    found, context = run(text)
    assert found == []
    assert any(p.check == "SY102" for p in context.proved)


def test_deadlock_names_who_waits_for_what() -> None:
    text = PIPELINE.replace("CAP", "1").replace('receive: "q?end"', 'receive: "q?stop"')
    text = text.replace("range: [0, 1], initial: 0}, v", "range: [0, 5], initial: 0}, v")
    found, _ = run(text)
    deadlock = next(d for d in found if d.code == "SY102")
    assert deadlock.subject == "b"  # a is final: only b is stuck
    assert deadlock.message.endswith(
        "b in 'w' waits to receive q?m(v) (q holds end first) or to receive q?stop "
        "(q holds end first)"
    )


def test_budget_ends_in_inconclusive_with_what_is_undecided() -> None:
    found, context = run(PIPELINE.replace("CAP", "1"), budget=3)
    inconclusive = [d for d in found if d.code == "SY901"]
    assert len(inconclusive) == 1
    assert "budget of 3 configurations" in inconclusive[0].message
    assert "deadlock freedom" in inconclusive[0].message
    assert not any(p.check in ("SY101", "SY102", "SY105") for p in context.proved)


def test_liveness_is_proved_and_over_the_budget_inconclusive_never_a_pass() -> None:
    text = (
        PIPELINE.replace("CAP", "2")
        + "properties:\n  - {name: ends, eventually: 'b.state == \"d\"'}\n"
    )
    text = text.replace("range: [0, 1], initial: 0}, v", "range: [0, 5], initial: 0}, v")
    found, context = run(text)
    assert found == []
    assert any(p.check == "SY203" and p.subject == "ends" for p in context.proved)
    found, context = run(text, budget=4)
    assert ("SY901", "ends") in [(d.code, d.subject) for d in found]
    assert not any(p.subject == "ends" for p in context.proved)


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (("q!m(n)", "r!m(n)"), "LD005", "unknown channel 'r'"),
        (("machine: b}", "machine: bb}"), "LD005", "unknown machine 'bb'"),
        (("q?m(v)", "q?m(w)"), "LD005", "unknown variable 'w'"),
        (("q?m(v)", "q?m(got, v)"), "LD008", "receives 2 value(s) but the message carries 1"),
        (("q!m(n)", "q!m(n == 1)"), "LD008", "'v' of type int[0..2] cannot receive a bool"),
        (("q!end", "q[0]!end"), "LD004", "channel 'q' is not an array"),
        (("q!end", "q!!end"), "LD004", "is not a send operation"),
    ],
)
def test_link_errors_are_located(change: tuple[str, str], code: str, message: str) -> None:
    text = PIPELINE.replace("CAP", "1").replace(*change)
    result = load_yaml_text("t.yaml", text)
    problems = list(result.diagnostics) + link_systems(result)
    assert any(p.code == code and message in p.message for p in problems), problems
    assert all(p.span is not None and p.span.line > 1 for p in problems)


def test_symmetric_replicas_are_explored_once() -> None:
    text = """
kind: statemachine
name: worker
states: [idle, sent, done]
initial: idle
final: [done]
transitions:
  - {from: idle, to: sent, send: "jobs!job"}
  - {from: sent, to: done, receive: "acks?ack"}
---
kind: statemachine
name: server
variables: {k: {type: int, range: [0, 4], initial: 0}}
states: [serve, ack, stop]
initial: serve
final: [stop]
transitions:
  - {from: serve, to: ack, receive: "jobs?job"}
  - {from: ack, to: serve, guard: "k < 3", send: "acks!ack", do: "k = k + 1"}
  - {from: ack, to: stop, guard: "k == 3", send: "acks!ack", do: "k = 4"}
---
kind: system
name: farm
components: {worker: {machine: worker, count: 4}, server: {machine: server}}
channels: {jobs: {capacity: 4}, acks: {capacity: 4}}
"""
    reduced, small = run(text)
    full, large = run(text, reduce=False)
    assert reduced == full == []

    def explored(context: CheckContext) -> int:
        proof = next(p for p in context.proved if p.check == "SY102")
        assert proof.certificate is not None
        return int(proof.certificate.split()[0].replace(",", ""))

    assert explored(small) * 3 < explored(large)


def _random_machine(rng: random.Random, name: str, channels: list[str]) -> str:
    states = [f"s{i}" for i in range(rng.randint(2, 3))]
    lines = [
        f"kind: statemachine\nname: {name}",
        "variables: {x: {type: int, range: [0, 2], initial: 0}}",
        f"states: [{', '.join(states)}]\ninitial: s0\nfinal: [{states[-1]}]\ntransitions:",
    ]
    for _ in range(rng.randint(2, 5)):
        source, target = rng.choice(states), rng.choice(states)
        parts = [f"from: {source}", f"to: {target}"]
        if rng.random() < 0.4:
            parts.append(f'guard: "x {rng.choice(["<", "==", ">="])} {rng.randint(0, 2)}"')
        kind = rng.random()
        channel = rng.choice(channels)
        if kind < 0.35:
            parts.append(f'send: "{channel}!{rng.choice(["m", "n"])}(x)"')
        elif kind < 0.7:
            parts.append(f'receive: "{channel}?{rng.choice(["m", "n"])}(x)"')
        if rng.random() < 0.5:
            parts.append(f'do: "x = x {rng.choice(["+", "-"])} 1"')
        lines.append("  - {" + ", ".join(parts) + "}")
    return "\n".join(lines)


def _random_system(rng: random.Random) -> str:
    channels = [f"c{i}" for i in range(rng.randint(1, 2))]
    machines = [_random_machine(rng, f"m{i}", channels) for i in range(rng.randint(2, 3))]
    components = ", ".join(
        f"k{i}: {{machine: m{i}{', count: 2' if rng.random() < 0.3 else ''}}}"
        for i in range(len(machines))
    )
    chans = ", ".join(f"{c}: {{capacity: {rng.randint(0, 2)}}}" for c in channels)
    # k0[0] names replica 0 whether or not k0 is replicated; k1 (one instance) by its name
    k1 = "k1[0]" if "m1, count" in components else "k1"
    prop = f'  - {{name: p, never: "k0[0].x == 2 or {k1}.x == 2"}}\n'
    system = f"kind: system\nname: r\ncomponents: {{{components}}}\nchannels: {{{chans}}}\n"
    if rng.random() < 0.5:
        system += "properties:\n" + prop
    return "\n---\n".join([*machines, system])


def _verdicts(found: list[Any]) -> set[tuple[str, str]]:
    # deadlocks, leftovers and livelocks: the verdict, not which one of several came first
    return {
        (d.code, "" if d.code in ("SY102", "SY103", "SY104") else d.subject or "") for d in found
    }


def test_reductions_agree_with_full_exploration_on_random_systems() -> None:
    rng = random.Random(17)
    assert compare_reductions(lambda: _random_system(rng), 4.0, 400) >= 30


def compare_reductions(generate: Callable[[], str], seconds: float, most: int) -> int:
    """Reduced vs full exploration on generated systems; how many were compared."""
    deadline = time.monotonic() + seconds
    compared = 0
    while time.monotonic() < deadline and compared < most:
        text = generate()
        system, machines, problems = load(text)
        if problems:
            continue
        context = CheckContext([system, *machines.values()], CheckOptions())
        reduced = verify_system(system, machines, context, 20_000, True)
        full = verify_system(system, machines, context, 20_000, False)
        if any(d.code == "SY901" for d in reduced + full):
            continue
        assert _verdicts(reduced) == _verdicts(full), text
        compared += 1
    return compared


LIVE = """
kind: statemachine
name: cl
variables: {n: {type: int, range: [0, 3], initial: 0}}
states: [idle, waiting, done]
initial: idle
final: [done]
transitions:
  - {from: idle, to: waiting, guard: "n < 3", send: "req!ask", do: "n = n + 1"}
  - {from: waiting, to: idle, receive: "resp?ok"}
  - {from: idle, to: done, guard: "n == 3"}
---
kind: statemachine
name: sv
states: [ready, busy, off]
initial: ready
final: [ready]
transitions:
  - {from: ready, to: busy, receive: "req?ask"}
  - {from: busy, to: ready, send: "resp!ok"}
  - {from: busy, to: busy, description: "spins"}
  - {from: ready, to: off, guard: "false"}
---
kind: system
name: live
components: {client: {machine: cl}, server: {machine: sv}}
channels: {req: {capacity: 1}, resp: {capacity: 1}}
fairness: FAIRNESS
properties:
  - {name: served, leads_to: {from: 'client.state == "waiting"', to: 'client.state == "idle"'}}
  - {name: finishes, eventually: 'client.state == "done"'}
"""


@pytest.mark.parametrize("fairness", ["weak", "strong"])
def test_liveness_holds_under_fairness_and_is_proved(fairness: str) -> None:
    found, context = run(LIVE.replace("FAIRNESS", fairness))
    # the server never switches off (guard false): that is all that is wrong
    assert sorted((d.code, d.subject) for d in found) == [
        ("SY101", "server.off"),
        ("SY105", "server.ready->off"),
    ]
    proved = {p.subject: p.certificate for p in context.proved if p.check == "SY203"}
    assert set(proved) == {"served", "finishes"}
    assert str(proved["served"]).endswith(f"{fairness} fairness")


def test_liveness_without_fairness_has_a_lasso_that_is_a_real_cycle() -> None:
    found, _ = run(LIVE.replace("FAIRNESS", "none"))
    lassos = {d.subject: d.evidence for d in found if d.code == "SY203"}
    assert set(lassos) == {"served", "finishes"}
    lasso = lassos["served"].to_json()  # type: ignore[union-attr]
    assert lasso["kind"] == "lasso" and lasso["fairness"] == "none"
    loop = lasso["loop"]
    assert [step["component"] for step in loop] == ["server"]
    # the loop ends where it starts: the configuration after the prefix
    assert loop[-1]["values"] == lasso["prefix"][-1]["values"]
    assert loop[-1]["channels"] == lasso["prefix"][-1]["channels"]


def test_liveness_fails_on_a_run_that_stops() -> None:
    text = LIVE.replace("FAIRNESS", "weak").replace('guard: "false"', 'guard: "true"')
    found, _ = run(text)
    codes = sorted((d.code, d.subject) for d in found)
    assert ("SY203", "served") in codes and ("SY203", "finishes") in codes
    lasso = next(d for d in found if d.subject == "finishes").evidence
    assert lasso is not None and lasso.to_json()["loop"] == []
