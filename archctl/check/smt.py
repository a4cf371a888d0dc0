"""The only place that builds Z3 terms: declarations, expressions, assignments, models.

Encoding: bool -> Bool; int -> Int; real -> Real; enum -> Int (cheap, and keeps everything
in linear integer arithmetic); string -> String; ip -> Int in [0, 2^32). Ranges become
domain constraints returned next to each variable, never baked into the term, so callers
choose where they hold (e.g. only in the initial state).

Enum values are names, so their code is a function of the name: its position among the
type's names *sorted*, not as declared. Two enums that meet in an expression hold the same
set of names (the type checker sees to that), so ``values: [a, b]`` and ``values: [b, a]``
give "a" the same code and ``x == y`` / ``y = x`` compare and copy by name. Every term,
constant, domain and model read goes through ``enum_code`` / ``enum_names``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from archctl.check.budget import clamp_ms, current
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
from archctl.model.types import TypeKind, VarType


class Outcome(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SmtVar:
    name: str
    type: VarType
    term: Any

    def domain(self) -> list[Any]:
        """Constraints that keep the term inside the declared type and range."""
        return domain_of(self.type, self.term)


@functools.cache
def enum_names(var_type: VarType) -> tuple[str, ...]:
    """An enum's names in code order: sorted, so the declared order never matters."""
    return tuple(sorted(var_type.values))


def enum_code(var_type: VarType, name: str) -> int:
    """The Int that stands for enum value ``name`` in Z3 terms (see the module docstring)."""
    return enum_names(var_type).index(name)


def domain_of(var_type: VarType, term: Any) -> list[Any]:
    kind = var_type.kind
    out: list[Any] = []
    if kind is TypeKind.ENUM:
        out += [term >= 0, term < len(var_type.values)]
    elif kind is TypeKind.IP:
        out += [term >= 0, term <= 2**32 - 1]
    elif kind in (TypeKind.INT, TypeKind.REAL):
        if var_type.low is not None:
            out.append(term >= _num(var_type.low, kind, term.ctx))
        if var_type.high is not None:
            out.append(term <= _num(var_type.high, kind, term.ctx))
    return out


def make_term(name: str, var_type: VarType, ctx: Any = None) -> Any:
    kind = var_type.kind
    if kind is TypeKind.BOOL:
        return z3.Bool(name, ctx)
    if kind is TypeKind.REAL:
        return z3.Real(name, ctx)
    if kind is TypeKind.STRING:
        return z3.String(name, ctx)
    return z3.Int(name, ctx)


def declare(name: str, var_type: VarType, suffix: str = "", ctx: Any = None) -> SmtVar:
    return SmtVar(name, var_type, make_term(name + suffix, var_type, ctx))


def _num(value: Fraction | int, kind: TypeKind, ctx: Any = None) -> Any:
    """A bound in the term's own context (z3.Q would build it in the main one)."""
    if kind is TypeKind.REAL:
        return z3.RealVal(Fraction(value), ctx)
    return int(value)


def constant(value: Value, var_type: VarType, ctx: Any = None) -> Any:
    """A Python value of a type as a Z3 constant."""
    kind = var_type.kind
    if kind is TypeKind.BOOL:
        return z3.BoolVal(bool(value), ctx)
    if kind is TypeKind.ENUM:
        return z3.IntVal(enum_code(var_type, str(value)), ctx)
    if kind is TypeKind.STRING:
        return z3.StringVal(str(value), ctx)
    if kind is TypeKind.REAL:
        fraction = Fraction(value)
        return z3.RealVal(fraction, ctx)
    return z3.IntVal(int(value), ctx)


