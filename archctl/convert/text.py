"""Exact text of numbers and durations, shared by the DSL and YAML printers.

Printing must round-trip: the text, parsed again, gives the equal model, so numbers are exact
decimals (``0.1`` stays 1/10, never a binary float). Expressions are printed by
``archctl.model.expr.to_source``, the one expression printer.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from archctl.load.values import format_duration
from archctl.model.expr import decimal


def number(value: int | Fraction) -> str:
    """A bound or band limit: whole numbers without a decimal point."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    return decimal(value) if isinstance(value, Fraction) else str(value)


def float_text(value: float) -> str:
    """A float in positional notation (``0.00001``, not ``1e-05``) that reads back equal."""
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def duration(ms: float) -> str:
    return format_duration(int(ms))
