"""Systems: statemachine components, replicated, exchanging messages over channels.

A system names its machines (specs of the same file set) and declares the channels they use;
the loader links the two (channel names, message signatures, property names) so checkers see
one consistent, typed model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.model.expr import Expr
from archctl.model.workflow import Distribution
from archctl.source import Span


@dataclass(frozen=True)
class Component:
    """``name: {machine: M, count: n}``; ``count`` None is one instance without an index."""

    name: str
    machine: str
    count: int | None
    span: Span
    machine_span: Span
    #: Set by importers whose machine's states are generated, never by YAML or the DSL: a
    #: BPMN pool's markings ("BPMN pool 'Shop'"). Its states and transitions are artefacts
    #: of the construction, so the checker reports never-executed *elements* (the
    #: transitions' ``description``) instead of SY101/SY105 per state and transition.
    origin: str | None = None
    #: Set by importers whose construction stops at a bound (a BPMN pool past its token
    #: limit): states that were reached but not expanded. A configuration in one is where
    #: the exploration ends -- inconclusive (SY901), never a deadlock.
    frontier: frozenset[str] = frozenset()

    @property
    def replicas(self) -> int:
        return 1 if self.count is None else self.count

    def instance(self, index: int) -> str:
        """The replica's display name: ``participant[1]``, or ``coordinator``."""
        return self.name if self.count is None else f"{self.name}[{index}]"


#: How a channel hands out its messages: ``fifo`` (default) only the head may be received;
#: ``bag`` (BPMN's message flows, fbpmn's Network01Bag) any queued message may be.
ORDERINGS = ("fifo", "bag")


@dataclass(frozen=True)
class Channel:
    """At most ``capacity`` messages, FIFO or a bag (``ordering``); capacity 0 is a rendezvous."""

    name: str
    capacity: int
    count: int | None
    span: Span
    #: delivery delay for the simulator (the distributions of task durations)
    latency: Distribution | None = None
    ordering: str = "fifo"
    #: Set by importers, never by YAML or the DSL: the channel being modelled has no limit
    #: (a BPMN message flow) and ``capacity`` only bounds the exploration, so a run that
    #: would overfill it is inconclusive (SY901), not a sender that waits.
    unbounded: bool = False

    @property
    def bag(self) -> bool:
        """Unordered: a receive may take any queued message, not only the head."""
        return self.ordering == "bag"

    def instance(self, index: int) -> str:
        return self.name if self.count is None else f"{self.name}[{index}]"


@dataclass(frozen=True)
class SystemProperty:
    """``always``/``never``/``reachable``/``eventually`` over ``condition``; ``leads_to`` uses
    ``condition`` as its ``from`` and ``target`` as its ``to``."""

    name: str
    kind: str
    condition: Expr
    span: Span
    target: Expr | None = None


@dataclass(frozen=True)
class System:
    name: str
    span: Span
    components: tuple[Component, ...]
    channels: tuple[Channel, ...]
    properties: tuple[SystemProperty, ...] = ()
    fairness: str = "weak"
    version: str | None = None
    description: str | None = None
    kind: Literal["system"] = "system"

    def component(self, name: str) -> Component | None:
        return next((c for c in self.components if c.name == name), None)

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)
