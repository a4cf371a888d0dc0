"""Fresh variables: values the environment picks and exactly one later condition reads.

BPMN says nothing about which activity writes which variable, so an import without output
mappings lets every activity write every variable (``x = any``). Tracking those values
multiplies the state space by every combination, and because every branch writes what
every other branch's gateway reads, no two branches commute under the reduction.

A variable is *fresh* when every write of it is ``any``, it has no initial value, only
gateway conditions read it, and it is dead after each read (no read of the same value
follows on the token's path). If moreover no reachable marking has two tokens on flows
where it is live, then every read sees a value chosen by a write (or the start) that no
other read sees: a free choice of the environment at the moment of the read. So the token
game does not store it at all: a gateway that reads it branches over its values there and
then, and writes of it change nothing, so they commute with every other move.

The side condition is about runs, so the explorer checks every marking it adds
(:meth:`Fresh.shared`); when one breaks it, the search is repeated with every value
tracked. A gateway that no condition of which holds for some fresh value gets the same
treatment (the token game needs that value in the state to report the stuck token).
"""

from __future__ import annotations

from archctl.check.workflow.data import DataModel
from archctl.check.workflow.graph import Net
from archctl.check.workflow.live import Liveness
from archctl.model.expr import names_in


class Fresh:
    def __init__(self, net: Net, data: DataModel, liveness: Liveness) -> None:
        declared = {variable.name: variable for variable in net.workflow.variables}
        self.mask = 0
        for slot, name in enumerate(data.names):
            variable = declared.get(name)
            if variable is None or variable.initial is not None or not data.choices[slot]:
                continue
            bit = 1 << slot
            if any(
                (a.target == name and a.value is not None)
                or (a.value is not None and name in names_in(a.value))
                for node in net.nodes
                for a in node.sets
            ):
                continue
            if any(
                liveness.reads[node] & bit and liveness.live_after(node) & bit
                for node in range(len(net.nodes))
            ):
                continue
            self.mask |= bit
        self.slots = [slot for slot in range(len(data.names)) if self.mask >> slot & 1]
        #: per place: the fresh variables live on it
        self.live = [live & self.mask for live in liveness.live]

    def shared(self, marking: tuple[int, ...] | list[int]) -> bool:
        """Do two tokens here sit where one fresh variable is live (one value, two reads)?"""
        once = twice = 0
        for arc in marking:
            live = self.live[arc]
            twice |= once & live
            once |= live
        return bool(twice)
