"""The one Z3 encoding of a policy, shared by the rule, assertion and diff checks.

A request is one valuation of all attributes. Every attribute becomes a Z3 constant (via
``smt.declare``) with its declared domain asserted; a band name becomes a term computed from
its attribute: the index of the first level whose interval holds the value, or one past the
last level in a gap (so ``trust == "x"`` is false there and ``trust != "x"`` true, exactly as
the Python evaluator does with ``Band.level_of``).

Decisions are small integers (none 0, allow 1, deny 2). All three combining algorithms reduce
to one rule of thumb: walk the rules in *priority order* and the first one that matches decides;
nothing matching means the default. Priority order is the file order under first-applicable,
deny rules (in file order) before allow rules under deny-overrides, and the other way round
under permit-overrides. The checks.md definition of "decides" follows from it.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from archctl.check.smt import Compiler, SmtVar, declare, value_of
from archctl.evidence import Value, Witness
from archctl.model.evaluate import Compiled, compile_expr
from archctl.model.policy import Band, Policy, Rule
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


def _bound(value: Fraction, kind: TypeKind) -> Any:
    if kind is TypeKind.REAL:
        return z3.RealVal(value)
    return z3.IntVal(int(value))


def level_term(band: Band, level_index: int, term: Any, kind: TypeKind) -> Any:
    """``term`` lies in the level's interval; int attributes get integer bounds (no ToReal)."""
    level = band.levels[level_index]
    if kind is TypeKind.INT:
        low = math.ceil(level.low) if level.low_closed else math.floor(level.low) + 1
        high = math.floor(level.high) if level.high_closed else math.ceil(level.high) - 1
        return z3.And(term >= low, term <= high)
    low, high = _bound(level.low, kind), _bound(level.high, kind)
    low_ok = term >= low if level.low_closed else term > low
    high_ok = term <= high if level.high_closed else term < high
    return z3.And(low_ok, high_ok)


def band_term(band: Band, term: Any, kind: TypeKind) -> Any:
    """The level index of a value: first containing level, ``len(levels)`` in a gap."""
    out: Any = z3.IntVal(len(band.levels))
    for index in reversed(range(len(band.levels))):
        out = z3.If(level_term(band, index, term, kind), z3.IntVal(index), out)
    return out


@dataclass
class Encoding:
    """Z3 terms of one policy: attributes, their domains, bands, rule matches, decision."""

    policy: Policy
    vars: dict[str, SmtVar]
    domain: list[Any]
    env: dict[str, Any]
    matches: list[Any]
    evaluators: list[Compiled | None]
    _decision: Any = field(default=None, repr=False)
    _decider: Any = field(default=None, repr=False)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.policy.rules

    def decision(self) -> Any:
        """Int term: the decision of the whole policy (default applied)."""
        if self._decision is None:
            out: Any = z3.IntVal(DECISIONS[self.policy.default])
            for position in reversed(priority_order(self.policy)):
                effect = DECISIONS[self.rules[position].effect]
                out = z3.If(self.matches[position], z3.IntVal(effect), out)
            self._decision = out
        return self._decision

    def decider(self) -> Any:
        """Int term: the position of the rule that decides, -1 when the default does."""
        if self._decider is None:
            out: Any = z3.IntVal(-1)
            for position in reversed(priority_order(self.policy)):
                out = z3.If(self.matches[position], z3.IntVal(position), out)
            self._decider = out
        return self._decider


def encode(policy: Policy, suffix: str = "") -> Encoding:
    """Declare the attributes (names get ``suffix`` so two policies can share a solver)."""
    variables = {a.name: declare(a.name, a.type, suffix) for a in policy.attributes}
    domain = [c for var in variables.values() for c in var.domain()]
    env: dict[str, Any] = {name: var.term for name, var in variables.items()}
    for band in policy.bands:
        over = variables[band.over]
        env[band.name] = band_term(band, over.term, over.type.kind)
    compiler = Compiler(env)
    matches = [
        z3.BoolVal(True) if rule.when is None else compiler.expr(rule.when) for rule in policy.rules
    ]
    evaluators = [None if rule.when is None else compile_expr(rule.when) for rule in policy.rules]
    return Encoding(policy, variables, domain, env, matches, evaluators)


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


def display_number(value: Value) -> Value:
    """A rational with a short exact decimal form (17/20) shows as that decimal (0.85)."""
    if isinstance(value, Fraction) and value.denominator != 1:
        scaled = value * 10**12
        if scaled.denominator == 1:
            return float(value)
    return value


def request_from(policy: Policy, raw: Mapping[str, Value]) -> Request:
    env: dict[str, Any] = dict(raw)
    for band in policy.bands:
        value = raw.get(band.over)
        if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
            env[band.name] = band.level_of(value)
    return Request(dict(raw), env)


def request_of(encoding: Encoding, model: Any) -> Request:
    raw = {name: value_of(model, var) for name, var in sorted(encoding.vars.items())}
    return request_from(encoding.policy, raw)


def matching(encoding: Encoding, request: Request) -> list[int]:
    """Positions of the rules whose condition holds for the request (Python evaluator)."""
    out = []
    for position, evaluator in enumerate(encoding.evaluators):
        if evaluator is None or evaluator(request.env):
            out.append(position)
    return out


def decide(
    policy: Policy, matched: set[int] | list[int], without: int | None = None
) -> tuple[int, int | None]:
    """(decision, deciding position or None for the default), optionally without one rule."""
    hits = set(matched)
    for position in priority_order(policy):
        if position in hits and position != without:
            return DECISIONS[policy.rules[position].effect], position
    return DECISIONS[policy.default], None


def rule_names(policy: Policy, positions: list[int]) -> str:
    return ", ".join(f"'{policy.rules[p].id}'" for p in sorted(positions))
