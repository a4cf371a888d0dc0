"""One typed expression AST for guards, conditions, rule bodies and assignments.

The parser produces these nodes with spans; the type checker fills ``type`` on every node so
that both back ends (the Z3 compiler and the Python evaluator) can rely on it without
re-deriving types.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from archctl.model.types import VarType
from archctl.source import Span


@dataclass(frozen=True)
class Literal:
    """A constant: bool, int, Fraction (reals), str (string/enum), or int (IPv4 address)."""

    value: bool | int | Fraction | str
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class Name:
    """A variable, attribute, band or the reserved ``state``; dotted paths are one name."""

    name: str
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class Unary:
    op: str  # "not" | "-"
    operand: Expr
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class Binary:
    op: str  # "and" | "or" | "+" | "-" | "*"
    left: Expr
    right: Expr
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class Compare:
    op: str  # "==" | "!=" | "<" | "<=" | ">" | ">="
    left: Expr
    right: Expr
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class Member:
    """``x in [a, b]`` / ``x not in [...]``."""

    negated: bool
    element: Expr
    items: tuple[Expr, ...]
    span: Span
    type: VarType | None = None


@dataclass(frozen=True)
class InCidr:
    """``src in "10.0.0.0/8"``; ``low``/``high`` are the block's first and last address."""

    negated: bool
    element: Expr
    cidr: str
    low: int
    high: int
    span: Span
    type: VarType | None = None


Expr = Union[Literal, Name, Unary, Binary, Compare, Member, InCidr]


@dataclass(frozen=True)
class Assignment:
    """``target = value``; ``value`` None means ``any`` (the environment picks a value)."""

    target: str
    value: Expr | None
    span: Span
    target_span: Span


Action = tuple[Assignment, ...]


def names_in(expr: Expr) -> set[str]:
    """All names an expression reads."""
    if isinstance(expr, Name):
        return {expr.name}
    if isinstance(expr, Literal):
        return set()
    if isinstance(expr, Unary):
        return names_in(expr.operand)
    if isinstance(expr, (Binary, Compare)):
        return names_in(expr.left) | names_in(expr.right)
    if isinstance(expr, Member):
        out = names_in(expr.element)
        for item in expr.items:
            out |= names_in(item)
        return out
    return names_in(expr.element)


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


def quote(text: str) -> str:
    """A double-quoted string with the escapes the grammars read (``\\"``, ``\\\\``, ``\\n``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def to_source(expr: Expr) -> str:
    """Canonical text of a typed expression; parsed again it gives the equal expression.

    Numbers are exact decimals (``0.1`` stays 1/10) and parentheses appear exactly where the
    grammar's precedence needs them. The DSL and YAML printers, messages and diagrams all
    use this one printer.
    """
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
        items = ", ".join(to_source(item) for item in expr.items)
        return f"{_wrap(expr.element, 5)} {op} [{items}]"
    return f"{_wrap(expr.element, 5)} {op} {quote(expr.cidr)}"


def action_to_source(action: Action) -> str:
    parts = []
    for assignment in action:
        value = "any" if assignment.value is None else to_source(assignment.value)
        parts.append(f"{assignment.target} = {value}")
    return "; ".join(parts)


_PREC = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6}


def _literal(expr: Literal) -> str:
    value = expr.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Fraction):
        return decimal(value)
    if expr.type is not None and expr.type.kind.value == "ip":
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
    text = to_source(expr)
    return f"({text})" if _precedence(expr) < minimum else text
