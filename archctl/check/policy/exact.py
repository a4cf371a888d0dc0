"""Exact boxes: the decision procedure for rules that are unions of per-attribute boxes.

Most rule conditions are and/or/not over ``attribute op literal`` atoms. Such a condition is
exactly a finite union of boxes (one domain per attribute: a set of enum/bool/string values,
a co-finite string set, or an interval with open/closed ends, integral for int and ip). For
those rules every question the policy checker asks reduces to "is some point of region R
outside the union of boxes E", answered by splitting R around the boxes of E one at a time
(``find``): what is left over is a concrete witness, and when nothing is left the boxes that
were used form a cover. No solver is needed; conditions outside the fragment go to Z3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from archctl.model.types import TypeKind, VarType

Number = Union[int, Fraction]


@dataclass(frozen=True)
class Interval:
    """Bounds are None when unbounded; int/ip intervals are kept closed with int bounds."""

    low: Number | None
    low_closed: bool
    high: Number | None
    high_closed: bool


@dataclass(frozen=True)
class CoSet:
    """Every string except these."""

    excluded: frozenset[str]


Dom = Union[frozenset[object], CoSet, Interval]
Box = dict[str, Dom]


class TooHard(Exception):
    """The splitting budget ran out; the caller asks Z3 instead."""


def integral(var_type: VarType) -> bool:
    return var_type.kind is TypeKind.INT or var_type.kind is TypeKind.IP


def interval(
    low: Number | None, low_closed: bool, high: Number | None, high_closed: bool, whole: bool
) -> Interval | None:
    """A normalised interval, or None when it holds no value."""
    if whole:
        if low is not None:
            low = _ceil(low) if low_closed else _floor(low) + 1
        if high is not None:
            high = _floor(high) if high_closed else _ceil(high) - 1
        low_closed = high_closed = True
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and not (low_closed and high_closed)))
    ):
        return None
    return Interval(low, low_closed, high, high_closed)


def _floor(value: Number) -> int:
    if isinstance(value, int):
        return value
    return value.numerator // value.denominator


def _ceil(value: Number) -> int:
    if isinstance(value, int):
        return value
    return -((-value.numerator) // value.denominator)


#: id of a type -> (the type, its full domain); the entry holds the type, so its id cannot be
#: reused while cached. Hashing a type (ranges are Fractions) costs more than building this.
_FULL: dict[int, tuple[VarType, Dom]] = {}


def full(var_type: VarType) -> Dom:
    """The whole declared domain of a type."""
    hit = _FULL.get(id(var_type))
    if hit is not None and hit[0] is var_type:
        return hit[1]
    if len(_FULL) > 4096:
        _FULL.clear()
    dom = _full(var_type)
    _FULL[id(var_type)] = (var_type, dom)
    return dom


def _full(var_type: VarType) -> Dom:
    kind = var_type.kind
    if kind is TypeKind.ENUM:
        return frozenset(var_type.values)
    if kind is TypeKind.BOOL:
        return frozenset({False, True})
    if kind is TypeKind.STRING:
        return CoSet(frozenset())
    if kind is TypeKind.IP:
        return Interval(0, True, 2**32 - 1, True)
    made = interval(var_type.low, True, var_type.high, True, kind is TypeKind.INT)
    assert made is not None, "declared ranges are checked at load time"
    return made


def meet(a: Dom, b: Dom, whole: bool) -> Dom | None:
    if isinstance(a, Interval) and isinstance(b, Interval):
        low, low_closed = _max_low(a, b)
        high, high_closed = _min_high(a, b)
        return interval(low, low_closed, high, high_closed, whole)
    if isinstance(a, CoSet) and isinstance(b, CoSet):
        return CoSet(a.excluded | b.excluded)
    if isinstance(a, CoSet):
        a, b = b, a
    if isinstance(a, frozenset) and isinstance(b, CoSet):
        return frozenset(v for v in a if v not in b.excluded) or None
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return (a & b) or None
    raise TypeError("domains of different kinds")


def _max_low(a: Interval, b: Interval) -> tuple[Number | None, bool]:
    if a.low is None:
        return b.low, b.low_closed
    if b.low is None or a.low > b.low:
        return a.low, a.low_closed
    if b.low > a.low:
        return b.low, b.low_closed
    return a.low, a.low_closed and b.low_closed


def _min_high(a: Interval, b: Interval) -> tuple[Number | None, bool]:
    if a.high is None:
        return b.high, b.high_closed
    if b.high is None or a.high < b.high:
        return a.high, a.high_closed
    if b.high < a.high:
        return b.high, b.high_closed
    return a.high, a.high_closed and b.high_closed


def minus(a: Dom, b: Dom, whole: bool) -> list[Dom]:
    """The parts of ``a`` outside ``b`` (disjoint, each non-empty)."""
    if isinstance(a, Interval) and isinstance(b, Interval):
        out: list[Dom] = []
        if b.low is not None:
            below = meet(a, Interval(None, False, b.low, not b.low_closed), whole)
            if below is not None:
                out.append(below)
        if b.high is not None:
            above = meet(a, Interval(b.high, not b.high_closed, None, False), whole)
            if above is not None:
                out.append(above)
        return out
    if isinstance(b, CoSet):
        rest = meet(a, frozenset(b.excluded), whole)
        return [rest] if rest is not None else []
    assert isinstance(b, frozenset)
    if isinstance(a, CoSet):
        return [CoSet(a.excluded | frozenset(str(v) for v in b))]
    assert isinstance(a, frozenset)
    left = a - b
    return [left] if left else []


def complement(pieces: Sequence[Dom], var_type: VarType) -> list[Dom]:
    """The attribute's domain minus a union of domains."""
    rest: list[Dom] = [full(var_type)]
    for piece in pieces:
        rest = [part for dom in rest for part in minus(dom, piece, integral(var_type))]
    return rest


