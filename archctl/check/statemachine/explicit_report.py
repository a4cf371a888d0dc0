"""Turn an exhaustive explicit-state search into findings.

Every question (is this state reachable, is this transition ever enabled, can these two
guards hold together, can a final state still be reached) is answered over the complete set
of reachable configurations, and the first configuration in BFS order gives the shortest
trace.
"""

from __future__ import annotations

from collections.abc import Iterable

from archctl.check.statemachine.evidence import Findings, Step
from archctl.check.statemachine.explicit import Space
from archctl.check.statemachine.graph import backward_closure, nondeterministic_pairs
from archctl.model.evaluate import compile_expr
from archctl.model.statemachine import Transition


def report(space: Space, findings: Findings) -> None:
    machine = space.machine
    states = machine.states
    transitions = machine.transitions
    final = {i for i, state in enumerate(states) if state.name in machine.final}
    count = len(space.state_of)
    first_at: dict[int, int] = {}
    for config in range(count):
        first_at.setdefault(space.state_of[config], config)
    for i, state in enumerate(states):
        if i not in first_at:
            findings.unreachable(state.name)
    deadlocks = [c for c in range(count) if space.state_of[c] not in final and not space.enabled[c]]
    reported: set[int] = set()
    for config in deadlocks:
        if space.state_of[config] not in reported:
            reported.add(space.state_of[config])
            findings.deadlock(states[space.state_of[config]].name, space.trace(config))
    _no_termination(space, findings, final, deadlocks)
    ever_enabled: set[int] = set()
    for enabled in space.enabled:
        ever_enabled.update(enabled)
    index_of = {state.name: i for i, state in enumerate(states)}
    for number, transition in enumerate(transitions):
        if index_of[transition.source] in first_at and number not in ever_enabled:
            findings.dead_transition(transition)
    _overlaps(space, findings)
    for (number, assignment_index), (config, value, after) in sorted(
        space.out_of_range.items(), key=lambda item: (item[1][0], item[0])
    ):
        transition = transitions[number]
        assignment = transition.action[assignment_index]
        variable = next(v for v in machine.variables if v.name == assignment.target)
        steps = [*space.trace(config), Step(transition.target, after, transition, "out of range")]
        findings.out_of_range(transition, assignment, value, variable.type, steps)
    _properties(space, findings)


def _closure(space: Space, targets: Iterable[int]) -> set[int]:
    """Configurations from which one of ``targets`` can be reached."""
    predecessors: list[list[int]] = [[] for _ in space.state_of]
    for config, successors in enumerate(space.successors):
        for successor in successors:
            predecessors[successor].append(config)
    return backward_closure(targets, predecessors.__getitem__)


def _no_termination(
    space: Space, findings: Findings, final: set[int], deadlocks: list[int]
) -> None:
    """SM103: configurations that can reach neither a final state nor a deadlock (a loop)."""
    if not final:
        return
    finals = [c for c in range(len(space.state_of)) if space.state_of[c] in final]
    escape = _closure(space, [*finals, *deadlocks])
    reported: set[int] = set()
    for config in range(len(space.state_of)):
        state = space.state_of[config]
        if config not in escape and state not in reported:
            reported.add(state)
            findings.no_termination(space.machine.states[state].name, space.trace(config))


def _overlaps(space: Space, findings: Findings) -> None:
    machine = space.machine
    position = {id(t): n for n, t in enumerate(machine.transitions)}
    outgoing: dict[str, list[Transition]] = {}
    for transition in machine.transitions:
        outgoing.setdefault(transition.source, []).append(transition)
    configs_of: dict[int, list[int]] = {}
    for index, state in enumerate(machine.states):
        pairs = nondeterministic_pairs(outgoing.get(state.name, []))
        if pairs and not configs_of:
            for config, at in enumerate(space.state_of):
                configs_of.setdefault(at, []).append(config)
        for first, second in pairs:
            a, b = position[id(first)], position[id(second)]
            for config in configs_of.get(index, []):
                enabled = space.enabled[config]
                if a in enabled and b in enabled:
                    findings.nondeterminism(first, second, space.env(config))
                    break


def _properties(space: Space, findings: Findings) -> None:
    states = space.machine.states
    for prop in space.machine.properties:
        if prop.is_liveness:
            continue  # SM203: liveness.py
        if prop.kind == "reachable":
            if not any(states[s].name == prop.state for s in set(space.state_of)):
                findings.unreachable_property(prop)
            continue
        assert prop.condition is not None
        condition = compile_expr(prop.condition)
        violating = prop.kind == "never"  # the value of the condition that breaks the claim
        for config in range(len(space.state_of)):
            env = space.env(config)
            env["state"] = states[space.state_of[config]].name
            if bool(condition(env)) is violating:
                findings.violated(prop, space.trace(config))
                break
