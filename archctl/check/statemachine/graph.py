"""Control-level analysis of a state machine with networkx: states and edges, no data.

For a machine without variables and guards this decides everything (SM101-SM106, SM201,
SM202). For machines with data it gives the symbolic engine sound facts to start from: a
state unreachable in the graph is unreachable with any data, and a state that cannot reach
a final state in the graph cannot reach one with data either. All traversals are
breadth-first with explicit queues (a 100k-state machine never meets the recursion limit).
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from archctl import codes
from archctl.check.statemachine.evidence import Findings, Step
from archctl.model.evaluate import compile_expr
from archctl.model.statemachine import StateMachine, Transition

T = TypeVar("T")


def backward_closure(targets: Iterable[T], parents: Callable[[T], Iterable[T]]) -> set[T]:
    """Everything from which one of ``targets`` can be reached (targets included): a
    breadth-first walk over predecessors with an explicit queue, shared by the control graph
    (states) and the explicit engine (configuration numbers)."""
    seen = set(targets)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        for parent in parents(node):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return seen


class ControlGraph:
    """The state graph of a machine; reachability now, shortest-path parents on demand.

    Only sets are computed eagerly so that a clean 100k-state machine costs one graph build
    and two traversals; BFS parents and per-state transition lists are built the first time
    a trace or a per-state question needs them. Iteration order is the declared state order.
    """

    def __init__(self, machine: StateMachine) -> None:
        import networkx as nx  # lazily: the explicit engine and `verify` start-up never pay

        self.machine = machine
        graph: Any = nx.DiGraph()
        graph.add_nodes_from(state.name for state in machine.states)
        graph.add_edges_from((t.source, t.target) for t in machine.transitions)
        self.graph = graph
        self.reachable: set[str] = nx.descendants(graph, machine.initial)
        self.reachable.add(machine.initial)
        self.order: list[str] = [s.name for s in machine.states if s.name in self.reachable]
        self.final: set[str] = set(machine.final)

    @functools.cached_property
    def parents(self) -> dict[str, str]:
        import networkx as nx

        return dict(nx.bfs_predecessors(self.graph, self.machine.initial))

    @functools.cached_property
    def first_edge(self) -> dict[tuple[str, str], Transition]:
        first: dict[tuple[str, str], Transition] = {}
        for transition in self.machine.transitions:
            first.setdefault((transition.source, transition.target), transition)
        return first

    @functools.cached_property
    def outgoing(self) -> dict[str, list[Transition]]:
        out: dict[str, list[Transition]] = {state.name: [] for state in self.machine.states}
        for transition in self.machine.transitions:
            out[transition.source].append(transition)
        return out

    def backward(self, targets: Iterable[str]) -> set[str]:
        """States from which one of ``targets`` can be reached (targets included)."""
        return backward_closure(targets, self.graph.pred.__getitem__)

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
        """Reachable non-final states without any outgoing transition."""
        succ = self.graph.succ
        return [s for s in self.order if not succ[s] and s not in self.final]

    def trapped(self, deadlocks: Iterable[str]) -> list[str]:
        """Reachable states that can reach no final state and no deadlock (a closed loop).

        States that can still reach a deadlock are explained by that SM102 already. A machine
        without final states is reactive and never has to terminate: nothing is trapped.
        """
        if not self.final:
            return []
        escape = self.backward([*self.final, *deadlocks])
        if len(escape) == len(self.graph):
            return []
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
        else:
            findings.proof(codes.SM106, name, "graph", "no transition leaves it")


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


def shared_events(machine: StateMachine, among: set[str]) -> list[str]:
    """States of ``among`` with two transitions on one event, in declared state order."""
    seen: set[tuple[str, str]] = set()
    found: set[str] = set()
    for transition in machine.transitions:
        if transition.event is None:
            continue
        key = (transition.source, transition.event)
        if key in seen:
            found.add(transition.source)
        seen.add(key)
    return [state.name for state in machine.states if state.name in found and state.name in among]


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
    for state_name in shared_events(machine, graph.reachable):
        for first, second in nondeterministic_pairs(graph.outgoing[state_name]):
            findings.nondeterminism(first, second, {})
    _properties(graph, findings)
    return graph


def _properties(graph: ControlGraph, findings: Findings) -> None:
    for prop in graph.machine.properties:
        if prop.is_liveness:
            continue  # SM203: liveness.py
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
