"""State machine runs: a fed sequence of events, or a seeded random walk.

A transition is enabled when its source is the current state and its guard holds; it fires
atomically (guard, then ``do``, then the target), as in spec-format.md. Guards and actions are
compiled once per machine with the core's evaluator.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from archctl.model.evaluate import compile_expr
from archctl.model.expr import Expr
from archctl.model.statemachine import StateMachine
from archctl.model.types import VarType
from archctl.simulate.values import (
    CompiledAssignment,
    Draw,
    Env,
    compile_action,
    initial_values,
    literals,
)
from archctl.simulate.values import apply as apply_action
from archctl.simulate.workflow import SimulationError

#: In ``--events``, this name fires a transition that has no event.
NO_EVENT = "-"


@dataclass(frozen=True)
class Move:
    """A compiled transition."""

    index: int
    source: str
    target: str
    event: str | None
    guard: Callable[[Env], Any] | None
    action: tuple[CompiledAssignment, ...]
    line: int

    @property
    def label(self) -> str:
        on = f" on {self.event}" if self.event else ""
        return f"{self.source} -> {self.target}{on}"


@dataclass
class Machine:
    name: str
    initial: str
    final: frozenset[str]
    events: tuple[str, ...]
    moves: tuple[Move, ...]
    fixed: Env
    drawn: list[tuple[str, Draw]]
    order: tuple[str, ...]  # variable names in declaration order
    types: dict[str, VarType]


@dataclass(frozen=True)
class Step:
    """One fired transition and the values after it (``number`` 0 is the initial state)."""

    number: int
    event: str | None
    source: str | None
    target: str
    values: Env
    changes: Env = field(default_factory=dict)


def compile_machine(machine: StateMachine) -> Machine:
    exprs: list[Expr] = [t.guard for t in machine.transitions if t.guard is not None]
    exprs += [a.value for t in machine.transitions for a in t.action if a.value is not None]
    strings, addresses = literals(exprs)
    types = {variable.name: variable.type for variable in machine.variables}
    fixed, drawn = initial_values(machine.variables, strings, addresses)
    moves = tuple(
        Move(
            t.index,
            t.source,
            t.target,
            t.event,
            compile_expr(t.guard) if t.guard is not None else None,
            compile_action(t.action, types, strings, addresses),
            t.span.line,
        )
        for t in machine.transitions
    )
    return Machine(
        machine.name,
        machine.initial,
        frozenset(machine.final),
        machine.events,
        moves,
        fixed,
        drawn,
        tuple(variable.name for variable in machine.variables),
        types,
    )


def begin(machine: Machine, rng: random.Random) -> Step:
    """The initial state; variables without ``initial`` are drawn (seeded)."""
    env = dict(machine.fixed)
    for name, draw in machine.drawn:
        env[name] = draw(rng)
    return Step(0, None, None, machine.initial, _ordered(machine, env))


def _ordered(machine: Machine, env: Env) -> Env:
    return {name: env[name] for name in machine.order if name in env}


def enabled(machine: Machine, state: str, env: Env) -> list[Move]:
    """Transitions that may fire now, in the order they are written."""
    return [
        move
        for move in machine.moves
        if move.source == state and (move.guard is None or move.guard(env))
    ]


def describe_enabled(moves: Sequence[Move]) -> str:
    if not moves:
        return "none (no transition is enabled here)"
    names = sorted({move.event or NO_EVENT for move in moves})
    return ", ".join(names)


def fire(machine: Machine, move: Move, before: Step, rng: random.Random) -> Step:
    env = dict(before.values)
    apply_action(move.action, env, rng)
    changes = {name: env[name] for name in env if env[name] != before.values.get(name)}
    return Step(
        before.number + 1, move.event, move.source, move.target, _ordered(machine, env), changes
    )


class NotEnabled(SimulationError):
    """An event fed with ``--events`` is not enabled; carries the steps run before it."""

    def __init__(self, message: str, steps: list[Step]) -> None:
        super().__init__(message)
        self.steps = steps


def feed(machine: Machine, events: Sequence[str], rng: random.Random) -> list[Step]:
    """Fire the given events in order; when several transitions match one, pick one (seeded)."""
    known = set(machine.events) | {NO_EVENT}
    steps = [begin(machine, rng)]
    for event in events:
        if event not in known:
            listing = ", ".join(sorted(machine.events))
            raise NotEnabled(
                f"unknown event '{event}'; events of '{machine.name}': {listing}", steps
            )
        current = steps[-1]
        options = enabled(machine, current.target, current.values)
        matching = [m for m in options if (m.event or NO_EVENT) == event]
        if not matching:
            raise NotEnabled(
                f"event '{event}' is not enabled in state '{current.target}' after step "
                f"{current.number}; enabled: {describe_enabled(options)}",
                steps,
            )
        move = matching[0] if len(matching) == 1 else matching[int(rng.random() * len(matching))]
        steps.append(fire(machine, move, current, rng))
    return steps


def walk(machine: Machine, count: int, rng: random.Random) -> tuple[list[Step], str]:
    """A seeded random walk of at most ``count`` steps among enabled transitions.

    Stops early in a final state ("final") or where nothing is enabled ("deadlock");
    otherwise "steps" (the limit was reached).
    """
    steps = [begin(machine, rng)]
    while True:
        current = steps[-1]
        if current.target in machine.final:
            return steps, "final"
        if len(steps) > count:
            return steps, "steps"
        options = enabled(machine, current.target, current.values)
        if not options:
            return steps, "deadlock"
        steps.append(fire(machine, options[int(rng.random() * len(options))], current, rng))


def settle(machine: Machine, step: Step, rng: random.Random, limit: int = 1000) -> list[Step]:
    """Fire eventless transitions while one is enabled (at most ``limit``); the steps taken.

    For machines whose eventless transitions complete a run-to-completion step, such as
    flattened SCXML charts (docs/scxml.md): after an input, the machine settles before the
    next input. Several enabled eventless transitions are picked among seeded.
    """
    steps: list[Step] = []
    current = step
    while len(steps) < limit and current.target not in machine.final:
        options = [m for m in enabled(machine, current.target, current.values) if m.event is None]
        if not options:
            break
        move = options[0] if len(options) == 1 else options[int(rng.random() * len(options))]
        current = fire(machine, move, current, rng)
        steps.append(current)
    return steps


def deliver(
    machine: Machine, step: Step, event: str, rng: random.Random, limit: int = 1000
) -> list[Step]:
    """Offer ``event`` in ``step``'s state, then settle; an event no transition takes is
    discarded (as SCXML discards it), so the result may be no step at all."""
    matching = [m for m in enabled(machine, step.target, step.values) if m.event == event]
    if not matching or step.target in machine.final:
        return []
    move = matching[0] if len(matching) == 1 else matching[int(rng.random() * len(matching))]
    after = fire(machine, move, step, rng)
    return [after, *settle(machine, after, rng, limit)]
