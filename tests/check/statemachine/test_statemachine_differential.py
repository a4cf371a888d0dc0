"""Differential test: symbolic engine vs explicit engine vs a brute-force oracle.

Random machines over small domains (ints in small ranges, bools, and enums whose `values`
lists hold the same names in *different orders*, with guards, sequential updates, `any`,
nondeterministic starts and properties) are decided three ways:

- the brute-force oracle below: its own breadth-first search over Python closures that the
  generator builds next to each expression's text, so it shares no code with archctl
  (not the loader, the expression compiler or either engine);
- the explicit engine (the checker's default for such small machines);
- the symbolic engine (Z3: BMC, Spacer and the termination fixpoint), forced with
  ``max_states=1``.

All three must give the same (code, subject) findings. The one allowed difference is
honest incompleteness: the symbolic engine may answer SM901 for a state's termination, and
then only where the oracle's answer is unknown to it; it must never claim SM103 wrongly or
stay silent where the oracle finds one. Seeded; a time budget bounds the symbolic runs.
"""

from __future__ import annotations

import operator
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archctl.check import CheckContext, CheckOptions
from archctl.check.statemachine.checker import check
from archctl.load.yaml.loader import load_yaml_text

Env = dict[str, Any]
Fn = Callable[[Env], Any]
NAMES = ("a", "b", "c")
STATES = ("s0", "s1", "s2", "s3")


@dataclass
class Var:
    name: str
    kind: str  # int | bool | enum
    domain: list[Any]
    declaration: str


@dataclass
class Move:
    source: str
    target: str
    event: str
    guard: tuple[str, Fn] | None
    action: list[tuple[str, str, Fn | None]]  # target, text, value (None: any)

    @property
    def ident(self) -> str:
        return f"{self.source}->{self.target}:{self.event}"


@dataclass
class Machine:
    variables: list[Var]
    final: list[str]
    moves: list[Move] = field(default_factory=list)
    properties: list[tuple[str, str, Any]] = field(default_factory=list)  # name, kind, what

    def yaml(self) -> str:
        lines = ["kind: statemachine", "name: random", "variables:"]
        lines += [f"  {v.name}: {v.declaration}" for v in self.variables]
        lines += [f"states: [{', '.join(STATES)}]", "initial: s0"]
        lines += [f"final: [{', '.join(self.final)}]", "transitions:"]
        for move in self.moves:
            item = f"from: {move.source}, to: {move.target}, on: {move.event}"
            if move.guard is not None:
                item += f", guard: '{move.guard[0]}'"
            if move.action:
                item += ", do: '" + "; ".join(text for _, text, _ in move.action) + "'"
            lines.append("  - {" + item + "}")
        lines.append("properties:")
        for name, kind, what in self.properties:
            text = what if kind == "reachable" else f"'{what[0]}'"
            lines.append(f"  - {{name: {name}, {kind}: {text}}}")
        return "\n".join(lines) + "\n"


def _variables(rng: random.Random) -> list[Var]:
    out = []
    for n in range(rng.randint(1, 2)):
        low = rng.choice([0, -1])
        high = low + rng.randint(1, 3)
        initial = "" if rng.random() < 0.2 else f", initial: {rng.randint(low, high)}"
        domain = list(range(low, high + 1))
        out.append(Var(f"i{n}", "int", domain, f"{{type: int, range: [{low}, {high}]{initial}}}"))
    if rng.random() < 0.7:
        initial = "" if rng.random() < 0.2 else f", initial: {rng.choice(['true', 'false'])}"
        out.append(Var("b", "bool", [False, True], f"{{type: bool{initial}}}"))
    for n in range(rng.choice([1, 2, 2])):
        values = list(NAMES)
        rng.shuffle(values)  # the same names, in a different order per variable
        initial = "" if rng.random() < 0.2 else f", initial: {rng.choice(NAMES)}"
        declared = f"{{type: enum, values: [{', '.join(values)}]{initial}}}"
        out.append(Var(f"e{n}", "enum", sorted(values), declared))
    return out


def _initial(var: Var) -> list[Any]:
    text = var.declaration
    if "initial: " not in text:
        return list(var.domain)
    raw = text.split("initial: ")[1].rstrip("}")
    if var.kind == "int":
        return [int(raw)]
    if var.kind == "bool":
        return [raw == "true"]
    return [raw]


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
}


def _vars(op: str, a: str, b: str) -> Fn:
    return lambda env: OPS[op](env[a], env[b])


def _const(op: str, a: str, value: Any) -> Fn:
    return lambda env: OPS[op](env[a], value)


