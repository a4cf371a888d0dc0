"""State machines: states, events and guarded transitions over typed variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.model.expr import Action, Expr, to_source
from archctl.model.types import Variable
from archctl.source import Span


@dataclass(frozen=True)
class State:
    name: str
    span: Span
    description: str | None = None


@dataclass(frozen=True)
class ChannelOp:
    """``CH[index]!MSG(args)`` (send) or ``CH[index]?MSG(vars)`` (receive) on a transition.

    The channel is declared by the system that uses the machine, so its name is resolved
    when systems are linked; ``args`` are sender expressions, ``variables`` the receiver's
    variables that take the message's values.
    """

    send: bool
    channel: str
    index: Expr | None
    message: str
    args: tuple[Expr, ...]
    variables: tuple[str, ...]
    text: str
    span: Span

    def source_text(self) -> str:
        """Canonical text (``decision[i]!commit``, ``votes?yes(who)``) for the printers."""
        index = "" if self.index is None else f"[{to_source(self.index)}]"
        items = [to_source(arg) for arg in self.args] if self.send else list(self.variables)
        args = f"({', '.join(items)})" if items else ""
        return f"{self.channel}{index}{'!' if self.send else '?'}{self.message}{args}"


@dataclass(frozen=True)
class Transition:
    """One transition from one source; ``from: [a, b]`` becomes two with the same ``index``."""

    index: int
    source: str
    target: str
    event: str | None
    guard: Expr | None
    action: Action
    span: Span
    description: str | None = None
    channel: ChannelOp | None = None
    #: ``fair: false``: an input that may never come; fairness never forces it (1.1)
    fair: bool = True

    @property
    def label(self) -> str:
        on = f" on {self.event}" if self.event else ""
        op = f" {self.channel.text}" if self.channel else ""
        return f"{self.source} -> {self.target}{on}{op}"


@dataclass(frozen=True)
class Property:
    """A claim to prove: ``always``/``never`` hold a condition, ``reachable`` names a state.

    Liveness (1.1): ``eventually`` holds ``condition`` on every fair run; ``leads_to`` has
    ``condition`` as its ``from`` and ``target`` as its ``to``.
    """

    name: str
    kind: str  # "always" | "never" | "reachable" | "eventually" | "leads_to"
    condition: Expr | None
    state: str | None
    span: Span
    target: Expr | None = None

    @property
    def is_liveness(self) -> bool:
        return self.kind in ("eventually", "leads_to")


@dataclass(frozen=True)
class StateMachine:
    name: str
    span: Span
    variables: tuple[Variable, ...]
    states: tuple[State, ...]
    initial: str
    final: tuple[str, ...]
    events: tuple[str, ...]
    transitions: tuple[Transition, ...]
    properties: tuple[Property, ...] = ()
    version: str | None = None
    description: str | None = None
    kind: Literal["statemachine"] = "statemachine"
    #: "weak" (default) | "strong" | "none": which infinite runs liveness properties consider
    fairness: str = "weak"

    @property
    def is_component(self) -> bool:
        """A machine that sends or receives only makes sense inside a system."""
        return any(transition.channel is not None for transition in self.transitions)

    def state(self, name: str) -> State | None:
        for state in self.states:
            if state.name == name:
                return state
        return None
