"""Decisions on concrete requests, in plain Python: the shared vocabulary of the PO checks.

Decisions are small integers (none 0, allow 1, deny 2). All three combining algorithms reduce
to one rule: walk the rules in *priority order* and the first one that matches decides;
nothing matching means the default. Priority order is the file order under first-applicable,
deny rules (in file order) before allow rules under deny-overrides, and the other way round
under permit-overrides. The checks.md definition of "decides" follows from it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from archctl.evidence import Value, Witness
from archctl.model.evaluate import Compiled, compile_expr
from archctl.model.policy import Policy
from archctl.model.types import TypeKind

NONE, ALLOW, DENY = 0, 1, 2
DECISIONS = {"none": NONE, "allow": ALLOW, "deny": DENY}
DECISION_NAMES = {NONE: "none", ALLOW: "allow", DENY: "deny"}


def priority_order(policy: Policy) -> list[int]:
    """Positions of the rules in the order in which they take precedence."""
    positions = list(range(len(policy.rules)))
    if policy.combine == "first-applicable":
        return positions
    first = "deny" if policy.combine == "deny-overrides" else "allow"
    return [p for p in positions if policy.rules[p].effect == first] + [
        p for p in positions if policy.rules[p].effect != first
    ]


def takes_precedence(policy: Policy, position: int) -> list[int]:
    """The rules that decide before rule ``position`` wherever they match (its rivals)."""
    rule = policy.rules[position]
    if policy.combine == "first-applicable":
        return list(range(position))
    winner = "deny" if policy.combine == "deny-overrides" else "allow"
    if rule.effect == winner:
        return []
    return [p for p, other in enumerate(policy.rules) if other.effect == winner]


def display_number(value: Value) -> Value:
    """A rational with a short exact decimal form (17/20) shows as that decimal (0.85)."""
    # value * 10**12 is whole exactly when its (lowest terms) denominator divides 10**12
    if isinstance(value, Fraction) and value.denominator != 1 and 10**12 % value.denominator == 0:
        return float(value)
    return value


@dataclass(frozen=True)
class Request:
    """A concrete request: raw values (IPs as ints) for evaluation, display values for output."""

    raw: dict[str, Value]
    env: dict[str, Any]

    def witness(self, policy: Policy) -> Witness:
        """All attributes, IPs dotted, plus each band's level (absent for a value in a gap)."""
        shown: dict[str, Value] = {}
        for attribute in policy.attributes:
            value = self.raw[attribute.name]
            if attribute.type.kind is TypeKind.IP and isinstance(value, int):
                value = str(ipaddress.IPv4Address(value))
            shown[attribute.name] = display_number(value)
        for band in policy.bands:
            level = self.env.get(band.name)
            if isinstance(level, str):
                shown[band.name] = level
        return Witness(values=shown)


def request_from(policy: Policy, raw: Mapping[str, Value]) -> Request:
    env: dict[str, Any] = dict(raw)
    for band in policy.bands:
        value = raw.get(band.over)
        if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
            env[band.name] = band.level_of(value)
    return Request(dict(raw), env)


class Matcher:
    """Evaluates rule conditions on concrete requests (compiled once)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        #: position -> compiled condition (None: matches everything); compiled on first use,
        #: since findings usually evaluate only a part of a large policy's rules
        self._evaluators: dict[int, Compiled | None] = {}

    def _evaluator(self, position: int) -> Compiled | None:
        if position not in self._evaluators:
            when = self.policy.rules[position].when
            self._evaluators[position] = None if when is None else compile_expr(when)
        return self._evaluators[position]

    def matching(self, request: Request, among: Iterable[int] | None = None) -> list[int]:
        """Positions of the rules that match (only ``among`` when the caller knows better)."""
        positions = range(len(self.policy.rules)) if among is None else sorted(set(among))
        out = []
        for position in positions:
            evaluator = self._evaluator(position)
            if evaluator is None or evaluator(request.env):
                out.append(position)
        return out


def decide(
    policy: Policy, matched: Iterable[int], without: int | None = None
) -> tuple[int, int | None]:
    """(decision, deciding position or None for the default), optionally without one rule."""
    # The hit first in ``priority_order``, found without listing the whole order per call.
    count = len(policy.rules)
    hits = [p for p in set(matched) if p != without and 0 <= p < count]
    if not hits:
        return DECISIONS[policy.default], None
    if policy.combine == "first-applicable":
        position = min(hits)
    else:
        first = "deny" if policy.combine == "deny-overrides" else "allow"
        position = min(hits, key=lambda p: (policy.rules[p].effect != first, p))
    return DECISIONS[policy.rules[position].effect], position


def rule_names(policy: Policy, positions: Iterable[int]) -> str:
    return ", ".join(f"'{policy.rules[p].id}'" for p in sorted(positions))
