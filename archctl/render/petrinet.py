"""Petri nets drawn the way the literature draws them: places as circles (the source with its
token, sinks with a heavy ring), transitions as boxes, arcs with their weight when above one.

Node keys are the PNML ids, so findings (which name a place or a transition) and traces
(whose steps name transitions) land on the right element.
"""

from __future__ import annotations

from archctl.model.petrinet import PetriNet
from archctl.render.graph import DEdge, DiagramGraph, DNode


def build_petrinet(net: PetriNet) -> DiagramGraph:
    """The diagram of one net: places, then transitions, then arcs, each in file order."""
    graph = DiagramGraph(net.name, "petrinet", direction="LR", title=f"workflow net {net.name}")
    sinks = set(net.sinks)
    for place in net.places:
        label = place.label or place.id
        if place.id == net.source:
            label += "\n(one token)"
        shape = "end" if place.id in sinks else "circle"
        graph.add_node(DNode(place.id, label, shape, place.span))
    for transition in net.transitions:
        graph.add_node(
            DNode(transition.id, transition.label or transition.id, "box", transition.span)
        )
    for arc in net.arcs:
        label = str(arc.weight) if arc.weight > 1 else ""
        graph.add_edge(DEdge(arc.source, arc.target, label, span=arc.span))
    return graph
