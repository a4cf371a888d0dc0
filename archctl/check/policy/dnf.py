"""Conditions as exact unions of boxes (see ``po_exact``), or None outside the fragment.

Negation is pushed to the atoms, ``and`` distributes over ``or`` (capped: a condition whose
union would exceed ``LIMIT`` boxes is left to Z3), and every box is met with the declared
domains, so a box is empty exactly when no request satisfies it. A band name compares by
its *effective* level regions (a level minus the levels listed before it), which is what
``Band.level_of`` and the Z3 encoding mean by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from archctl.check.policy.exact import (
    Box,
    Dom,
    box_meet,
    complement,
    full,
    integral,
    interval,
    meet,
    minus,
)
from archctl.model.expr import Binary, Compare, Expr, InCidr, Literal, Member, Name, Unary
from archctl.model.policy import Band
from archctl.model.types import TypeKind, VarType

LIMIT = 32
FLIP = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class Outside(Exception):
    """The condition is not a (small) union of boxes."""


class Boxes:
    """Converts the conditions of one policy."""

    def __init__(self, types: dict[str, VarType], bands: tuple[Band, ...]) -> None:
        self.types = types
        self.bands = {band.name: band for band in bands}
        self.levels = {band.name: self._effective(band) for band in bands}

    def _effective(self, band: Band) -> dict[str, list[Dom]]:
        """Level name -> the values that count as that level (first containing level)."""
        var_type = self.types[band.over]
        whole = integral(var_type)
        taken: list[Dom] = []
        out: dict[str, list[Dom]] = {}
        for level in band.levels:
            made = interval(level.low, level.low_closed, level.high, level.high_closed, whole)
            mine: list[Dom] = [] if made is None else [made]
            for earlier in taken:
                mine = [part for dom in mine for part in minus(dom, earlier, whole)]
            out[level.name] = [
                d for d in (meet(dom, full(var_type), whole) for dom in mine) if d is not None
            ]
            if made is not None:
                taken.append(made)
        return out

    def boxes(self, expr: Expr | None) -> list[Box] | None:
        if expr is None:
            return [{}]
        try:
            return self._dnf(expr, False)
        except Outside:
            return None

    def _dnf(self, expr: Expr, negated: bool) -> list[Box]:
        if isinstance(expr, Literal) and isinstance(expr.value, bool):
            return [{}] if expr.value != negated else []
        if isinstance(expr, Unary) and expr.op == "not":
            return self._dnf(expr.operand, not negated)
        if isinstance(expr, Binary) and expr.op in ("and", "or"):
            left, right = self._dnf(expr.left, negated), self._dnf(expr.right, negated)
            if (expr.op == "and") == negated:
                return _cap(left + right)
            out = []
            for a in left:
                for b in right:
                    both = box_meet(a, b, self.types)
                    if both is not None:
                        out.append(both)
            return _cap(out)
        if isinstance(expr, Name) and expr.name in self.types:
            return self._atom(expr.name, [frozenset({True})], negated)
        return self._compare(expr, negated)

    def _compare(self, expr: Expr, negated: bool) -> list[Box]:
        if isinstance(expr, InCidr) and isinstance(expr.element, Name):
            block = interval(expr.low, True, expr.high, True, True)
            doms: list[Dom] = [] if block is None else [block]
            return self._atom(expr.element.name, doms, negated != expr.negated)
        if isinstance(expr, Member) and isinstance(expr.element, Name):
            if not all(isinstance(item, Literal) for item in expr.items):
                raise Outside
            values = [item.value for item in expr.items if isinstance(item, Literal)]
            return self._equal(expr.element.name, values, negated != expr.negated)
        if isinstance(expr, Compare):
            if isinstance(expr.left, Name) and isinstance(expr.right, Literal):
                name, op, value = expr.left.name, expr.op, expr.right.value
            elif isinstance(expr.right, Name) and isinstance(expr.left, Literal):
                name, op, value = expr.right.name, MIRROR[expr.op], expr.left.value
            else:
                raise Outside
            if op in ("==", "!="):
                return self._equal(name, [value], negated != (op == "!="))
            if negated:
                op = FLIP[op]
            return self._order(name, op, value)
        raise Outside

    def _equal(self, name: str, values: Sequence[object], negated: bool) -> list[Box]:
        if name in self.bands:
            band = self.bands[name]
            doms = [d for v in values for d in self.levels[name].get(str(v), [])]
            return self._atom(band.over, doms, negated)
        var_type = self._type(name)
        if var_type.kind in (TypeKind.ENUM, TypeKind.BOOL, TypeKind.STRING):
            return self._atom(name, [frozenset(values)], negated)
        whole = integral(var_type)
        doms = []
        for value in values:
            number = _number(value)
            made = interval(number, True, number, True, whole)
            if made is not None:
                doms.append(made)
        return self._atom(name, doms, negated)

    def _order(self, name: str, op: str, value: object) -> list[Box]:
        var_type = self._type(name)
        if not var_type.is_numeric and var_type.kind is not TypeKind.IP:
            raise Outside
        number = _number(value)
        if op in ("<", "<="):
            made = interval(None, False, number, op == "<=", integral(var_type))
        else:
            made = interval(number, op == ">=", None, False, integral(var_type))
        return self._atom(name, [] if made is None else [made], False)

    def _atom(self, name: str, doms: list[Dom], negated: bool) -> list[Box]:
        """Boxes of ``name in union(doms)`` (or its complement), met with the domain."""
        var_type = self._type(name)
        whole = integral(var_type)
        if negated:
            doms = complement(doms, var_type)
        out: list[Box] = []
        for dom in doms:
            inside = meet(dom, full(var_type), whole)
            if inside is not None:
                out.append({name: inside})
        return out

    def _type(self, name: str) -> VarType:
        var_type = self.types.get(name)
        if var_type is None:
            raise Outside
        return var_type


def _number(value: object) -> int | Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise Outside
    return value


def _cap(boxes: list[Box]) -> list[Box]:
    if len(boxes) > LIMIT:
        raise Outside
    return boxes
