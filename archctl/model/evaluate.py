"""Evaluate typed expressions in Python.

Expressions are compiled once into nested closures, so the simulator can evaluate a guard
millions of times without walking the AST. The Z3 compiler in ``check/smt.py`` is the other
back end; property tests check that both agree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from archctl.evidence import Value
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

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def compile_expr(expr: Expr) -> Compiled:
    """Compile a type-checked expression into a function of an environment."""
    if isinstance(expr, Literal):
        constant = expr.value
        return lambda env: constant
    if isinstance(expr, Name):
        key = expr.name
        return lambda env: env[key]
    if isinstance(expr, Unary):
        inner = compile_expr(expr.operand)
        if expr.op == "not":
            return lambda env: not inner(env)
        return lambda env: -inner(env)
    if isinstance(expr, Binary):
        left = compile_expr(expr.left)
        right = compile_expr(expr.right)
        if expr.op == "and":
            return lambda env: left(env) and right(env)
        if expr.op == "or":
            return lambda env: left(env) or right(env)
        arith = _ARITH[expr.op]
        return lambda env: arith(left(env), right(env))
    if isinstance(expr, Compare):
        left = compile_expr(expr.left)
        right = compile_expr(expr.right)
        compare = _COMPARE[expr.op]
        return lambda env: compare(left(env), right(env))
    if isinstance(expr, Member):
        element = compile_expr(expr.element)
        if all(isinstance(item, Literal) for item in expr.items):
            # constants: one hash lookup (``in`` on a set is ``==`` on hashable values)
            values = frozenset(item.value for item in expr.items if isinstance(item, Literal))
            if expr.negated:
                return lambda env: element(env) not in values
            return lambda env: element(env) in values
        items = [compile_expr(item) for item in expr.items]
        if expr.negated:
            return lambda env: all(element(env) != item(env) for item in items)
        return lambda env: any(element(env) == item(env) for item in items)
    assert isinstance(expr, InCidr)
    element = compile_expr(expr.element)
    low, high = expr.low, expr.high
    if expr.negated:
        return lambda env: not (low <= element(env) <= high)
    return lambda env: low <= element(env) <= high


def evaluate(expr: Expr, env: Env) -> Value:
    """Evaluate once (compile and run); prefer :func:`compile_expr` in loops."""
    result: Value = compile_expr(expr)(env)
    return result


def apply_action(action: Action, env: Env, choose_any: Callable[[str], Any]) -> dict[str, Any]:
    """Apply assignments left to right: each one sees the effect of those before it.

    ``choose_any(name)`` supplies a value for ``name = any`` (the simulator draws one).
    Returns the new environment; the input is not modified.
    """
    new_env = dict(env)
    for assignment in action:
        if assignment.value is None:
            new_env[assignment.target] = choose_any(assignment.target)
        else:
            new_env[assignment.target] = compile_expr(assignment.value)(new_env)
    return new_env


def as_exact(value: Any) -> Any:
    """Floats drawn by the simulator become exact rationals when compared with Z3 models."""
    if isinstance(value, float):
        return Fraction(value)
    return value
