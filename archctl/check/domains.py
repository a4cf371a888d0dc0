"""The values of a finite variable type, counted without listing them.

Shared by the state machine and workflow checkers, which both enumerate small domains
(explicit-state search, picking environment values) and must fall back to symbolic reasoning
for large ones. Counting is arithmetic: an ``int`` range of 2^63 values is one subtraction,
never a list, so deciding "too large to enumerate" costs nothing whatever the range.
"""

from __future__ import annotations

import math

from archctl.evidence import Value
from archctl.model.types import TypeKind, VarType


def domain_size(var_type: VarType) -> int | None:
    """How many values the type has, or None when it is not finite (reals, strings, ...)."""
    if var_type.kind is TypeKind.BOOL:
        return 2
    if var_type.kind is TypeKind.ENUM:
        return len(var_type.values)
    if var_type.kind is TypeKind.INT and var_type.low is not None and var_type.high is not None:
        return max(0, math.floor(var_type.high) - math.ceil(var_type.low) + 1)
    return None


def finite_domain(var_type: VarType, limit: int | None = None) -> list[Value] | None:
    """All values in ascending order; None when not finite or more than ``limit`` values."""
    size = domain_size(var_type)
    if size is None or (limit is not None and size > limit):
        return None
    if var_type.kind is TypeKind.BOOL:
        return [False, True]
    if var_type.kind is TypeKind.ENUM:
        return list(var_type.values)
    assert var_type.low is not None
    low = math.ceil(var_type.low)
    return list(range(low, low + size))


def product_size(types: list[VarType], start: int = 1, limit: int | None = None) -> int | None:
    """``start`` times the product of the domain sizes; None when some type is not finite.

    With ``limit``, stops multiplying once the product is past it (the answer is then some
    number above ``limit``), so a hundred huge ranges cost no more than one.
    """
    size = start
    for var_type in types:
        count = domain_size(var_type)
        if count is None:
            return None
        size *= max(1, count)
        if limit is not None and size > limit:
            return size
    return size
