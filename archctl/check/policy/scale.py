"""Real attributes on an integer grid, so that the box questions compare ints, not Fractions.

A real attribute with a declared range is only ever compared with finitely many rational
constants (the rules' literals, the band levels, the range), and every bound of every box
the checker builds is one of them. Multiplying them all by the least common multiple of
their denominators keeps every comparison, every emptiness test and every midpoint exactly
as it was (order and halving commute with a positive factor), while Python compares ints
many times faster than Fractions. Points are mapped back before they become requests: a
bound to the very constant it came from, anything else divided by the factor, so witnesses
are the values the unscaled boxes give.

Only attributes with both ends declared are scaled: on an open side ``point`` steps by one
unit, which is not invariant under scaling.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import cast

from archctl.check.policy.exact import Box, Interval, Number
from archctl.model.types import TypeKind, VarType


class Scale:
    """The factor of each scaled attribute and the constants its grid points stand for."""

    def __init__(self, types: dict[str, VarType], rules: list[list[Box] | None]) -> None:
        self.factor: dict[str, int] = {}
        #: attribute -> scaled int -> the constant it stands for
        self.constants: dict[str, dict[int, Number]] = {}
        found: dict[str, list[Number]] = {}
        for name, var_type in types.items():
            if var_type.kind is TypeKind.REAL and None not in (var_type.low, var_type.high):
                found[name] = [cast(Fraction, var_type.low), cast(Fraction, var_type.high)]
        for boxes in rules:
            for box in boxes or ():
                for name, dom in box.items():
                    if name in found and isinstance(dom, Interval):
                        found[name].extend(b for b in (dom.low, dom.high) if b is not None)
        for name, values in found.items():
            factor = math.lcm(*(Fraction(v).denominator for v in values))
            self.factor[name] = factor
            table: dict[int, Number] = {}
            for value in values:
                table.setdefault(int(value * factor), value)
            self.constants[name] = table

    def types(self, types: dict[str, VarType]) -> dict[str, VarType]:
        """The attribute types with each scaled range on the grid (int bounds)."""
        out = dict(types)
        for name, factor in self.factor.items():
            var_type = types[name]
            low, high = cast(Fraction, var_type.low), cast(Fraction, var_type.high)
            out[name] = VarType(
                TypeKind.REAL, cast(Fraction, int(low * factor)), cast(Fraction, int(high * factor))
            )
        return out

    def boxes(self, boxes: list[Box] | None) -> list[Box] | None:
        if boxes is None or not self.factor:
            return boxes
        return [self._box(box) for box in boxes]

    def _box(self, box: Box) -> Box:
        out = dict(box)
        for name, dom in box.items():
            factor = self.factor.get(name)
            if factor is not None and isinstance(dom, Interval):
                low = None if dom.low is None else int(dom.low * factor)
                high = None if dom.high is None else int(dom.high * factor)
                out[name] = Interval(low, dom.low_closed, high, dom.high_closed)
        return out

    def point(self, values: dict[str, object]) -> dict[str, object]:
        """A point of the grid as the values of the attributes."""
        if not self.factor:
            return values
        out = dict(values)
        for name, factor in self.factor.items():
            value = cast(Number, values[name])
            constant = self.constants[name].get(value) if isinstance(value, int) else None
            out[name] = constant if constant is not None else Fraction(value) / factor
        return out
