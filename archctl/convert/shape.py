"""How the model's flat lists regroup into the statements both printers write."""

from __future__ import annotations

from collections.abc import Sequence

from archctl.model.statemachine import Transition


def inferred_events(transitions: Sequence[Transition]) -> tuple[str, ...]:
    """The events a machine has when none are declared: first use order."""
    used: list[str] = []
    for transition in transitions:
        if transition.event is not None and transition.event not in used:
            used.append(transition.event)
    return tuple(used)


def group_transitions(transitions: Sequence[Transition]) -> list[list[Transition]]:
    """Transitions written as one (``from: [a, b]``) share an index; regroup them."""
    groups: list[list[Transition]] = []
    for transition in transitions:
        if groups and groups[-1][0].index == transition.index:
            groups[-1].append(transition)
        else:
            groups.append([transition])
    return groups
