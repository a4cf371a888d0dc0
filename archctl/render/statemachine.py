"""State machines drawn UML style: an initial arrow from a point, final states as double circles.

Every transition is one edge labelled ``event [guard] / action`` with the guard and action
printed from the typed AST (so the label is canonical, whatever spacing the file used).
"""

from __future__ import annotations

from archctl.model.expr import action_to_source, to_source
from archctl.model.statemachine import StateMachine, Transition
from archctl.render.graph import DEdge, DiagramGraph, DNode

#: Key of the invisible start point; ':' cannot occur in a state name, so it never collides.
INITIAL_KEY = ":initial"


def transition_label(transition: Transition) -> str:
    """``event [guard] / action``, each part only when present."""
    parts = []
    if transition.event:
        parts.append(transition.event)
    if transition.guard is not None:
        parts.append(f"[{to_source(transition.guard)}]")
    if transition.action:
        parts.append(f"/ {action_to_source(transition.action)}")
    return " ".join(parts)


def build_statemachine(machine: StateMachine) -> DiagramGraph:
    """The state diagram of one machine; states and transitions in file order."""
    version = f" {machine.version}" if machine.version else ""
    graph = DiagramGraph(
        machine.name, "statemachine", direction="LR", title=f"statemachine {machine.name}{version}"
    )
    graph.add_node(DNode(INITIAL_KEY, "", "point"))
    for state in machine.states:
        shape = "final" if state.name in machine.final else "rounded"
        graph.add_node(DNode(state.name, state.name, shape, state.span))
    graph.add_edge(DEdge(INITIAL_KEY, machine.initial, ""))
    for transition in machine.transitions:
        graph.add_edge(
            DEdge(
                transition.source,
                transition.target,
                transition_label(transition),
                span=transition.span,
                event=transition.event,
            )
        )
    return graph
