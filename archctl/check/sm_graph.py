"""Control-level analysis of a state machine with networkx: states and edges, no data.

For a machine without variables and guards this decides everything (SM101-SM106, SM201,
SM202). For machines with data it gives the symbolic engine sound facts to start from: a
state unreachable in the graph is unreachable with any data, and a state that cannot reach
a final state in the graph cannot reach one with data either. All traversals are
breadth-first with explicit queues (a 100k-state machine never meets the recursion limit).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from archctl.check.sm_evidence import Findings, Step
from archctl.model.evaluate import compile_expr
from archctl.model.statemachine import StateMachine, Transition


class ControlGraph:
    """The state graph of a machine with BFS parents (shortest paths) from the initial state."""

    def __init__(self, machine: StateMachine) -> None:
        self.machine = machine
        graph: Any = nx.DiGraph()
        graph.add_nodes_from(state.name for state in machine.states)
        self.first_edge: dict[tuple[str, str], Transition] = {}
        self.outgoing: dict[str, list[Transition]] = {state.name: [] for state in machine.states}
        for transition in machine.transitions:
            self.first_edge.setdefault((transition.source, transition.target), transition)
            self.outgoing[transition.source].append(transition)
        graph.add_edges_from(self.first_edge)
        self.graph = graph
        self.parents: dict[str, str] = dict(nx.bfs_predecessors(graph, machine.initial))
        self.order: list[str] = [machine.initial, *self.parents]
        self.reachable: set[str] = set(self.order)
        self.final: set[str] = set(machine.final)

    def backward(self, targets: Iterable[str]) -> set[str]:
        """States from which one of ``targets`` can be reached (targets included)."""
        pred = self.graph.pred
        seen = set(targets)
        queue = deque(seen)
        while queue:
            node = queue.popleft()
            for parent in pred[node]:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return seen

    def path(self, state: str) -> list[Step]:
        """The shortest run (ignoring guards) from the initial state to ``state``."""
        chain = [state]
        while chain[-1] != self.machine.initial:
            chain.append(self.parents[chain[-1]])
        chain.reverse()
        steps = [Step(chain[0], {})]
        for source, target in itertools.pairwise(chain):
            steps.append(Step(target, {}, self.first_edge[(source, target)]))
        return steps

    def deadlocks(self) -> list[str]:
        """Reachable non-final states without any outgoing transition, in BFS order."""
        return [s for s in self.order if not self.outgoing[s] and s not in self.final]

    def trapped(self, deadlocks: Iterable[str]) -> list[str]:
        """Reachable states that can reach no final state and no deadlock (a closed loop).

        States that can still reach a deadlock are explained by that SM102 already. A machine
        without final states is reactive and never has to terminate: nothing is trapped.
        """
        if not self.final:
            return []
        escape = self.backward(self.final) | self.backward(deadlocks)
        return [s for s in self.order if s not in escape]


def final_outgoing(machine: StateMachine, findings: Findings) -> None:
    """SM106 is structural: it holds whatever the data does."""
    final = set(machine.final)
    outgoing: dict[str, list[Transition]] = {}
    for transition in machine.transitions:
        if transition.source in final:
            outgoing.setdefault(transition.source, []).append(transition)
    for name in machine.final:
        if name in outgoing:
            findings.final_outgoing(name, outgoing[name])


def nondeterministic_pairs(
    transitions: list[Transition],
) -> list[tuple[Transition, Transition]]:
    """Pairs of transitions of one source state on one (named) event, in declared order."""
    by_event: dict[str, list[Transition]] = {}
    for transition in transitions:
        if transition.event is not None:
            by_event.setdefault(transition.event, []).append(transition)
    pairs = []
    for group in by_event.values():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                pairs.append((first, second))
    pairs.sort(key=lambda pair: (pair[1].span, pair[0].span))
    return pairs


def check_control(machine: StateMachine, findings: Findings) -> ControlGraph:
    """Decide a machine without variables or guards on its state graph alone."""
    graph = ControlGraph(machine)
    final_outgoing(machine, findings)
    for state in machine.states:
        if state.name not in graph.reachable:
            findings.unreachable(state.name)
    deadlocks = graph.deadlocks()
    for state_name in deadlocks:
        findings.deadlock(state_name, graph.path(state_name))
    for state_name in graph.trapped(deadlocks):
        findings.no_termination(state_name, graph.path(state_name))
    for state_name in graph.order:
        for first, second in nondeterministic_pairs(graph.outgoing[state_name]):
            findings.nondeterminism(first, second, {})
    _properties(graph, findings)
    return graph


def _properties(graph: ControlGraph, findings: Findings) -> None:
    for prop in graph.machine.properties:
        if prop.kind == "reachable":
            if prop.state not in graph.reachable:
                findings.unreachable_property(prop)
            continue
        assert prop.condition is not None
        condition = compile_expr(prop.condition)
        violating = prop.kind == "never"  # the value of the condition that breaks the claim
        for state_name in graph.order:
            env: Mapping[str, Any] = {"state": state_name}
            if bool(condition(env)) is violating:
                findings.violated(prop, graph.path(state_name))
                break