class Compiler:
    """Compiles typed expressions over an environment of Z3 terms (name -> term)."""

    def __init__(self, env: Mapping[str, Any], ctx: Any = None) -> None:
        self.env = env
        self.ctx = ctx

    def expr(self, expr: Expr) -> Any:
        if isinstance(expr, Literal):
            assert expr.type is not None, "expressions must be type-checked before compiling"
            value = expr.value
            if expr.type.kind is TypeKind.REAL or isinstance(value, Fraction):
                return z3.RealVal(Fraction(value), self.ctx)
            return constant(value, expr.type, self.ctx)
        if isinstance(expr, Name):
            return self.env[expr.name]
        if isinstance(expr, Unary):
            inner = self.expr(expr.operand)
            return z3.Not(inner) if expr.op == "not" else -inner
        if isinstance(expr, Binary):
            left, right = self.expr(expr.left), self.expr(expr.right)
            if expr.op == "and":
                return z3.And(left, right)
            if expr.op == "or":
                return z3.Or(left, right)
            if expr.op == "+":
                return left + right
            if expr.op == "-":
                return left - right
            return left * right
        if isinstance(expr, Compare):
            left, right = self.expr(expr.left), self.expr(expr.right)
            return {
                "==": lambda: left == right,
                "!=": lambda: left != right,
                "<": lambda: left < right,
                "<=": lambda: left <= right,
                ">": lambda: left > right,
                ">=": lambda: left >= right,
            }[expr.op]()
        if isinstance(expr, Member):
            element = self.expr(expr.element)
            hits = [element == self.expr(item) for item in expr.items]
            anyhit = z3.Or(*hits) if hits else z3.BoolVal(False, self.ctx)
            return z3.Not(anyhit) if expr.negated else anyhit
        assert isinstance(expr, InCidr)
        element = self.expr(expr.element)
        inside = z3.And(element >= expr.low, element <= expr.high)
        return z3.Not(inside) if expr.negated else inside

    def action(self, action: Action, fresh: Callable[[str], Any]) -> dict[str, Any]:
        """Terms of the variables after a sequential action; ``any`` takes ``fresh(name)``."""
        current = dict(self.env)
        for assignment in action:
            compiler = Compiler(current, self.ctx)
            if assignment.value is None:
                current[assignment.target] = fresh(assignment.target)
            else:
                current[assignment.target] = compiler.expr(assignment.value)
        return current


def value_of(model: Any, var: SmtVar) -> Value:
    """The Python value of a variable in a model (completion on: unconstrained vars get one)."""
    raw = model.eval(var.term, model_completion=True)
    return from_z3(raw, var.type)


def from_z3(raw: Any, var_type: VarType) -> Value:
    kind = var_type.kind
    if kind is TypeKind.BOOL:
        return bool(z3.is_true(raw))
    if kind is TypeKind.ENUM:
        index = raw.as_long()
        names = enum_names(var_type)
        return names[index] if 0 <= index < len(names) else str(index)
    if kind is TypeKind.STRING:
        return str(raw.as_string())
    if kind is TypeKind.REAL:
        fraction = raw.as_fraction()
        return Fraction(fraction.numerator, fraction.denominator)
    return int(raw.as_long())


def solve(solver: Any, assumptions: Sequence[Any] = ()) -> Outcome:
    """Run ``check`` and map z3's answer; unknown (including timeouts) is its own outcome.

    Inside a spec's budget the query gets at most what is left of it (``check.budget``).
    """
    budget = current()
    if budget is not None:
        solver.set("timeout", clamp_ms(budget.total_ms))
    answer = solver.check(*assumptions)
    if answer == z3.sat:
        return Outcome.SAT
    if answer == z3.unsat:
        return Outcome.UNSAT
    return Outcome.UNKNOWN


def new_solver(timeout_ms: int, ctx: Any = None) -> Any:
    solver = z3.Solver(ctx=ctx) if ctx is not None else z3.Solver()
    solver.set("timeout", clamp_ms(timeout_ms))
    return solver


def differs(terms: Sequence[Any], truths: Sequence[bool]) -> Any:
    """A blocking clause: at least one boolean term takes a different truth value."""
    return z3.Or(
        *[z3.Not(term) if truth else term for term, truth in zip(terms, truths, strict=True)]
    )
