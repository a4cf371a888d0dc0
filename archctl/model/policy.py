"""Access policies: attributes, trust bands, rules, combining algorithms, assertions."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from archctl.model.expr import Expr
from archctl.model.types import Variable
from archctl.source import Span


@dataclass(frozen=True)
class BandLevel:
    name: str
    low: Fraction
    low_closed: bool
    high: Fraction
    high_closed: bool
    span: Span

    def contains(self, value: Fraction | int | float) -> bool:
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below

    @property
    def text(self) -> str:
        low = "[" if self.low_closed else "("
        high = "]" if self.high_closed else ")"
        return f"{low}{_num(self.low)}, {_num(self.high)}{high}"


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


@dataclass(frozen=True)
class Band:
    name: str
    over: str
    levels: tuple[BandLevel, ...]
    span: Span

    def level_of(self, value: Fraction | int | float) -> str | None:
        """The first level containing the value (None in a gap)."""
        for level in self.levels:
            if level.contains(value):
                return level.name
        return None


@dataclass(frozen=True)
class Rule:
    index: int
    id: str
    effect: str  # "allow" | "deny"
    when: Expr | None  # None matches every request
    span: Span
    description: str | None = None


@dataclass(frozen=True)
class Assertion:
    name: str
    kind: str  # "always" | "never"
    effect: str  # "allow" | "deny" | "none"
    when: Expr | None
    span: Span


@dataclass(frozen=True)
class Policy:
    name: str
    span: Span
    attributes: tuple[Variable, ...]
    bands: tuple[Band, ...]
    combine: str  # deny-overrides | permit-overrides | first-applicable
    default: str  # allow | deny | none
    rules: tuple[Rule, ...]
    asserts: tuple[Assertion, ...] = ()
    version: str | None = None
    description: str | None = None
    kind: Literal["policy"] = "policy"
