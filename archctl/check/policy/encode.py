"""The one Z3 encoding of a policy, shared by the rule (fallback), assertion and diff checks.

A request is one valuation of all attributes. Every attribute becomes a Z3 constant (via
``smt.declare``) with its declared domain asserted; a band name becomes a term computed from
its attribute: the index of the first level whose interval holds the value, or one past the
last level in a gap (so ``trust == "x"`` is false there and ``trust != "x"`` true, exactly as
the Python evaluator does with ``Band.level_of``).
Decisions follow ``po_request``: the first matching rule in priority order decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from archctl.check.policy.request import DECISIONS, Request, priority_order, request_from
from archctl.check.smt import Compiler, SmtVar, declare, enum_code, value_of
from archctl.model.policy import Band, Policy, Rule
from archctl.model.types import TypeKind, enum_type


def _bound(value: Fraction, kind: TypeKind, ctx: Any) -> Any:
    if kind is TypeKind.REAL:
        return z3.RealVal(value, ctx)
    return z3.IntVal(int(value), ctx)


def level_term(band: Band, level_index: int, term: Any, kind: TypeKind) -> Any:
    """``term`` lies in the level's interval; int attributes get integer bounds (no ToReal)."""
    level = band.levels[level_index]
    if kind is TypeKind.INT:
        low = math.ceil(level.low) if level.low_closed else math.floor(level.low) + 1
        high = math.floor(level.high) if level.high_closed else math.ceil(level.high) - 1
        return z3.And(term >= low, term <= high)
    ctx = term.ctx
    low, high = _bound(level.low, kind, ctx), _bound(level.high, kind, ctx)
    low_ok = term >= low if level.low_closed else term > low
    high_ok = term <= high if level.high_closed else term < high
    return z3.And(low_ok, high_ok)


def band_term(band: Band, term: Any, kind: TypeKind) -> Any:
    """The level of a value as the band's enum code (``smt.enum_code``, so ``trust == "low"``
    compares by name): first containing level, ``len(levels)`` (no code) in a gap."""
    levels = enum_type(tuple(level.name for level in band.levels))
    out: Any = z3.IntVal(len(band.levels), term.ctx)
    for index in reversed(range(len(band.levels))):
        code = enum_code(levels, band.levels[index].name)
        out = z3.If(level_term(band, index, term, kind), z3.IntVal(code, term.ctx), out)
    return out


@dataclass
class Encoding:
    """Z3 terms of one policy: attributes, their domains, bands, rule matches, decision."""

    policy: Policy
    vars: dict[str, SmtVar]
    domain: list[Any]
    env: dict[str, Any]
    matches: list[Any]
    ctx: Any
    _decision: Any = field(default=None, repr=False)
    _decider: Any = field(default=None, repr=False)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.policy.rules

    def decision(self) -> Any:
        """Int term: the decision of the whole policy (default applied)."""
        if self._decision is None:
            out: Any = z3.IntVal(DECISIONS[self.policy.default], self.ctx)
            for position in reversed(priority_order(self.policy)):
                effect = DECISIONS[self.rules[position].effect]
                out = z3.If(self.matches[position], z3.IntVal(effect, self.ctx), out)
            self._decision = out
        return self._decision

    def decider(self) -> Any:
        """Int term: the position of the rule that decides, -1 when the default does."""
        if self._decider is None:
            out: Any = z3.IntVal(-1, self.ctx)
            for position in reversed(priority_order(self.policy)):
                out = z3.If(self.matches[position], z3.IntVal(position, self.ctx), out)
            self._decider = out
        return self._decider


def encode(policy: Policy, ctx: Any, suffix: str = "") -> Encoding:
    """Declare the attributes in ``ctx`` (names get ``suffix`` so two policies can share a
    solver). Callers pass a fresh ``z3.Context()``: models then depend only on this policy,
    not on whatever else the process asked z3 before, so output is the same bytes every run.
    """
    variables = {a.name: declare(a.name, a.type, suffix, ctx) for a in policy.attributes}
    domain = [c for var in variables.values() for c in _domain(var, ctx)]
    env: dict[str, Any] = {name: var.term for name, var in variables.items()}
    for band in policy.bands:
        over = variables[band.over]
        env[band.name] = band_term(band, over.term, over.type.kind)
    compiler = Compiler(env, ctx)
    matches = [
        z3.BoolVal(True, ctx) if rule.when is None else compiler.expr(rule.when)
        for rule in policy.rules
    ]
    return Encoding(policy, variables, domain, env, matches, ctx)


def _domain(var: SmtVar, ctx: Any) -> list[Any]:
    """``SmtVar.domain`` with real bounds built in ``ctx`` (smt builds them in the main one)."""
    if var.type.kind is not TypeKind.REAL:
        return var.domain()
    out = []
    if var.type.low is not None:
        out.append(var.term >= z3.RealVal(var.type.low, ctx))
    if var.type.high is not None:
        out.append(var.term <= z3.RealVal(var.type.high, ctx))
    return out


def request_of(encoding: Encoding, model: Any) -> Request:
    """The request of a Z3 model (every attribute gets a value)."""
    raw = {name: value_of(model, var) for name, var in sorted(encoding.vars.items())}
    return request_from(encoding.policy, raw)