def point(dom: Dom, var_type: VarType, variant: int = 0) -> object:
    """A deterministic, readable value of a non-empty domain.

    Variant 0 is the first value (smallest, first declared, false); variants 1 and 2 pick the
    other end and the middle, so that probes try points that are not all alike.
    """
    if isinstance(dom, frozenset):
        if var_type.kind is TypeKind.ENUM:
            values: list[object] = [v for v in var_type.values if v in dom]
        elif var_type.kind is TypeKind.BOOL:
            values = [v for v in (False, True) if v in dom]
        else:
            values = sorted(dom, key=str)
        return values[(0, -1, len(values) // 2)[variant % 3]]
    if isinstance(dom, CoSet):
        candidate, n = "", 0
        while candidate in dom.excluded:
            n += 1
            candidate = f"s{n}"
        return candidate
    return _interval_point(dom, integral(var_type), variant % 3)


def _interval_point(dom: Interval, whole: bool, variant: int) -> Number:
    low, high = dom.low, dom.high
    if variant == 1 and high is not None:
        if dom.high_closed:
            return high
        if low is None or (low < high - 1 if whole else False):
            return high - 1
    if variant == 2 and low is not None and high is not None:
        middle = Fraction(low + high) / 2
        if whole:
            middle = Fraction(_floor(middle))
        if (low < middle or (middle == low and dom.low_closed)) and (
            middle < high or (middle == high and dom.high_closed)
        ):
            return int(middle) if whole else middle
    if low is not None and dom.low_closed:
        return low
    if low is None and high is None:
        return 0
    if low is None:
        assert high is not None
        return high if dom.high_closed else high - 1
    if high is None:
        return low + 1
    return Fraction(low + high) / 2 if not whole else low


def box_meet(a: Box, b: Box, types: dict[str, VarType]) -> Box | None:
    out = dict(a)
    for name, dom in b.items():
        if name in out:
            both = meet(out[name], dom, integral(types[name]))
            if both is None:
                return None
            out[name] = both
        else:
            out[name] = dom
    return out


def disjoint(a: Box, b: Box, types: dict[str, VarType]) -> bool:
    """No point in both boxes (the hot loop: no domain is built, types are compared by
    identity and the interval test is inlined; ``_apart`` is the same test, spelled out)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    for name, dom in small.items():
        other = large.get(name)
        if other is None or other is dom:
            continue
        if type(dom) is Interval:
            if type(other) is Interval:
                for left, right in ((dom, other), (other, dom)):  # left ends before right?
                    high, low = left.high, right.low
                    if (
                        high is not None
                        and low is not None
                        and (
                            high < low
                            or (high == low and not (left.high_closed and right.low_closed))
                        )
                    ):
                        return True
        elif type(dom) is frozenset:
            if type(other) is frozenset:
                if dom.isdisjoint(other):
                    return True
            elif type(other) is CoSet and dom <= other.excluded:
                return True
        elif type(dom) is CoSet:
            if type(other) is frozenset and other <= dom.excluded:
                return True
        elif _disjoint_doms(dom, other):
            return True
    return False


def _disjoint_doms(dom: Dom, other: Dom) -> bool:
    """``disjoint`` for one attribute, by ``isinstance`` (domains of subclassed types)."""
    if isinstance(dom, Interval):
        return isinstance(other, Interval) and _apart(dom, other)
    if isinstance(dom, frozenset):
        if isinstance(other, frozenset):
            return dom.isdisjoint(other)
        return isinstance(other, CoSet) and dom <= other.excluded
    return isinstance(other, frozenset) and other <= dom.excluded


def _apart(a: Interval, b: Interval) -> bool:
    """Intervals (already normalised) with no common point."""
    return _below(a, b) or _below(b, a)


def _below(a: Interval, b: Interval) -> bool:
    if a.high is None or b.low is None:
        return False
    if a.high < b.low:
        return True
    return a.high == b.low and not (a.high_closed and b.low_closed)


def contains(outer: Box, inner: Box, types: dict[str, VarType]) -> bool:
    """Every point of ``inner`` lies in ``outer`` (compared bound by bound: no domain is
    built, since subtraction asks this for every box that meets a piece; intervals and
    value sets, the common domains, are tested inline)."""
    for name, dom in outer.items():
        mine = inner.get(name) or full(types[name])
        if mine is dom:
            continue
        if type(mine) is Interval and type(dom) is Interval:
            low = dom.low
            if low is not None:
                own = mine.low
                if own is None or own < low or (own == low and mine.low_closed > dom.low_closed):
                    return False
            high = dom.high
            if high is not None:
                own = mine.high
                if (
                    own is None
                    or own > high
                    or (own == high and mine.high_closed > dom.high_closed)
                ):
                    return False
        elif type(mine) is frozenset and type(dom) is frozenset:
            if not mine <= dom:
                return False
        elif not _within(mine, dom):
            return False
    return True


def _within(inner: Dom, outer: Dom) -> bool:
    if isinstance(inner, Interval):
        assert isinstance(outer, Interval)
        return _low_within(inner, outer) and _high_within(inner, outer)
    if isinstance(inner, frozenset):
        if isinstance(outer, frozenset):
            return inner <= outer
        assert isinstance(outer, CoSet)
        return inner.isdisjoint(outer.excluded)
    if isinstance(outer, frozenset):
        return False  # every string but a few is not within finitely many
    assert isinstance(outer, CoSet)
    return outer.excluded <= inner.excluded


def _low_within(inner: Interval, outer: Interval) -> bool:
    if outer.low is None:
        return True
    if inner.low is None or inner.low < outer.low:
        return False
    return inner.low > outer.low or outer.low_closed or not inner.low_closed


def _high_within(inner: Interval, outer: Interval) -> bool:
    if outer.high is None:
        return True
    if inner.high is None or inner.high > outer.high:
        return False
    return inner.high < outer.high or outer.high_closed or not inner.high_closed