def _atom(rng: random.Random, variables: list[Var]) -> tuple[str, Fn]:
    var = rng.choice(variables)
    same = [v for v in variables if v.kind == var.kind and v is not var]
    if var.kind == "bool":
        if rng.random() < 0.5:
            return var.name, _const("==", var.name, True)
        return f"not {var.name}", _const("==", var.name, False)
    if var.kind == "enum":
        if same and rng.random() < 0.5:
            op = rng.choice(["==", "!="])
            other = rng.choice(same)
            return f"{var.name} {op} {other.name}", _vars(op, var.name, other.name)
        if rng.random() < 0.3:
            pair = tuple(sorted(rng.sample(NAMES, 2)))
            listed = ", ".join(f'"{p}"' for p in pair)
            return f"{var.name} in [{listed}]", lambda env, a=var.name: env[a] in pair
        name = rng.choice(NAMES)
        return f'{var.name} == "{name}"', _const("==", var.name, name)
    op = rng.choice(sorted(OPS))
    if same and rng.random() < 0.3:
        other = rng.choice(same)
        return f"{var.name} {op} {other.name}", _vars(op, var.name, other.name)
    constant = rng.randint(min(var.domain) - 1, max(var.domain) + 1)
    return f"{var.name} {op} {constant}", _const(op, var.name, constant)


def _condition(rng: random.Random, variables: list[Var]) -> tuple[str, Fn]:
    (text, first), (other, second) = _atom(rng, variables), _atom(rng, variables)
    if rng.random() < 0.6:
        return text, first
    if rng.random() < 0.5:
        return f"{text} and {other}", lambda env: first(env) and second(env)
    return f"{text} or {other}", lambda env: first(env) or second(env)


def _update(rng: random.Random, variables: list[Var]) -> tuple[str, str, Fn | None]:
    var = rng.choice(variables)
    same = [v for v in variables if v.kind == var.kind and v is not var]
    if rng.random() < 0.12:
        return var.name, f"{var.name} = any", None
    if var.kind == "bool":
        if rng.random() < 0.5:
            return var.name, f"{var.name} = not {var.name}", lambda env, n=var.name: not env[n]
        value = rng.random() < 0.5
        return var.name, f"{var.name} = {str(value).lower()}", lambda env, v=value: v
    if var.kind == "enum":
        if same and rng.random() < 0.6:
            other = rng.choice(same)
            return var.name, f"{var.name} = {other.name}", lambda env, o=other.name: env[o]
        name = rng.choice(NAMES)
        return var.name, f'{var.name} = "{name}"', lambda env, v=name: v
    choice = rng.random()
    if choice < 0.4:
        step = rng.choice([1, -1, 2])
        sign = "+" if step > 0 else "-"
        return (
            var.name,
            f"{var.name} = {var.name} {sign} {abs(step)}",
            lambda env, n=var.name, d=step: env[n] + d,
        )
    if same and choice < 0.6:
        other = rng.choice(same)
        return var.name, f"{var.name} = {other.name}", lambda env, o=other.name: env[o]
    value = rng.choice(var.domain)
    return var.name, f"{var.name} = {value}", lambda env, v=value: v


def random_machine(rng: random.Random) -> Machine:
    variables = _variables(rng)
    machine = Machine(variables, ["s3"] if rng.random() < 0.85 else [])
    for _ in range(rng.randint(3, 7)):
        source = rng.choice(STATES[:3])
        guard = _condition(rng, variables) if rng.random() < 0.7 else None
        action = [_update(rng, variables) for _ in range(rng.choice([0, 1, 1, 2]))]
        move = Move(source, rng.choice(STATES), rng.choice(["e", "f"]), guard, action)
        machine.moves.append(move)
    for number in range(rng.randint(1, 2)):
        text, fn = _condition(rng, variables)
        if rng.random() < 0.3:
            where = rng.choice(STATES)
            text = f'state == "{where}" and ({text})'
            fn = lambda env, w=where, f=fn: env["state"] == w and f(env)  # noqa: E731
        machine.properties.append((f"p{number}", rng.choice(["always", "never"]), (text, fn)))
    machine.properties.append(("r", "reachable", rng.choice(STATES[1:])))
    return machine


Pairs = set[tuple[str, str]]


