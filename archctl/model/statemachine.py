"""State machines: states, events and guarded transitions over typed variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.model.expr import Action, Expr
from archctl.model.types import Variable
from archctl.source import Span


@dataclass(frozen=True)
class State:
    name: str
    span: Span
    description: str | None = None


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

    @property
    def label(self) -> str:
        on = f" on {self.event}" if self.event else ""
        return f"{self.source} -> {self.target}{on}"


@dataclass(frozen=True)
class Property:
    """A claim to prove: ``always``/``never`` hold a condition, ``reachable`` names a state."""

    name: str
    kind: str  # "always" | "never" | "reachable"
    condition: Expr | None
    state: str | None
    span: Span


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

    def state(self, name: str) -> State | None:
        for state in self.states:
            if state.name == name:
                return state
        return None
