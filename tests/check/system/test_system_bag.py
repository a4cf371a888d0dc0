"""``ordering: bag`` channels: any queued message may be received, not only the head.

Two seeded, time-bounded differential tests guard the semantics and the reductions:

- the configurations the explorer reaches on random tiny systems with bag channels equal
  those of a brute-force model written here from the spec text alone (local states, and per
  channel a multiset as a ``Counter``), which shares no code with the explorer;
- partial-order and symmetry reduction give the verdicts of the full exploration when bag
  and FIFO channels are mixed.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from archctl.check import CheckContext, CheckOptions
from archctl.check.system.explore import Explorer
from archctl.check.system.report import verify_system
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.link import link_systems
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.system_compiled import compile_system
from archctl.verify import verify_paths
from tests.check.system.test_check_system import compare_reductions

SAGA = """
kind: statemachine
name: shop
states: [start, sent, paid, done]
initial: start
final: [done]
transitions:
  - {from: start, to: sent, send: "out!pay"}
  - {from: sent, to: paid, receive: "back?paid"}
  - {from: paid, to: done, receive: "back?stock"}
---
kind: statemachine
name: services
states: [wait, confirm, done]
initial: wait
final: [done]
transitions:
  - {from: wait, to: confirm, receive: "out?pay"}
  - {from: confirm, to: done, send: "back!stock", do: "sent = true"}
  - {from: done, to: done, guard: "sent", send: "back!paid", do: "sent = false"}
variables: {sent: {type: bool, initial: false}}
---
kind: system
name: saga
components: {shop: {machine: shop}, services: {machine: services}}
channels:
  out: {capacity: 1}
  back: {capacity: 2, ordering: ORDERING}
"""


def _load(text: str) -> tuple[System, dict[str, StateMachine], list[Any]]:
    result = load_yaml_text("t.yaml", text)
    problems = list(result.diagnostics) + link_systems(result)
    systems = [spec for spec in result.specs if isinstance(spec, System)]
    machines = {spec.name: spec for spec in result.specs if isinstance(spec, StateMachine)}
    return systems[0], machines, problems


def _codes(text: str) -> list[str]:
    system, machines, problems = _load(text)
    assert [p.message for p in problems] == []
    context = CheckContext([system, *machines.values()], CheckOptions())
    return sorted(d.code for d in verify_system(system, machines, context, 10_000, True))


def test_a_reply_behind_another_deadlocks_a_fifo_and_not_a_bag() -> None:
    # services answers stock then paid; the shop waits for paid first
    assert "SY102" in _codes(SAGA.replace("ORDERING", "fifo"))
    assert _codes(SAGA.replace("ORDERING", "bag")) == []


def test_ordering_is_read_from_yaml_and_dsl_and_printed_back() -> None:
    system, _, _ = _load(SAGA.replace("ORDERING", "bag"))
    assert [(c.name, c.ordering, c.bag) for c in system.channels] == [
        ("out", "fifo", False),
        ("back", "bag", True),
    ]
    dsl = load_dsl_text(
        "t.arch",
        "system s {\n  component a: m\n  channel c capacity 2 ordering bag\n}\n",
    )
    built = [spec for spec in dsl.specs if isinstance(spec, System)]
    assert built[0].channels[0].ordering == "bag"


def test_an_unknown_ordering_is_a_located_load_error() -> None:
    result = load_yaml_text("t.yaml", SAGA.replace("ORDERING", "lifo"))
    problems = [d for d in result.diagnostics if d.code == "LD004"]
    assert len(problems) == 1
    assert "ordering must be one of fifo, bag; found 'lifo'" in problems[0].message
    assert (problems[0].span.line, problems[0].span.column) == (28, 33)
    dsl = load_dsl_text(
        "t.arch", "system s {\n  component a: m\n  channel c capacity 2 ordering lifo\n}\n"
    )
    wrong = [d for d in dsl.diagnostics if d.code == "LD004"]
    assert wrong and wrong[0].span.line == 3 and "found 'lifo'" in wrong[0].message


def test_bag_deadlock_message_says_what_the_bag_holds(tmp_path: Any) -> None:
    text = SAGA.replace("ORDERING", "bag").replace('receive: "back?stock"', 'receive: "back?gone"')
    path = tmp_path / "saga.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = verify_paths([str(path)], CheckOptions())
    deadlocks = [d for d in outcome.diagnostics if d.code == "SY102"]
    assert deadlocks, [d.code for d in outcome.diagnostics]
    assert "back holds only stock" in deadlocks[0].message


# -- the brute-force oracle ---------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    source: int
    target: int
    guard: tuple[str, int] | None  # ("<", 1): x < 1
    send: tuple[str, str] | None  # (channel, message): CH!M(x)
    receive: tuple[str, str] | None  # CH?M(x)
    delta: int  # do: x = x + delta


OPS = {"<": lambda a, b: a < b, "==": lambda a, b: a == b, ">=": lambda a, b: a >= b}


def _random_rules(rng: random.Random, channels: list[str]) -> list[Rule]:
    rules = []
    for _ in range(rng.randint(2, 5)):
        guard = (rng.choice(list(OPS)), rng.randint(0, 2)) if rng.random() < 0.4 else None
        kind, channel, message = rng.random(), rng.choice(channels), rng.choice("mn")
        send = (channel, message) if kind < 0.4 else None
        receive = (channel, message) if 0.4 <= kind < 0.8 else None
        delta = rng.choice([0, 1, -1])
        rules.append(Rule(rng.randint(0, 2), rng.randint(0, 2), guard, send, receive, delta))
    return rules


def _yaml(
    machines: list[list[Rule]], capacities: dict[str, int], fifo: frozenset[str] = frozenset()
) -> str:
    docs = []
    for number, rules in enumerate(machines):
        lines = [
            f"kind: statemachine\nname: m{number}",
            "variables: {x: {type: int, range: [0, 2], initial: 0}}",
            "states: [s0, s1, s2]\ninitial: s0\nfinal: [s2]\ntransitions:",
        ]
        for rule in rules:
            parts = [f"from: s{rule.source}", f"to: s{rule.target}"]
            if rule.guard is not None:
                parts.append(f'guard: "x {rule.guard[0]} {rule.guard[1]}"')
            if rule.send is not None:
                parts.append(f'send: "{rule.send[0]}!{rule.send[1]}(x)"')
            if rule.receive is not None:
                parts.append(f'receive: "{rule.receive[0]}?{rule.receive[1]}(x)"')
            if rule.delta:
                parts.append(f'do: "x = x + {rule.delta}"')
            lines.append("  - {" + ", ".join(parts) + "}")
        docs.append("\n".join(lines))
    components = ", ".join(f"k{i}: {{machine: m{i}}}" for i in range(len(machines)))
    chans = ", ".join(
        f"{c}: {{capacity: {n}, ordering: {'fifo' if c in fifo else 'bag'}}}"
        for c, n in capacities.items()
    )
    docs.append(f"kind: system\nname: r\ncomponents: {{{components}}}\nchannels: {{{chans}}}")
    return "\n---\n".join(docs)


Brute = tuple[tuple[tuple[int, int], ...], tuple[tuple[tuple[str, int], ...], ...]]


def _brute_force(machines: list[list[Rule]], capacities: dict[str, int]) -> set[Brute]:
    """Every reachable configuration: per replica (state, x), per channel the sorted multiset
    of its messages ``(name, value)``; a step that would leave x's range is not taken."""
    names = list(capacities)

    def freeze(locals_: tuple[tuple[int, int], ...], bags: list[Counter[Any]]) -> Brute:
        return locals_, tuple(tuple(sorted(bag.elements())) for bag in bags)

    start = (tuple((0, 0) for _ in machines), tuple(() for _ in names))
    seen = {start}
    todo = [start]
    while todo:
        locals_, frozen = todo.pop()
        for who, rules in enumerate(machines):
            state, x = locals_[who]
            for rule in rules:
                if rule.source != state:
                    continue
                bags = [Counter(items) for items in frozen]
                values = [x]
                if rule.receive is not None:
                    bag = bags[names.index(rule.receive[0])]
                    values = sorted(v for (m, v) in bag if m == rule.receive[1] and bag[(m, v)])
                for value in values:
                    if rule.guard is not None and not OPS[rule.guard[0]](value, rule.guard[1]):
                        continue
                    after = [Counter(bag) for bag in bags]
                    if rule.receive is not None:
                        after[names.index(rule.receive[0])][(rule.receive[1], value)] -= 1
                    if rule.send is not None:
                        position = names.index(rule.send[0])
                        if sum(after[position].values()) >= capacities[rule.send[0]]:
                            continue
                        after[position][(rule.send[1], value)] += 1
                    new_x = value + rule.delta
                    if not 0 <= new_x <= 2:
                        continue
                    moved = tuple(
                        (rule.target, new_x) if i == who else local
                        for i, local in enumerate(locals_)
                    )
                    item = freeze(moved, [+bag for bag in after])
                    if item not in seen:
                        seen.add(item)
                        todo.append(item)
    return seen


