"""Type-check expressions against declarations and annotate every node with its type.

Runs at load time so that a guard comparing a number to an enum, an enum value that does not
exist, or a product of two variables is reported where the user wrote it, not when a solver
or the simulator trips over it.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Mapping
from fractions import Fraction

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.load.errors import located
from archctl.model.expr import (
    Action,
    Assignment,
    Binary,
    Compare,
    Expr,
    InCidr,
    Literal,
    Member,
    Name,
    Unary,
)
from archctl.model.types import BOOL, INT, REAL, STRING, TypeKind, VarType
from archctl.source import Span


class TypeChecker:
    """Checks expressions in one scope. ``readonly`` names (bands, ``state``) cannot be assigned."""

    def __init__(self, scope: Mapping[str, VarType], readonly: frozenset[str] = frozenset()):
        self.scope = scope
        self.readonly = readonly
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------------------------
    def _error(self, code: Code, message: str, span: Span, help_text: str | None = None) -> None:
        self.diagnostics.append(located(code, message, span, help_text))

    def _unknown(self, name: str, span: Span) -> None:
        """LD005 with a hint; a bare name that is an enum value was meant as a string
        (the commonest slip, in every front end: ``state == done`` for ``== "done"``)."""
        owners = sorted(var for var, kind in self.scope.items() if name in kind.values)
        if owners:
            hint = f'enum values are quoted: "{name}" (a value of {owners[0]})'
            self._error(codes.LD005, f"unknown name '{name}'", span, hint)
            return
        close = difflib.get_close_matches(name, list(self.scope), n=1, cutoff=0.6)
        help_text = f"did you mean '{close[0]}'?" if close else None
        if help_text is None and self.scope:
            known = ", ".join(sorted(self.scope)[:8])
            help_text = f"declared names: {known}"
        self._error(codes.LD005, f"unknown name '{name}'", span, help_text)

    # -- entry points ------------------------------------------------------------------------
    def condition(self, expr: Expr) -> Expr | None:
        """A boolean expression; None when it has errors (already reported)."""
        before = len(self.diagnostics)
        typed = self.infer(expr)
        if typed is None or len(self.diagnostics) > before:
            return None
        if typed.type != BOOL:
            self._error(
                codes.LD008,
                f"expected a condition (bool), found {_describe(typed.type)}",
                expr.span,
                "compare it, e.g. `x > 0`",
            )
            return None
        return typed

    def action(self, action: Action) -> Action | None:
        before = len(self.diagnostics)
        out = []
        for assignment in action:
            target_type = self.scope.get(assignment.target)
            if target_type is None:
                self._unknown(assignment.target, assignment.target_span)
                continue
            if assignment.target in self.readonly:
                self._error(
                    codes.LD008,
                    f"'{assignment.target}' is read-only and cannot be assigned",
                    assignment.target_span,
                )
                continue
            if assignment.value is None:
                out.append(assignment)
                continue
            value = self.infer(assignment.value, expected=target_type)
            if value is None:
                continue
            if not _assignable(target_type, value.type):
                self._error(
                    codes.LD008,
                    f"cannot assign {_describe(value.type)} to '{assignment.target}' "
                    f"of type {target_type.describe()}",
                    assignment.value.span,
                )
                continue
            out.append(
                Assignment(assignment.target, value, assignment.span, assignment.target_span)
            )
        return tuple(out) if len(self.diagnostics) == before else None

    # -- inference ---------------------------------------------------------------------------
    # Typed nodes are built with their constructors, not ``dataclasses.replace``: several
    # times cheaper, and a policy with hundreds of rules types thousands of nodes.
    def infer(self, expr: Expr, expected: VarType | None = None) -> Expr | None:
        if isinstance(expr, Literal):
            return self._literal(expr, expected)
        if isinstance(expr, Name):
            found = self.scope.get(expr.name)
            if found is None:
                self._unknown(expr.name, expr.span)
                return None
            return Name(expr.name, expr.span, found)
        if isinstance(expr, Unary):
            return self._unary(expr)
        if isinstance(expr, Binary):
            return self._binary(expr)
        if isinstance(expr, Compare):
            return self._compare(expr)
        if isinstance(expr, Member):
            return self._member(expr)
        return self._cidr(expr)

    def _literal(self, expr: Literal, expected: VarType | None) -> Expr | None:
        value = expr.value
        if isinstance(value, bool):
            return Literal(value, expr.span, BOOL)
        if isinstance(value, int):
            return Literal(value, expr.span, INT)
        if isinstance(value, Fraction):
            return Literal(value, expr.span, REAL)
        if expected is not None and expected.kind is TypeKind.ENUM:
            if value not in expected.values:
                self._error(
                    codes.LD008,
                    f'"{value}" is not a value of {expected.describe()}',
                    expr.span,
                    _closest_value(value, expected.values),
                )
                return None
            return Literal(value, expr.span, expected)
        if expected is not None and expected.kind is TypeKind.IP:
            try:
                address = int(ipaddress.IPv4Address(value))
            except ValueError:
                self._error(
                    codes.LD008,
                    f'"{value}" is not an IPv4 address',
                    expr.span,
                    'write a dotted address like "10.0.0.7"',
                )
                return None
            return Literal(address, expr.span, expected)
        return Literal(value, expr.span, STRING)

    def _unary(self, expr: Unary) -> Expr | None:
        operand = self.infer(expr.operand)
        if operand is None or operand.type is None:
            return None
        if expr.op == "not":
            if operand.type != BOOL:
                self._error(
                    codes.LD008, f"'not' needs a bool, found {_describe(operand.type)}", expr.span
                )
                return None
            return Unary(expr.op, operand, expr.span, BOOL)
        if not operand.type.is_numeric:
            self._error(
                codes.LD008, f"'-' needs a number, found {_describe(operand.type)}", expr.span
            )
            return None
        result = INT if operand.type.kind is TypeKind.INT else REAL
        return Unary(expr.op, operand, expr.span, result)

    def _binary(self, expr: Binary) -> Expr | None:
        left = self.infer(expr.left)
        right = self.infer(expr.right)
        if left is None or right is None or left.type is None or right.type is None:
            return None
        if expr.op in ("and", "or"):
            for side in (left, right):
                if side.type != BOOL:
                    self._error(
                        codes.LD008,
                        f"'{expr.op}' needs bool operands, found {_describe(side.type)}",
                        side.span,
                    )
                    return None
            return Binary(expr.op, left, right, expr.span, BOOL)
        for side in (left, right):
            assert side.type is not None
            if not side.type.is_numeric:
                self._error(
                    codes.LD008,
                    f"'{expr.op}' needs numbers, found {_describe(side.type)}",
                    side.span,
                )
                return None
        if expr.op == "*" and not (is_constant(left) or is_constant(right)):
            self._error(
                codes.LD008,
                "non-linear arithmetic: '*' needs a constant on one side",
                expr.span,
                "only linear arithmetic is supported (e.g. `2 * x`), so proofs stay decidable",
            )
            return None
        both_int = left.type.kind is TypeKind.INT and right.type.kind is TypeKind.INT
        return Binary(expr.op, left, right, expr.span, INT if both_int else REAL)

    def _compare(self, expr: Compare) -> Expr | None:
        left, right = self._pair(expr.left, expr.right)
        if left is None or right is None or left.type is None or right.type is None:
            return None
        if expr.op in ("<", "<=", ">", ">="):
            if not (left.type.is_numeric and right.type.is_numeric):
                bad = left if not left.type.is_numeric else right
                assert bad.type is not None
                self._error(
                    codes.LD008,
                    f"'{expr.op}' compares numbers, found {_describe(bad.type)}",
                    bad.span,
                )
                return None
        elif not _comparable(left.type, right.type):
            self._error(
                codes.LD008,
                f"cannot compare {_describe(left.type)} with {_describe(right.type)}",
                expr.span,
            )
            return None
        return Compare(expr.op, left, right, expr.span, BOOL)

    def _pair(self, left_raw: Expr, right_raw: Expr) -> tuple[Expr | None, Expr | None]:
        """Infer two operands, letting a typed side give a string literal its enum/ip type."""
        if isinstance(left_raw, Literal) and isinstance(left_raw.value, str):
            right = self.infer(right_raw)
            left = self.infer(left_raw, right.type if right is not None else None)
            return left, right
        left = self.infer(left_raw)
        right = self.infer(right_raw, left.type if left is not None else None)
        return left, right

    def _member(self, expr: Member) -> Expr | None:
        element = self.infer(expr.element)
        if element is None or element.type is None:
            return None
        items = []
        for item in expr.items:
            typed = self.infer(item, element.type)
            if typed is None or typed.type is None:
                return None
            if not _comparable(element.type, typed.type):
                self._error(
                    codes.LD008,
                    f"list item of type {_describe(typed.type)} cannot equal "
                    f"{_describe(element.type)}",
                    item.span,
                )
                return None
            items.append(typed)
        return Member(expr.negated, element, tuple(items), expr.span, BOOL)

    def _cidr(self, expr: InCidr) -> Expr | None:
        element = self.infer(expr.element)
        if element is None or element.type is None:
            return None
        if element.type.kind is not TypeKind.IP:
            self._error(
                codes.LD008,
                f"'in \"...\"' tests CIDR membership of an ip, found {_describe(element.type)}",
                expr.span,
                'for a list of values write `x in ["a", "b"]`',
            )
            return None
        try:
            network = ipaddress.IPv4Network(expr.cidr, strict=False)
        except ValueError:
            self._error(
                codes.LD008,
                f'"{expr.cidr}" is not a CIDR block',
                expr.span,
                'write e.g. "10.0.0.0/8"',
            )
            return None
        low = int(network.network_address)
        high = int(network.broadcast_address)
        return InCidr(expr.negated, element, expr.cidr, low, high, expr.span, BOOL)


def is_constant(expr: Expr) -> bool:
    """A numeric expression without names (e.g. ``2``, ``-3``, ``2 * 4``): linear factors."""
    if isinstance(expr, Literal):
        return not isinstance(expr.value, (bool, str))
    if isinstance(expr, Unary) and expr.op == "-":
        return is_constant(expr.operand)
    if isinstance(expr, Binary) and expr.op in ("+", "-", "*"):
        return is_constant(expr.left) and is_constant(expr.right)
    return False


def _describe(var_type: VarType | None) -> str:
    return "nothing" if var_type is None else var_type.describe()


def _comparable(left: VarType, right: VarType) -> bool:
    if left is right:  # the usual case (items are inferred against the element's type)
        return True
    if left.is_numeric and right.is_numeric:
        return True
    if left.kind is not right.kind:
        return False
    if left.kind is TypeKind.ENUM:
        return set(left.values) == set(right.values)
    return True


def assignable(target: VarType, value: VarType | None) -> bool:
    """Whether a value of type ``value`` may be stored in a ``target`` (ranges aside)."""
    return _assignable(target, value)


def _assignable(target: VarType, value: VarType | None) -> bool:
    if value is None:
        return False
    if target.kind is TypeKind.REAL:
        return value.is_numeric
    if target.kind is TypeKind.INT:
        return value.kind is TypeKind.INT
    return _comparable(target, value)


def _closest_value(value: str, values: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, list(values), n=1, cutoff=0.5)
    listing = ", ".join(f'"{item}"' for item in values)
    if close:
        return f'did you mean "{close[0]}"? values: {listing}'
    return f"values: {listing}"