def oracle(machine: Machine) -> tuple[Pairs, Pairs]:
    """The findings, by brute force over every reachable configuration, and the questions
    (check, subject) asked of this machine: those without a finding must be proved."""
    names = [v.name for v in machine.variables]
    domains = {v.name: v.domain for v in machine.variables}
    initial = [{}]  # type: list[Env]
    for var in machine.variables:
        initial = [{**env, var.name: value} for env in initial for value in _initial(var)]
    configs: list[tuple[str, tuple[Any, ...]]] = []
    index: dict[tuple[str, tuple[Any, ...]], int] = {}
    successors: list[list[int]] = []
    enabled: list[list[int]] = []
    found: set[tuple[str, str]] = set()

    def add(state: str, env: Env) -> int:
        key = (state, tuple(env[n] for n in names))
        if key not in index:
            index[key] = len(configs)
            configs.append(key)
            successors.append([])
            enabled.append([])
        return index[key]

    for env in initial:
        add("s0", env)
    queue = deque(range(len(configs)))
    while queue:
        config = queue.popleft()
        state, values = configs[config]
        env = dict(zip(names, values, strict=True))
        for number, move in enumerate(machine.moves):
            if move.source != state or (move.guard is not None and not move.guard[1](env)):
                continue
            enabled[config].append(number)
            results = [env]
            for target, _, value in move.action:
                following = []
                for before in results:
                    for option in domains[target] if value is None else [value(before)]:
                        if option not in domains[target]:
                            found.add(("SM107", move.ident))
                            continue
                        following.append({**before, target: option})
                results = following
            for after in results:
                size = len(configs)
                successor = add(move.target, after)
                successors[config].append(successor)
                if successor == size:
                    queue.append(successor)
    reached = {state for state, _ in configs}
    found |= {("SM101", s) for s in STATES if s not in reached}
    stuck = [c for c, (s, _) in enumerate(configs) if s not in machine.final and not enabled[c]]
    found |= {("SM102", configs[c][0]) for c in stuck}
    if machine.final:
        escape = {c for c, (s, _) in enumerate(configs) if s in machine.final} | set(stuck)
        changed = True
        while changed:
            grown = {c for c, nxt in enumerate(successors) if any(n in escape for n in nxt)}
            changed = not grown <= escape
            escape |= grown
        found |= {("SM103", s) for c, (s, _) in enumerate(configs) if c not in escape}
    taken = {n for numbers in enabled for n in numbers}
    for number, move in enumerate(machine.moves):
        if move.source in reached and number not in taken:
            found.add(("SM105", move.ident))
        for other in machine.moves[:number]:
            if (other.source, other.event) != (move.source, move.event):
                continue
            first = machine.moves.index(other)
            if any(first in e and number in e for e in enabled):
                found.add(("SM104", move.ident))
    for name, kind, what in machine.properties:
        if kind == "reachable":
            if what not in reached:
                found.add(("SM202", name))
            continue
        for state, values in configs:
            env = {**dict(zip(names, values, strict=True)), "state": state}
            if bool(what[1](env)) is (kind == "never"):
                found.add(("SM201", name))
                break
    return found, _questions(machine, reached)


def _questions(machine: Machine, reached: set[str]) -> Pairs:
    out = {("SM101", s) for s in STATES} | {("SM106", s) for s in machine.final}
    out |= {("SM102", s) for s in reached if s not in machine.final}
    out |= {("SM103", s) for s in reached if machine.final}
    for number, move in enumerate(machine.moves):
        if move.source not in reached:
            continue
        out.add(("SM105", move.ident))
        if any(machine.variables[0].name == t or t.startswith("i") for t, _, _ in move.action):
            out.add(("SM107", move.ident))
        if any((m.source, m.event) == (move.source, move.event) for m in machine.moves[:number]):
            out.add(("SM104", move.ident))
    for name, kind, _ in machine.properties:
        out.add(("SM202" if kind == "reachable" else "SM201", name))
    return out


def decide(text: str, **options: Any) -> tuple[Pairs, Pairs]:
    """The findings and the proofs, as (check, subject) pairs."""
    loaded = load_yaml_text("random.yaml", text)
    assert not loaded.diagnostics, (text, [d.message for d in loaded.diagnostics])
    (spec,) = loaded.specs
    context = CheckContext(loaded.specs, CheckOptions(**options))
    found = check(spec, context)
    proved = {(p.check, p.subject) for p in context.proved}
    return {(d.code, d.subject or "") for d in found}, proved


def test_symbolic_explicit_and_brute_force_agree_on_random_machines() -> None:
    rng = random.Random(20261204)
    deadline = time.monotonic() + 4.0
    checked = undecided = 0
    while checked < 60 and (checked < 12 or time.monotonic() < deadline):
        machine = random_machine(rng)
        text = machine.yaml()
        truth, asked = oracle(machine)
        explicit, proved = decide(text)
        proved = {q for q in asked if q in proved or (q[0], "*") in proved}  # * is all of them
        assert explicit == truth, f"explicit engine vs brute force on\n{text}"
        assert proved == asked - truth, f"explicit proofs vs brute force on\n{text}"
        symbolic, proved = decide(text, max_states=1)
        open_states = {s for code, s in symbolic if code == "SM901"}
        for code, subject in symbolic - truth:
            # only termination may stay open (a state's SM901); anything else is a disagreement
            assert code == "SM901" and subject in STATES, (
                f"symbolic claims {code} {subject} wrongly on\n{text}"
            )
        for code, subject in truth - symbolic:
            assert code == "SM103" and subject in open_states, (
                f"symbolic misses {code} {subject} on\n{text}"
            )
        wrong = sorted(proved & truth)
        assert not wrong, f"symbolic proves {wrong}, which fail, on\n{text}"
        unanswered = asked - truth - proved
        assert unanswered <= {("SM103", s) for s in open_states}, (
            f"symbolic neither proves nor reports {sorted(unanswered)} on\n{text}"
        )
        undecided += len(open_states)
        checked += 1
    assert checked >= 12
    # SM901 is honest but must stay the exception, or this test would compare little
    assert undecided <= checked, f"{undecided} undecided termination questions in {checked}"
