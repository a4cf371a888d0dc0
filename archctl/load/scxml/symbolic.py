"""Conditions as the flat machine can state them: over the data *before* a microstep.

A flat transition's guard is evaluated before its action runs, but SCXML evaluates an
``<if>`` inside a microstep after the assignments before it. So an ``<if>`` condition is
rewritten over the pre-state by substituting the values assigned so far (``x = x + 1`` then
``x > 3`` becomes ``x + 1 > 3``), and ``In()`` names are fixed by the configuration; what is
then constant is folded to a bool, so no guard says ``3 == 3``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace

from archctl.load.scxml.chart import Assign
from archctl.model.evaluate import evaluate
from archctl.model.expr import Binary, Compare, Expr, InCidr, Literal, Member, Name, Unary, names_in
from archctl.model.types import BOOL

_NODES = (Literal, Name, Unary, Binary, Compare, Member, InCidr)


def substitute(expr: Expr, env: Mapping[str, Expr]) -> Expr:
    """``expr`` with each name in ``env`` replaced by its expression."""
    if isinstance(expr, Name):
        return env.get(expr.name, expr)
    changes: dict[str, object] = {}
    for item in fields(expr):
        value = getattr(expr, item.name)
        if isinstance(value, _NODES):
            changes[item.name] = substitute(value, env)
        elif isinstance(value, tuple) and value and all(isinstance(v, _NODES) for v in value):
            changes[item.name] = tuple(substitute(v, env) for v in value)
    return replace(expr, **changes) if changes else expr  # type: ignore[arg-type]


def fold(expr: Expr, fixed: Callable[[str], bool | None]) -> Expr | bool:
    """Fix the names ``fixed`` decides; a part left without names is evaluated, ``and``,
    ``or`` and ``not`` around a constant are simplified."""
    if isinstance(expr, Name):
        value = fixed(expr.name)
        return expr if value is None else value
    if isinstance(expr, Unary) and expr.op == "not":
        inner = fold(expr.operand, fixed)
        return (not inner) if isinstance(inner, bool) else Unary("not", inner, expr.span, BOOL)
    if isinstance(expr, Binary) and expr.op in ("and", "or"):
        left, right = fold(expr.left, fixed), fold(expr.right, fixed)
        absorbing = expr.op == "or"  # True absorbs 'or', False absorbs 'and'
        for side, other in ((left, right), (right, left)):
            if isinstance(side, bool):
                return absorbing if side is absorbing else other
        assert not isinstance(left, bool) and not isinstance(right, bool)
        return Binary(expr.op, left, right, expr.span, BOOL)
    env = {name: fixed(name) for name in names_in(expr)}
    decided = {
        name: Literal(value, expr.span, BOOL) for name, value in env.items() if value is not None
    }
    expr = substitute(expr, decided) if decided else expr
    if not names_in(expr) and expr.type == BOOL:
        return bool(evaluate(expr, {}))
    return expr


def after(expr: Expr, actions: Sequence[Assign]) -> Expr | bool | None:
    """``expr`` evaluated after ``actions``, stated over the values before them; None when it
    reads a variable one of them set to a value archctl cannot compute."""
    env: dict[str, Expr | None] = {}
    for action in actions:
        unknown = action.value is None or _reads_unknown(action.value, env)
        env[action.target] = None if unknown or action.value is None else _with(action.value, env)
    if _reads_unknown(expr, env):
        return None
    return fold(_with(expr, env), lambda name: None)


def _with(expr: Expr, env: Mapping[str, Expr | None]) -> Expr:
    known = {name: value for name, value in env.items() if value is not None}
    return substitute(expr, known) if known else expr


def _reads_unknown(expr: Expr, env: Mapping[str, Expr | None]) -> bool:
    return any(name in env and env[name] is None for name in names_in(expr))
