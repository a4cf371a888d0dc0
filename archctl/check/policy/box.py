"""Boxes: a per-attribute over-approximation of rule conditions, the cheap pre-check.

Most rules constrain a few attributes with literals (``role == "admin"``, ``risk > 0.7``,
``src in "10.0.0.0/8"``). Their box - a set of values or a closed interval per attribute - is a
superset of the requests they match, so two rules whose boxes are disjoint can never match
a common request and need no solver question, and an empty box proves a condition
unsatisfiable. Anything the box cannot express is simply left unconstrained (sound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from archctl.model.expr import Binary, Compare, Expr, InCidr, Literal, Member, Name, Unary
from archctl.model.policy import Band
from archctl.model.types import TypeKind, VarType

Number = Union[int, Fraction]


@dataclass(frozen=True)
class Interval:
    """A closed hull [low, high]; None is unbounded."""

    low: Number | None
    high: Number | None

    def meet(self, other: Interval) -> Interval | None:
        low = _pick(self.low, other.low, larger=True)
        high = _pick(self.high, other.high, larger=False)
        if low is not None and high is not None and low > high:
            return None
        return Interval(low, high)

    def join(self, other: Interval) -> Interval:
        low = None if self.low is None or other.low is None else min(self.low, other.low)
        high = None if self.high is None or other.high is None else max(self.high, other.high)
        return Interval(low, high)


def _pick(a: Number | None, b: Number | None, larger: bool) -> Number | None:
    if a is None:
        return b
    if b is None:
        return a
    return (a if a >= b else b) if larger else (a if a <= b else b)


Dom = Union[frozenset[object], Interval]
#: attribute -> domain; absent attributes are unconstrained. None is the empty box.
Box = Union[dict[str, Dom], None]


def _meet(a: Dom, b: Dom) -> Dom | None:
    if isinstance(a, Interval) and isinstance(b, Interval):
        return a.meet(b)
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        both = a & b
        return both if both else None
    return a  # mixed kinds cannot happen for type-checked input; stay sound


def _join(a: Dom, b: Dom) -> Dom | None:
    if isinstance(a, Interval) and isinstance(b, Interval):
        return a.join(b)
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return a | b
    return None


def meet(a: Box, b: Box) -> Box:
    if a is None or b is None:
        return None
    out = dict(a)
    for name, dom in b.items():
        if name in out:
            both = _meet(out[name], dom)
            if both is None:
                return None
            out[name] = both
        else:
            out[name] = dom
    return out


def join(a: Box, b: Box) -> Box:
    if a is None:
        return b
    if b is None:
        return a
    out: dict[str, Dom] = {}
    for name in a.keys() & b.keys():
        either = _join(a[name], b[name])
        if either is not None:
            out[name] = either
    return out


def overlaps(a: Box, b: Box) -> bool:
    """False only when no request can satisfy both conditions."""
    if a is None or b is None:
        return False
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    for name, dom in small.items():
        other = large.get(name)
        if other is not None and _meet(dom, other) is None:
            return False
    return True


class Boxer:
    """Computes boxes of conditions over one policy's attributes and bands."""

    def __init__(self, types: dict[str, VarType], bands: tuple[Band, ...]) -> None:
        self.types = types
        self.bands = {band.name: band for band in bands}

    def box(self, expr: Expr | None) -> Box:
        if expr is None:
            return {}
        return self._box(expr, negated=False)

    def _box(self, expr: Expr, negated: bool) -> Box:
        if isinstance(expr, Literal) and isinstance(expr.value, bool):
            return {} if expr.value != negated else None
        if isinstance(expr, Unary) and expr.op == "not":
            return self._box(expr.operand, not negated)
        if isinstance(expr, Binary) and expr.op in ("and", "or"):
            left, right = self._box(expr.left, negated), self._box(expr.right, negated)
            conjunctive = (expr.op == "and") != negated
            return meet(left, right) if conjunctive else join(left, right)
        if isinstance(expr, Name) and expr.name in self.types:
            return {expr.name: frozenset({not negated})}
        return self._atom(expr, negated)

    def _atom(self, expr: Expr, negated: bool) -> Box:
        if isinstance(expr, InCidr) and isinstance(expr.element, Name):
            if expr.negated == negated:
                return {expr.element.name: Interval(expr.low, expr.high)}
            return {}
        if isinstance(expr, Member) and isinstance(expr.element, Name):
            values = [item.value for item in expr.items if isinstance(item, Literal)]
            if len(values) != len(expr.items):
                return {}
            return self._values(expr.element.name, values, expr.negated != negated)
        if isinstance(expr, Compare):
            name, op, value = _name_op_value(expr)
            if name is None:
                return {}
            if negated:
                op = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]
            if op in ("==", "!="):
                return self._values(name, [value], op == "!=")
            return self._order(name, op, value)
        return {}

    def _values(self, name: str, values: Sequence[object], excluded: bool) -> Box:
        band = self.bands.get(name)
        if band is not None:
            if excluded:
                return {}
            hull: Interval | None = None
            for level in band.levels:
                if level.name in values:
                    here = Interval(level.low, level.high)
                    hull = here if hull is None else hull.join(here)
            return None if hull is None else {band.over: hull}
        var_type = self.types.get(name)
        if var_type is None:
            return {}
        if var_type.kind is TypeKind.ENUM or var_type.kind is TypeKind.BOOL:
            universe: tuple[object, ...] = (
                var_type.values if var_type.kind is TypeKind.ENUM else (False, True)
            )
            kept = [v for v in universe if (v in values) != excluded]
            return {name: frozenset(kept)} if kept else None
        if excluded:
            return {}
        if var_type.kind is TypeKind.STRING:
            return {name: frozenset(values)}
        numbers = [v for v in values if isinstance(v, (int, Fraction)) and not isinstance(v, bool)]
        if len(numbers) != len(values) or not numbers:
            return {}
        return {name: Interval(min(numbers), max(numbers))}

    def _order(self, name: str, op: str, value: object) -> Box:
        var_type = self.types.get(name)
        if var_type is None or not isinstance(value, (int, Fraction)) or isinstance(value, bool):
            return {}
        if var_type.kind is TypeKind.INT and op in ("<", ">"):
            whole = Fraction(value)
            bound: Number = _ceil(whole) - 1 if op == "<" else _floor(whole) + 1
            op += "="
        else:
            bound = value
        if op == "<=" or op == "<":
            return {name: Interval(None, bound)}
        return {name: Interval(bound, None)}


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def _name_op_value(expr: Compare) -> tuple[str | None, str, object]:
    flip = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
    if isinstance(expr.left, Name) and isinstance(expr.right, Literal):
        return expr.left.name, expr.op, expr.right.value
    if isinstance(expr.right, Name) and isinstance(expr.left, Literal):
        return expr.right.name, flip[expr.op], expr.left.value
    return None, expr.op, None
