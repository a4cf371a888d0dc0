"""Typed counterexamples attached to findings.

A proof failure is only useful with a concrete example: the run that deadlocks (a trace),
the request that gets the wrong decision (a witness), the dependency loop (a cycle), or the
chain of facts that makes a plugin set unresolvable (an explanation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

from archctl.source import Span

#: A concrete value of a variable or attribute as it appears in output.
Value = Union[bool, int, float, str, Fraction]
JSONValue = Union[bool, int, float, str, None, list["JSONValue"], dict[str, "JSONValue"]]


def json_value(value: Value) -> JSONValue:
    """Render a value for JSON: exact rationals become floats when exact, else strings."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return int(value)
        as_float = float(value)
        return as_float if Fraction(as_float) == value else str(value)
    return value


def json_values(values: Mapping[str, Value]) -> dict[str, JSONValue]:
    return {name: json_value(values[name]) for name in sorted(values)}


@dataclass(frozen=True)
class TraceStep:
    """One step of a run. State machines fill ``event``/``state``; workflows ``node``/``tokens``.

    Systems add the component that moved, its channel operation with values
    (``send``/``receive``) and the channel contents after the step (``channels``).
    """

    state: str | None = None
    event: str | None = None
    node: str | None = None
    tokens: tuple[str, ...] | None = None
    values: Mapping[str, Value] = field(default_factory=dict)
    note: str | None = None
    component: str | None = None
    send: str | None = None
    receive: str | None = None
    channels: Mapping[str, tuple[str, ...]] | None = None
    #: where the step's transition is written (SARIF code flows); not part of the JSON
    location: Span | None = field(default=None, compare=False)
    #: cumulative time at the end of the step (WF112's slowest run), milliseconds
    time_ms: float | None = None

    def to_json(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {}
        if self.component is not None:
            out["component"] = self.component
        if self.event is not None:
            out["event"] = self.event
        if self.node is not None:
            out["node"] = self.node
        if self.state is not None:
            out["state"] = self.state
        if self.tokens is not None:
            out["tokens"] = list(self.tokens)
        if self.send is not None:
            out["send"] = self.send
        if self.receive is not None:
            out["receive"] = self.receive
        if self.channels is not None:
            out["channels"] = {name: list(self.channels[name]) for name in sorted(self.channels)}
        out["values"] = dict(json_values(self.values))
        if self.note is not None:
            out["note"] = self.note
        if self.time_ms is not None:
            out["time_ms"] = json_value(exact_number(self.time_ms))
        return out


def exact_number(number: float) -> Value:
    """Whole milliseconds print as integers, the rest as themselves (same bytes every run)."""
    return int(number) if float(number).is_integer() else number


@dataclass(frozen=True)
class Trace:
    steps: tuple[TraceStep, ...]

    def to_json(self) -> dict[str, JSONValue]:
        return {"kind": "trace", "steps": [step.to_json() for step in self.steps]}


@dataclass(frozen=True)
class Witness:
    """An assignment of values, e.g. an example request or a valuation where guards overlap."""

    values: Mapping[str, Value]

    def to_json(self) -> dict[str, JSONValue]:
        return {"kind": "witness", "values": dict(json_values(self.values))}


@dataclass(frozen=True)
class Cycle:
    """An ordered cycle; ``path`` does not repeat its first element at the end."""

    path: tuple[str, ...]

    def to_json(self) -> dict[str, JSONValue]:
        return {"kind": "cycle", "path": list(self.path)}


@dataclass(frozen=True)
class Explanation:
    """A short chain of facts that together make something impossible (PubGrub style)."""

    facts: tuple[str, ...]

    def to_json(self) -> dict[str, JSONValue]:
        return {"kind": "explanation", "facts": list(self.facts)}


@dataclass(frozen=True)
class Lasso:
    """An infinite run as a finite ``prefix`` then a ``loop`` repeated forever (SM203).

    An empty ``loop`` is a run that stops (deadlock or final state) after the prefix.
    ``fairness`` names the constraint under which the run is fair, so a reader knows why a
    loop that skips a transition counts: under ``weak`` it is never continuously enabled.
    """

    fairness: str
    prefix: tuple[TraceStep, ...]
    loop: tuple[TraceStep, ...]

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "kind": "lasso",
            "fairness": self.fairness,
            "prefix": [step.to_json() for step in self.prefix],
            "loop": [step.to_json() for step in self.loop],
        }


Evidence = Union[Trace, Witness, Cycle, Explanation, Lasso]
