"""BPMN safeness of a collaboration, as a property of its system.

A BPMN model is *safe* when no sequence flow ever holds two tokens (fbpmn's
``SafeCollaboration``, BPMN Analyzer's Safeness). A pool checked alone answers that for an
environment that may send any number of messages (WF105); in its collaboration, where the
partners' sends bound its boundary events, the answer is the system's. So the system a
collaboration becomes carries one ``never`` property per pool that can hold two tokens on a
flow at all: ``safe_<pool>``, violated (SY201, with the run) in any configuration where the
pool is in such a marking, proved when the exploration is complete and reaches none.
"""

from __future__ import annotations

from archctl.load.bpmn.collaboration_net import MarkingGraph
from archctl.load.bpmn.messages import Pool
from archctl.model.expr import Expr, Literal, Member, Name
from archctl.model.statemachine import StateMachine
from archctl.model.system import SystemProperty


def safeness(
    pool: Pool, machine: StateMachine, graph: MarkingGraph, flows: int
) -> list[SystemProperty]:
    """``never: POOL.state in [unsafe markings]``: the markings of the pool's graph that put
    two tokens on one of its ``flows`` sequence flows (the first positions of a marking).
    With none, the property is ``never: false``: the graph holds every marking a run can
    reach (or a frontier, which is unsafe), so the system's complete exploration proves it."""
    unsafe = [
        machine.states[index].name
        for index, marking in enumerate(graph.markings)
        if any(count > 1 for count in marking[:flows])
    ]
    span = pool.span
    condition: Expr = Literal(False, span)
    if unsafe:
        items = tuple(Literal(name, span) for name in unsafe)
        condition = Member(False, Name(f"{pool.name}.state", span), items, span)
    return [SystemProperty(f"safe_{pool.name}", "never", condition, span)]