def _explored(text: str) -> set[Brute] | None:
    system, machines, problems = _load(text)
    assert [p.message for p in problems] == [], text
    model = compile_system(system, machines)
    explorer = Explorer(model, por=False, symmetry=False, budget=50_000)
    result = explorer.run()
    if not result.complete:
        return None
    out: set[Brute] = set()
    for ident in range(result.size):
        config = explorer.decode(ident)
        locals_ = tuple((int(local[0]), int(local[1])) for local in config.locals)
        bags = tuple(tuple(sorted((m[0], int(m[1])) for m in queue)) for queue in config.channels)
        out.add((locals_, bags))
    return out


def test_bag_exploration_equals_a_brute_force_multiset_model() -> None:
    rng = random.Random(23)
    deadline = time.monotonic() + 3.0
    compared = 0
    while time.monotonic() < deadline and compared < 300:
        channels = [f"c{i}" for i in range(rng.randint(1, 2))]
        machines = [_random_rules(rng, channels) for _ in range(rng.randint(2, 3))]
        capacities = {c: rng.randint(1, 3) for c in channels}
        text = _yaml(machines, capacities)
        found = _explored(text)
        if found is None:
            continue
        assert found == _brute_force(machines, capacities), text
        compared += 1
    assert compared >= 30


def _random_mixed(rng: random.Random) -> str:
    channels = [f"c{i}" for i in range(rng.randint(1, 2))]
    machines = [_random_rules(rng, channels) for _ in range(rng.randint(2, 3))]
    fifo = frozenset(c for c in channels if rng.random() < 0.3)
    text = _yaml(machines, {c: rng.randint(0, 2) for c in channels}, fifo)
    if rng.random() < 0.4:  # replicas: symmetry reduction has something to do
        text = text.replace("k1: {machine: m1}", "k1: {machine: m1, count: 2}")
    return text


def test_reductions_agree_with_full_exploration_on_random_bag_systems() -> None:
    rng = random.Random(29)
    assert compare_reductions(lambda: _random_mixed(rng), 3.0, 300) >= 30
