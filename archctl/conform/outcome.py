"""What replaying one trace (a sequence of activities) yields, independent of the spec kind."""

from __future__ import annotations

from dataclasses import dataclass

#: deviation kinds of the JSON contract
UNEXPECTED, MISSING, INCOMPLETE, UNKNOWN = "unexpected", "missing", "incomplete", "unknown-activity"
#: the skip symbol of an alignment move, as pm4py and ProM print it
SKIP = ">>"


@dataclass(frozen=True)
class Deviation:
    """The first place a trace leaves the spec: which event, how, and what was allowed there."""

    kind: str
    index: int
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Tokens:
    """Token-based replay counts (pm4py's p, c, m, r) of one trace."""

    produced: int
    consumed: int
    missing: int
    remaining: int


@dataclass(frozen=True)
class Replay:
    deviation: Deviation | None
    tokens: Tokens | None = None

    @property
    def fits(self) -> bool:
        return self.deviation is None


@dataclass(frozen=True)
class Alignment:
    """An optimal alignment: (log, model) pairs, SKIP where one side does not move."""

    cost: int
    moves: tuple[tuple[str, str], ...]
