"""Component diagrams of systems: components and channels, and who sends what to whom.

Components are boxes (with their replica count), channels are notes labelled with their
capacity (``rendezvous`` for 0); an edge goes from each component that sends on a channel
to it, labelled with the messages, and from the channel to each component that receives.
The machines come from the spec set drawn with the system (``peers``); without them only
components and channels are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.render.graph import DEdge, DiagramGraph, DNode


def build_system(system: System, peers: Sequence[Spec] = ()) -> DiagramGraph:
    graph = DiagramGraph(system.name, "system", direction="LR", title=system.name)
    machines = {spec.name: spec for spec in peers if isinstance(spec, StateMachine)}
    for component in system.components:
        label = (
            component.name if component.count is None else f"{component.name} x{component.count}"
        )
        graph.add_node(DNode(f"component:{component.name}", label, "box", component.span))
    for channel in system.channels:
        capacity = "rendezvous" if channel.capacity == 0 else f"capacity {channel.capacity}"
        count = "" if channel.count is None else f"[{channel.count}]"
        graph.add_node(
            DNode(
                f"channel:{channel.name}",
                f"{channel.name}{count}\n{capacity}",
                "note",
                channel.span,
            )
        )
    for component in system.components:
        machine = machines.get(component.machine)
        if machine is None:
            continue
        sends: dict[str, list[str]] = {}
        receives: dict[str, list[str]] = {}
        for transition in machine.transitions:
            op = transition.channel
            if op is None or system.channel(op.channel) is None:
                continue
            table = sends if op.send else receives
            messages = table.setdefault(op.channel, [])
            if op.message not in messages:
                messages.append(op.message)
        for name, messages in sends.items():
            graph.add_edge(
                DEdge(f"component:{component.name}", f"channel:{name}", ", ".join(messages))
            )
        for name, messages in receives.items():
            graph.add_edge(
                DEdge(f"channel:{name}", f"component:{component.name}", ", ".join(messages))
            )
    return graph
