"""The workflow as a net: numbered places (flows and on_error links) and nodes.

The token game, the reduction and the structure checks all need the same indexed view of a
:class:`Workflow`: which places feed a node, which it feeds, and which places can reach
which (bitsets as Python ints, so "can any other token still get here?" is one ``&``).
An ``on_error`` link is a place of its own, labelled ``"task -> handler (on_error)"``, because
after a task's last failed attempt its token travels there like along a flow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archctl.check.scc import components
from archctl.model.workflow import Flow, Node, Workflow
from archctl.source import Span


@dataclass(frozen=True)
class Arc:
    """A place of the net: one flow, or the on_error link of one task."""

    index: int
    source: int
    target: int
    label: str
    span: Span
    flow: Flow | None


@dataclass
class Net:
    workflow: Workflow
    nodes: tuple[Node, ...]
    ids: dict[str, int]
    arcs: list[Arc]
    inputs: list[tuple[int, ...]]
    outputs: list[tuple[int, ...]]
    error_arc: list[int | None]
    starts: tuple[int, ...]
    _ancestors: list[int] | None = field(default=None, repr=False)

    def ancestors(self) -> list[int]:
        """For each arc, the bitset of arcs from which a token can travel to it."""
        if self._ancestors is None:
            successors: list[list[int]] = [[] for _ in self.arcs]
            for arc in self.arcs:
                for follow in self.followers(arc.target):
                    successors[follow].append(arc.index)  # reversed: follow <- arc
            self._ancestors = closure(successors)
        return self._ancestors

    def followers(self, node: int) -> tuple[int, ...]:
        """Arcs a token leaving ``node`` can be put on (flows and the on_error link)."""
        error = self.error_arc[node]
        return self.outputs[node] if error is None else (*self.outputs[node], error)

    def bits(self, arcs: tuple[int, ...] | list[int]) -> int:
        out = 0
        for arc in arcs:
            out |= 1 << arc
        return out


def build_net(workflow: Workflow) -> Net:
    nodes = workflow.nodes
    ids = {node.id: index for index, node in enumerate(nodes)}
    arcs: list[Arc] = []
    inputs: list[list[int]] = [[] for _ in nodes]
    outputs: list[list[int]] = [[] for _ in nodes]
    error_arc: list[int | None] = [None for _ in nodes]
    for flow in sorted(workflow.flows, key=lambda f: f.index):
        if flow.source not in ids or flow.target not in ids:
            continue
        arc = Arc(len(arcs), ids[flow.source], ids[flow.target], flow.label, flow.span, flow)
        arcs.append(arc)
        outputs[arc.source].append(arc.index)
        inputs[arc.target].append(arc.index)
    for index, node in enumerate(nodes):
        if node.on_error is None or node.on_error not in ids:
            continue
        label = f"{node.id} -> {node.on_error} (on_error)"
        span = node.on_error_span or node.span
        arc = Arc(len(arcs), index, ids[node.on_error], label, span, None)
        arcs.append(arc)
        error_arc[index] = arc.index
        inputs[arc.target].append(arc.index)
    starts = tuple(index for index, node in enumerate(nodes) if node.type == "start")
    return Net(
        workflow,
        nodes,
        ids,
        arcs,
        [tuple(x) for x in inputs],
        [tuple(x) for x in outputs],
        error_arc,
        starts,
    )


def closure(successors: list[list[int]]) -> list[int]:
    """Bitset of vertices reachable by a path of length >= 1, for every vertex.

    One pass over the components in reverse topological order: a component reaches its
    successors and everything they reach, and itself when it is a cycle.
    """
    reach = [0] * len(successors)
    for component in components(successors):
        members = set(component)
        total = 0
        cyclic = len(component) > 1
        for vertex in component:
            for nxt in successors[vertex]:
                if nxt in members:
                    cyclic = True
                else:
                    total |= (1 << nxt) | reach[nxt]
        if cyclic:
            for vertex in component:
                total |= 1 << vertex
        for vertex in component:
            reach[vertex] = total
    return reach


def task_failure(node: Node) -> tuple[bool, bool]:
    """(can fail, always fails) for a task, from failure_rate, deadline and duration.

    An attempt fails with probability ``failure_rate`` or when it runs longer than the
    deadline; a duration known to stay within the deadline cannot time out, one known to
    exceed it always does.
    """
    if node.type != "task":
        return False, False
    duration = node.duration
    low, high = 0.0, float("inf")
    if duration is not None:
        if duration.kind == "fixed":
            low = high = duration.value
        elif duration.kind == "uniform":
            low, high = duration.low, duration.high
    deadline = node.deadline_ms
    times_out_sometimes = deadline is not None and high > deadline
    times_out_always = deadline is not None and low > deadline
    always = node.failure_rate >= 1 or times_out_always
    return always or node.failure_rate > 0 or times_out_sometimes, always
