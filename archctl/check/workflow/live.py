"""Live-variable reduction: values that no later condition reads do not make states differ.

A tracked variable is *live* on a flow when a token there can still reach a node that reads
it (a gateway condition, or the right-hand side of an assignment) along a path that does not
first pass a node that overwrites it. In a marking where no token has the variable live, its
value can never influence a move again, so the token game stores a fixed canonical value for
it instead: two states that differ only in dead values are one state. This is the classic
live-variable analysis of compilers, run backwards over the flow graph (on_error links too:
a task that fails does not apply its `sets`), and it is exact: it merges only states that no
continuation can tell apart. Traces rebuild the real values afterwards (``actual_values``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from archctl.check.workflow.data import DataModel, Values
from archctl.check.workflow.graph import Net
from archctl.model.expr import names_in


class Liveness:
    def __init__(self, net: Net, data: DataModel) -> None:
        self.net = net
        slots = {name: i for i, name in enumerate(data.names)}
        count = len(net.nodes)
        self.reads = [0] * count
        self.writes = [0] * count
        for node, spec in enumerate(net.nodes):
            for arc in net.outputs[node]:
                flow = net.arcs[arc].flow
                if flow is not None and flow.when is not None:
                    self.reads[node] |= _mask(names_in(flow.when), slots)
            for assignment in spec.sets:
                if assignment.target in slots:
                    self.writes[node] |= 1 << slots[assignment.target]
                if assignment.value is not None:
                    self.reads[node] |= _mask(names_in(assignment.value), slots)
        self.live = self._solve()
        self.canonical: list[object] = [choices[0] if choices else None for choices in data.initial]
        self.width = len(data.names)

    def _solve(self) -> list[int]:
        """Per arc: the bitmask of variables live on it (least fixpoint, worklist)."""
        net = self.net
        live = [0] * len(net.arcs)
        todo = deque(range(len(net.arcs)))
        queued = [True] * len(net.arcs)
        while todo:
            arc = todo.popleft()
            queued[arc] = False
            node = net.arcs[arc].target
            after = 0
            for out in net.outputs[node]:
                after |= live[out]
            value = self.reads[node] | (after & ~self.writes[node])
            error = net.error_arc[node]
            if error is not None:
                value |= live[error]  # a failed attempt applies no `sets`
            if net.nodes[node].terminate and not net.nodes[node].scope:
                value = self.reads[node]  # nothing runs after a terminate end
            if value != live[arc]:
                live[arc] = value
                for before in net.inputs[net.arcs[arc].source]:
                    if not queued[before]:
                        queued[before] = True
                        todo.append(before)
        return live

    def live_after(self, node: int) -> int:
        """Variables live on some flow out of ``node`` (what its writes can matter to)."""
        out = 0
        for arc in self.net.outputs[node]:
            out |= self.live[arc]
        return out

    def canon(self, marking: Sequence[int] | None, values: Values) -> Values:
        """``values`` with every variable no token has live replaced by its canonical value."""
        if not self.width:
            return values
        mask = 0
        for arc in marking or ():
            mask |= self.live[arc]
        full = (1 << self.width) - 1
        if mask == full:
            return values
        return tuple(
            value if mask >> slot & 1 or self.canonical[slot] is None else self.canonical[slot]
            for slot, value in enumerate(values)
        )


def _mask(names: set[str], slots: dict[str, int]) -> int:
    out = 0
    for name in names:
        slot = slots.get(name)
        if slot is not None:
            out |= 1 << slot
    return out
