"""Explicit-state search: every (state, valuation) a machine can reach, breadth first.

Chosen when every variable has a small finite domain (bool, enum, int with both bounds) and
the product of the domains is within the state budget, so the search is exhaustive by
construction: its answers are proofs, not samples. Breadth-first order makes the first
configuration found for any question the end of a shortest run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archctl.check.budget import expired
from archctl.check.domains import finite_domain, product_size
from archctl.check.statemachine.evidence import Step
from archctl.evidence import Value
from archctl.model.evaluate import compile_expr
from archctl.model.statemachine import StateMachine
from archctl.model.types import VarType

Guard = Callable[[Mapping[str, Any]], Any]


def domain(var_type: VarType) -> list[Value] | None:
    """All values of a finite type in ascending order, or None when it is not finite."""
    return finite_domain(var_type)


def space_size(machine: StateMachine, limit: int | None = None) -> int | None:
    """Upper bound on the configurations: states times the product of domain sizes.

    With ``limit``, any answer above it only means "more than ``limit``".
    """
    types = [variable.type for variable in machine.variables]
    return product_size(types, len(machine.states), limit)


@dataclass(frozen=True)
class _Compiled:
    position: int
    target: int
    guard: Guard | None
    # per assignment: variable index, compiled value (None: any), range check
    steps: tuple[tuple[int, Guard | None, VarType], ...]


@dataclass
class Space:
    """The reachable configurations, numbered in BFS order, with what the search saw."""

    machine: StateMachine
    names: tuple[str, ...]
    state_of: list[int] = field(default_factory=list)
    values_of: list[tuple[Value, ...]] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    via: list[int] = field(default_factory=list)  # transition position, -1 at the start
    enabled: list[tuple[int, ...]] = field(default_factory=list)
    successors: list[list[int]] = field(default_factory=list)
    #: the transition position of each entry of ``successors`` (liveness needs the label)
    labels: list[list[int]] = field(default_factory=list)
    # (transition position, assignment index) -> (config, value, values after the assignment)
    out_of_range: dict[tuple[int, int], tuple[int, Value, dict[str, Value]]] = field(
        default_factory=dict
    )
    #: the search ran out of the spec's time budget before exploring everything
    stopped: bool = False

    def env(self, config: int) -> dict[str, Value]:
        return dict(zip(self.names, self.values_of[config], strict=False))

    def trace(self, config: int) -> list[Step]:
        """The shortest run to ``config`` (iterative walk over BFS parents)."""
        chain = [config]
        while self.parent[chain[-1]] >= 0:
            chain.append(self.parent[chain[-1]])
        chain.reverse()
        states = self.machine.states
        transitions = self.machine.transitions
        steps = []
        for node in chain:
            via = self.via[node]
            steps.append(
                Step(
                    states[self.state_of[node]].name,
                    self.env(node),
                    None if via < 0 else transitions[via],
                )
            )
        return steps


def explore(machine: StateMachine) -> Space:
    """Breadth-first search over all reachable configurations (domains must be finite)."""
    names = tuple(variable.name for variable in machine.variables)
    domains = [domain(variable.type) or [] for variable in machine.variables]
    index_of_state = {state.name: i for i, state in enumerate(machine.states)}
    outgoing = _compile(machine, names, index_of_state)
    space = Space(machine, names)
    seen: dict[tuple[int, tuple[Value, ...]], int] = {}
    start = index_of_state[machine.initial]
    choices = [
        [variable.initial] if variable.initial is not None else values
        for variable, values in zip(machine.variables, domains, strict=False)
    ]
    for values in itertools.product(*choices):
        _add(space, seen, start, tuple(values), -1, -1)
    head = 0
    while head < len(space.state_of):
        if head & 4095 == 4095 and expired():  # --timeout covers this search too
            space.stopped = True
            break
        config = head
        head += 1
        env = space.env(config)
        enabled = []
        for compiled in outgoing[space.state_of[config]]:
            if compiled.guard is not None and not compiled.guard(env):
                continue
            enabled.append(compiled.position)
            for after in _fire(space, compiled, env, domains, config):
                key = (compiled.target, tuple(after[name] for name in names))
                found = seen.get(key)
                if found is None:
                    found = _add(space, seen, key[0], key[1], config, compiled.position)
                space.successors[config].append(found)
                space.labels[config].append(compiled.position)
        space.enabled[config] = tuple(enabled)
    return space


def _add(
    space: Space,
    seen: dict[tuple[int, tuple[Value, ...]], int],
    state: int,
    values: tuple[Value, ...],
    parent: int,
    via: int,
) -> int:
    number = len(space.state_of)
    seen[(state, values)] = number
    space.state_of.append(state)
    space.values_of.append(values)
    space.parent.append(parent)
    space.via.append(via)
    space.enabled.append(())
    space.successors.append([])
    space.labels.append([])
    return number


def _fire(
    space: Space,
    compiled: _Compiled,
    env: dict[str, Value],
    domains: list[list[Value]],
    config: int,
) -> list[dict[str, Value]]:
    """Apply the sequential assignments; ``any`` branches; out-of-range results are dropped."""
    current = [env]
    for number, (var, value, var_type) in enumerate(compiled.steps):
        name = space.names[var]
        following: list[dict[str, Value]] = []
        for before in current:
            options = domains[var] if value is None else [value(before)]
            for option in options:
                after = dict(before)
                after[name] = option
                if value is not None and not var_type.contains(option):
                    key = (compiled.position, number)
                    if key not in space.out_of_range:
                        space.out_of_range[key] = (config, option, after)
                    continue
                following.append(after)
        current = following
    return current


def _compile(
    machine: StateMachine, names: tuple[str, ...], index_of_state: dict[str, int]
) -> list[list[_Compiled]]:
    position = {name: i for i, name in enumerate(names)}
    types = {variable.name: variable.type for variable in machine.variables}
    outgoing: list[list[_Compiled]] = [[] for _ in machine.states]
    for number, transition in enumerate(machine.transitions):
        steps = tuple(
            (
                position[a.target],
                None if a.value is None else compile_expr(a.value),
                types[a.target],
            )
            for a in transition.action
        )
        guard = None if transition.guard is None else compile_expr(transition.guard)
        outgoing[index_of_state[transition.source]].append(
            _Compiled(number, index_of_state[transition.target], guard, steps)
        )
    return outgoing
