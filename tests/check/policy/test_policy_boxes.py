"""Box containment and disjointness, compared bound by bound, against their definitions by
domain subtraction and by meeting the domains."""

from __future__ import annotations

import random
from fractions import Fraction

from archctl.check.policy.exact import (
    Box,
    CoSet,
    Dom,
    box_meet,
    contains,
    disjoint,
    full,
    integral,
    interval,
    meet,
    minus,
)
from archctl.model.types import TypeKind, VarType

TYPES = {
    "n": VarType(TypeKind.INT, Fraction(0), Fraction(9)),
    "r": VarType(TypeKind.REAL, Fraction(0), Fraction(1)),
    "u": VarType(TypeKind.INT),
    "e": VarType(TypeKind.ENUM, values=("a", "b", "c")),
    "s": VarType(TypeKind.STRING),
    "f": VarType(TypeKind.BOOL),
}


def _dom(rng: random.Random, name: str) -> Dom | None:
    var_type = TYPES[name]
    if var_type.kind is TypeKind.ENUM:
        return frozenset(rng.sample(var_type.values, rng.randint(1, 3)))
    if var_type.kind is TypeKind.BOOL:
        return frozenset(rng.sample([False, True], rng.randint(1, 2)))
    if var_type.kind is TypeKind.STRING:
        words = rng.sample(["x", "y", "z"], rng.randint(1, 2))
        return frozenset(words) if rng.random() < 0.5 else CoSet(frozenset(words))
    scale = 1 if integral(var_type) else 4
    low = None if rng.random() < 0.2 else Fraction(rng.randint(-2, 10), scale)
    high = None if rng.random() < 0.2 else Fraction(rng.randint(-2, 10), scale)
    made = interval(low, rng.random() < 0.5, high, rng.random() < 0.5, integral(var_type))
    if made is None:  # empty
        return None
    return meet(made, full(var_type), integral(var_type))


def _box(rng: random.Random) -> Box:
    out: Box = {}
    for name in rng.sample(sorted(TYPES), rng.randint(0, 3)):
        dom = _dom(rng, name)
        if dom is not None:
            out[name] = dom
    return out


def _by_subtraction(outer: Box, inner: Box) -> bool:
    for name, dom in outer.items():
        var_type = TYPES[name]
        if minus(inner.get(name) or full(var_type), dom, integral(var_type)):
            return False
    return True


def test_contains_agrees_with_subtraction() -> None:
    rng = random.Random(11)
    agreed = {True: 0, False: 0}
    for _ in range(5_000):
        outer, inner = _box(rng), _box(rng)
        if rng.random() < 0.3:
            inner = {**outer, **inner}  # often nested, so both answers occur
        expected = _by_subtraction(outer, inner)
        assert contains(outer, inner, TYPES) == expected, (outer, inner)
        agreed[expected] += 1
    assert min(agreed.values()) > 250


def test_disjoint_agrees_with_meeting_domains() -> None:
    rng = random.Random(13)
    agreed = {True: 0, False: 0}
    for _ in range(5_000):
        a, b = _box(rng), _box(rng)
        expected = box_meet(a, b, TYPES) is None
        assert disjoint(a, b, TYPES) == expected == disjoint(b, a, TYPES), (a, b)
        agreed[expected] += 1
    assert min(agreed.values()) > 150
