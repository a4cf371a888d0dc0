"""Exact text of values and expressions, shared by the DSL and YAML printers.

Printing must round-trip: the text, parsed again, gives the equal model. So numbers are
written as exact decimals (``0.1`` stays 1/10, never a binary float), and parentheses are
added exactly where the grammar's precedence needs them (``-(a * b)``, ``not (a and b)``).
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from fractions import Fraction

from archctl.load.values import format_duration
from archctl.model.expr import (
    Action,
    Binary,
    Compare,
    Expr,
    InCidr,
    Literal,
    Member,
    Name,
    Unary,
)
from archctl.model.types import TypeKind

_PREC = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6}


def decimal(value: Fraction) -> str:
    """An exact decimal (``1.0`` for a whole Fraction, so it reads back as a real)."""
    if value.denominator == 1:
        return f"{value.numerator}.0"
    digits = 0
    while (10**digits) % value.denominator and digits < 400:
        digits += 1
    if (10**digits) % value.denominator:
        return repr(float(value))  # not a finite decimal; cannot come from a parsed file
    scaled = abs(value.numerator * (10**digits // value.denominator))
    text = str(scaled).rjust(digits + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


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


def quote(text: str) -> str:
    """A double-quoted string with the escapes both grammars read (``\\"``, ``\\\\``, ``\\n``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def expr_text(expr: Expr) -> str:
    """Canonical source of a typed expression."""
    if isinstance(expr, Literal):
        return _literal(expr)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Unary):
        if expr.op == "not":
            return f"not {_wrap(expr.operand, 3)}"
        return f"-{_wrap(expr.operand, 7)}"
    if isinstance(expr, Binary):
        prec = _PREC[expr.op]
        return f"{_wrap(expr.left, prec)} {expr.op} {_wrap(expr.right, prec + 1)}"
    if isinstance(expr, Compare):
        return f"{_wrap(expr.left, 5)} {expr.op} {_wrap(expr.right, 5)}"
    op = "not in" if expr.negated else "in"
    if isinstance(expr, Member):
        items = ", ".join(expr_text(item) for item in expr.items)
        return f"{_wrap(expr.element, 5)} {op} [{items}]"
    assert isinstance(expr, InCidr)
    return f"{_wrap(expr.element, 5)} {op} {quote(expr.cidr)}"


def action_text(action: Action) -> str:
    parts = []
    for assignment in action:
        value = "any" if assignment.value is None else expr_text(assignment.value)
        parts.append(f"{assignment.target} = {value}")
    return "; ".join(parts)


def _literal(expr: Literal) -> str:
    value = expr.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Fraction):
        return decimal(value)
    if expr.type is not None and expr.type.kind is TypeKind.IP:
        return quote(str(ipaddress.IPv4Address(value)))
    return str(value)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _PREC[expr.op]
    if isinstance(expr, Unary):
        return 3 if expr.op == "not" else 7
    if isinstance(expr, (Compare, Member, InCidr)):
        return 4
    return 8


def _wrap(expr: Expr, minimum: int) -> str:
    text = expr_text(expr)
    return f"({text})" if _precedence(expr) < minimum else text
