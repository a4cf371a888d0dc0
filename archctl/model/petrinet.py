"""Petri nets: places, transitions and arcs of a P/T net read from PNML (docs/pnml.md).

A net that reaches the checker is a workflow net: the front end has already checked that it
has one source place (holding the one initial token), one or more sink places, and that every
node lies on a path from the source to a sink. The model keeps every element's span so a
finding points at the ``<place>`` or ``<transition>`` it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.source import Span


@dataclass(frozen=True)
class Place:
    id: str
    #: the ``<name><text>`` label, when the file gives one
    label: str | None
    span: Span


@dataclass(frozen=True)
class Transition:
    id: str
    label: str | None
    span: Span


@dataclass(frozen=True)
class Arc:
    """``source -> target`` between a place and a transition; ``weight`` is its inscription."""

    id: str
    source: str
    target: str
    weight: int
    span: Span


@dataclass(frozen=True)
class PetriNet:
    name: str
    span: Span
    places: tuple[Place, ...]
    transitions: tuple[Transition, ...]
    arcs: tuple[Arc, ...]
    #: the one place without incoming arcs, marked with one token initially
    source: str
    #: the places without outgoing arcs, sorted by id: a run completes when all tokens are here
    sinks: tuple[str, ...]
    version: str | None = None
    description: str | None = None
    kind: Literal["petrinet"] = "petrinet"

    def preset(self, node: str) -> tuple[Arc, ...]:
        return tuple(arc for arc in self.arcs if arc.target == node)

    def postset(self, node: str) -> tuple[Arc, ...]:
        return tuple(arc for arc in self.arcs if arc.source == node)

    def elements(self) -> list[Place | Transition]:
        return [*self.places, *self.transitions]

    def display(self, node: str) -> str:
        """How a node is named in messages: its id, with its label when that differs."""
        for item in self.elements():
            if item.id == node:
                return node if not item.label or item.label == node else f"{node} ({item.label})"
        return node


def free_choice_violation(net: PetriNet) -> tuple[Arc, Arc] | None:
    """Two arcs that make the net not free-choice, or None when it is.

    Free-choice (the classical, strict definition): whenever a place has several output
    transitions, it is the only input place of each of them, so which one fires is a choice
    of that place alone. The returned pair is ``p -> t`` and another input arc of ``t``.
    """
    outputs: dict[str, int] = {}
    inputs: dict[str, list[Arc]] = {}
    places = _place_ids(net)
    for arc in net.arcs:
        if arc.source in places:
            outputs[arc.source] = outputs.get(arc.source, 0) + 1
            inputs.setdefault(arc.target, []).append(arc)
    for transition in net.transitions:
        arcs = inputs.get(transition.id, [])
        if len(arcs) < 2:
            continue
        for arc in arcs:
            if outputs[arc.source] > 1:
                other = next(a for a in arcs if a is not arc)
                return arc, other
    return None


def _place_ids(net: PetriNet) -> frozenset[str]:
    return frozenset(place.id for place in net.places)
