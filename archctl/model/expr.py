"""One typed expression AST for guards, conditions, rule bodies and assignments.

The parser produces these nodes with spans; the type checker fills ``type`` on every node so
that both back ends (the Z3 compiler and the Python evaluator) can rely on it without
re-deriving types.
"""

from __future__ import annotations

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


def to_source(expr: Expr) -> str:
    """Canonical text of an expression (used by the DSL printer and messages)."""
    if isinstance(expr, Literal):
        value = expr.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(value, Fraction):
            if value.denominator == 1:
                return f"{value.numerator}.0"
            return repr(float(value)) if Fraction(float(value)) == value else str(value)
        if expr.type is not None and expr.type.kind.value == "ip":
            import ipaddress

            return f'"{ipaddress.IPv4Address(value)}"'
        return str(value)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Unary):
        inner = to_source(expr.operand)
        if expr.op == "not":
            return f"not {_wrap(expr.operand, inner, 7)}"
        return f"-{_wrap(expr.operand, inner, 6)}"
    if isinstance(expr, Binary):
        prec = _PREC[expr.op]
        left = _wrap(expr.left, to_source(expr.left), prec)
        right = _wrap(expr.right, to_source(expr.right), prec + 1)
        return f"{left} {expr.op} {right}"
    if isinstance(expr, Compare):
        left = _wrap(expr.left, to_source(expr.left), 5)
        right = _wrap(expr.right, to_source(expr.right), 5)
        return f"{left} {expr.op} {right}"
    if isinstance(expr, Member):
        items = ", ".join(to_source(item) for item in expr.items)
        op = "not in" if expr.negated else "in"
        return f"{_wrap(expr.element, to_source(expr.element), 5)} {op} [{items}]"
    op = "not in" if expr.negated else "in"
    return f'{_wrap(expr.element, to_source(expr.element), 5)} {op} "{expr.cidr}"'


_PREC = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6}


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _PREC[expr.op]
    if isinstance(expr, Unary):
        return 3 if expr.op == "not" else 7
    if isinstance(expr, (Compare, Member, InCidr)):
        return 4
    return 8


def _wrap(expr: Expr, text: str, minimum: int) -> str:
    return f"({text})" if _precedence(expr) < minimum else text


def action_to_source(action: Action) -> str:
    parts = []
    for assignment in action:
        value = "any" if assignment.value is None else to_source(assignment.value)
        parts.append(f"{assignment.target} = {value}")
    return "; ".join(parts)
