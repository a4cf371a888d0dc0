"""The SCXML chart as read: a tree of states with transitions and executable content.

This is the importer's intermediate form between the XML and the flat
:class:`~archctl.model.statemachine.StateMachine`; it keeps the hierarchy that the SCXML
algorithm (``semantics.py``) walks. States are numbered in document order, which is also the
SCXML entry order and the priority order of transitions, so the number is all the algorithm
needs to sort by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from archctl.model.expr import Expr
from archctl.model.types import Variable
from archctl.source import Span


@dataclass(frozen=True)
class Assign:
    """``<assign location expr>``; ``value`` None: a value archctl cannot compute (``any``)."""

    target: str
    value: Expr | None
    span: Span


@dataclass(frozen=True)
class Raise:
    """``<raise event>`` or ``<send target="#_internal">``: an event on the internal queue."""

    event: str
    span: Span


@dataclass(frozen=True)
class Cond:
    """A transition's ``cond``: an archctl condition over data and ``In()`` names, or, when it
    could not be translated (LD009 reported), None: the condition may hold or not."""

    expr: Expr | None
    span: Span


@dataclass(frozen=True)
class If:
    """``<if>``/``<elseif>``/``<else>``: the first branch whose condition holds runs; a
    branch's condition is None for ``<else>``. ``key`` numbers the ``<if>`` in the chart."""

    key: int
    branches: tuple[tuple[Cond | None, tuple[Executable, ...]], ...]
    span: Span


Executable = Union[Assign, Raise, If]


@dataclass
class ChartTransition:
    source: int
    events: tuple[str, ...]  # descriptors; () for an eventless transition
    cond: Cond | None
    targets: tuple[int, ...]
    internal: bool
    actions: tuple[Executable, ...]
    order: int  # document order among all transitions: the priority tie-breaker
    span: Span


@dataclass
class ChartState:
    """A ``<state>``, ``<parallel>``, ``<final>``, ``<history>`` or the ``<scxml>`` root."""

    index: int
    id: str
    kind: str  # "scxml" | "state" | "parallel" | "final" | "history"
    parent: int | None
    span: Span
    children: list[int] = field(default_factory=list)
    transitions: list[ChartTransition] = field(default_factory=list)
    initial: ChartTransition | None = None  # the default entry of a compound state or root
    onentry: tuple[Executable, ...] = ()
    onexit: tuple[Executable, ...] = ()
    deep: bool = False  # a deep history state

    @property
    def is_atomic(self) -> bool:
        return self.kind == "final" or (self.kind == "state" and not self.children)

    @property
    def is_compound(self) -> bool:
        return self.kind == "state" and bool(self.children)


@dataclass
class Chart:
    """Every state in document order (index 0 is the root), the data, the event alphabet."""

    name: str
    span: Span
    states: list[ChartState]
    variables: tuple[Variable, ...]
    #: ``In('s')`` inside a ``cond`` is the boolean name ``in_names[s]``, fixed per configuration
    in_names: dict[str, int]
    #: event names the environment may send: every descriptor on a transition plus the events
    #: the chart sends to itself (``<send>`` without a target)
    alphabet: tuple[str, ...]

    def state_named(self, state_id: str) -> ChartState | None:
        for state in self.states:
            if state.id == state_id and state.kind != "scxml":
                return state
        return None
