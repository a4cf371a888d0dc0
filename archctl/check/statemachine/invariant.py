"""Spacer's inductive invariant as a certificate a reviewer can read.

When Spacer proves a goal unreachable, its answer interprets each state's relation by a
formula over the variables that holds in every reachable valuation of that state and is
preserved by every transition: the reason the proof holds. This module reads that answer
back into archctl's own expression syntax (``a - b >= 0 and a - b <= 0``), per state,
simplified by Z3, with enum codes shown as their names. Anything it cannot read yields no
certificate rather than a wrong one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import z3

from archctl.check.smt import enum_names
from archctl.model.types import TypeKind, VarType

#: operator of a comparison, and the operator of its negation
_COMPARE = {
    z3.Z3_OP_LE: ("<=", ">"),
    z3.Z3_OP_LT: ("<", ">="),
    z3.Z3_OP_GE: (">=", "<"),
    z3.Z3_OP_GT: (">", "<="),
    z3.Z3_OP_EQ: ("==", "!="),
    z3.Z3_OP_DISTINCT: ("!=", "=="),
}

_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def invariant_text(
    answer: Any,
    relations: Mapping[str, Any],
    terms: Sequence[Any],
    types: Sequence[VarType],
    domain: Sequence[Any] = (),
    cache: dict[str, str] | None = None,
) -> str | None:
    """``state: formula`` for each state whose invariant is not plain ``true``, in state order.

    Parts that ``domain`` (the declared types and ranges) implies anyway are left out.
    ``cache`` (formula -> text) saves simplifying a state's invariant again when the next
    answer of the same machine repeats it, as most do.
    """
    known = {} if cache is None else cache
    found: dict[str, str] = {}
    enums = {
        term.decl().name(): (term, len(var_type.values))
        for term, var_type in zip(terms, types, strict=True)
        if var_type.kind is TypeKind.ENUM
    }
    by_decl = {relation.name(): state for state, relation in relations.items()}
    for part in _conjuncts(answer):
        body = part.body() if z3.is_quantifier(part) else part
        if not (z3.is_eq(body) and z3.is_app(body.arg(0))):
            continue
        state = by_decl.get(body.arg(0).decl().name())
        if state is None:
            continue
        formula = _bind(body.arg(0), body.arg(1), terms)
        if formula is None:
            return None
        key = formula.sexpr()
        text = known.get(key)
        if text is None:
            readable = _drop_implied(_simplify(_by_name(formula, enums)), domain)
            text = known[key] = Renderer(terms, types).formula(readable)
        if text != "true":
            found[state] = text
    if not found:
        return None
    return "; ".join(f"{state}: {found[state]}" for state in relations if state in found)


def _conjuncts(answer: Any) -> list[Any]:
    if z3.is_and(answer):
        return list(answer.children())
    return [answer]


def _bind(application: Any, formula: Any, terms: Sequence[Any]) -> Any:
    """The formula over ``terms``: each bound variable is the relation argument it stands for."""
    count = len(terms)
    slots: list[Any] = [None] * count
    for position, argument in enumerate(application.children()):
        if z3.is_var(argument):
            index = z3.get_var_index(argument)
            if index >= count:
                return None
            slots[index] = terms[position]
    if any(slot is None for slot in slots[: _max_var(formula) + 1]):
        return None
    return z3.substitute_vars(formula, *[slot if slot is not None else terms[0] for slot in slots])


def _max_var(formula: Any) -> int:
    highest = -1
    stack = [formula]
    while stack:
        node = stack.pop()
        if z3.is_var(node):
            highest = max(highest, z3.get_var_index(node))
        elif z3.is_app(node):
            stack.extend(node.children())
    return highest


def _by_name(formula: Any, enums: Mapping[str, tuple[Any, int]]) -> Any:
    """Spacer reasons about enum codes as numbers (``x - y <= 0``, ``x >= 1``); archctl has no
    syntax for that, so each such comparison becomes the name combinations that satisfy it
    (``x == "a" and y == "b" or ...``), which Z3 then simplifies with the rest."""
    if not enums:
        return formula
    if z3.is_and(formula) or z3.is_or(formula) or z3.is_not(formula):
        return formula.decl()(*[_by_name(child, enums) for child in formula.children()])
    if not (z3.is_app(formula) and formula.decl().kind() in _COMPARE):
        return formula
    used = sorted(name for name in _constants(formula) if name in enums)
    if not used or _readable(formula, enums):
        return formula
    options = []
    for codes in itertools.product(*[range(enums[name][1]) for name in used]):
        pairs = [
            (enums[name][0], z3.IntVal(code, formula.ctx))
            for name, code in zip(used, codes, strict=True)
        ]
        if z3.is_true(z3.simplify(z3.substitute(formula, *pairs))):
            options.append(z3.And(*[term == value for term, value in pairs]))
    return z3.Or(*options) if options else z3.BoolVal(False, formula.ctx)


def _readable(atom: Any, enums: Mapping[str, tuple[Any, int]]) -> bool:
    """``x == "a"``, ``x != y``: an (in)equality of an enum with a name or another enum."""
    if atom.decl().kind() not in (z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT) or atom.num_args() != 2:
        return False
    sides = atom.children()
    return all(
        (z3.is_const(side) and side.decl().name() in enums) or z3.is_int_value(side)
        for side in sides
    )


def _constants(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if z3.is_const(item) and not (z3.is_int_value(item) or z3.is_rational_value(item)):
            found.add(item.decl().name())
        elif z3.is_app(item):
            stack.extend(item.children())
    return found


def _simplify(formula: Any) -> Any:
    """Quantifiers eliminated (Spacer's answers project away local variables), then the
    smallest equivalent formula Z3 finds cheaply."""
    quick = z3.simplify(formula)
    if z3.is_true(quick) or z3.is_false(quick):
        return quick
    for steps in (("qe", "simplify", "ctx-solver-simplify", "simplify"), ("simplify",)):
        try:
            ctx = formula.ctx
            goal = z3.Goal(ctx=ctx)
            goal.add(formula)
            tactic = z3.Then(*steps, ctx=ctx) if len(steps) > 1 else z3.Tactic(steps[0], ctx)
            return z3.TryFor(tactic, 2000, ctx)(goal).as_expr()
        except z3.Z3Exception:
            continue
    return formula


def _drop_implied(formula: Any, domain: Sequence[Any]) -> Any:
    """Leave out conjuncts the declared domain implies (``x >= 0`` of an enum code)."""
    if not z3.is_and(formula) or not domain:
        return formula
    solver = z3.Solver(ctx=formula.ctx)
    solver.set("timeout", 1000)
    solver.add(*domain)
    kept = [part for part in formula.children() if solver.check(z3.Not(part)) != z3.unsat]
    return z3.And(*kept) if len(kept) > 1 else kept[0] if kept else z3.BoolVal(True, formula.ctx)


class Renderer:
    """Z3 terms over the machine's variables in archctl expression syntax."""

    def __init__(self, terms: Sequence[Any], types: Sequence[VarType]) -> None:
        self.enums = {
            term.decl().name(): var_type
            for term, var_type in zip(terms, types, strict=True)
            if var_type.kind is TypeKind.ENUM
        }

    def formula(self, node: Any) -> str:
        if z3.is_true(node):
            return "true"
        if z3.is_false(node):
            return "false"
        if z3.is_and(node) or z3.is_or(node):
            glue = " and " if z3.is_and(node) else " or "
            return glue.join(self._grouped(child) for child in node.children())
        if z3.is_not(node):
            inner = node.arg(0)
            if z3.is_app(inner) and inner.decl().kind() in _COMPARE and inner.num_args() == 2:
                return self._compare(inner, negated=True)
            return f"not {self._grouped(inner)}"
        if z3.is_app(node) and node.decl().kind() in _COMPARE and node.num_args() == 2:
            return self._compare(node, negated=False)
        if z3.is_implies(node):
            return f"not {self._grouped(node.arg(0))} or {self._grouped(node.arg(1))}"
        if z3.is_bool(node) and not z3.is_const(node):
            return _z3_text(node)
        return self.term(node)

    def _grouped(self, node: Any) -> str:
        text = self.formula(node)
        return f"({text})" if z3.is_and(node) or z3.is_or(node) else text

    def _compare(self, node: Any, negated: bool) -> str:
        op = _COMPARE[node.decl().kind()][1 if negated else 0]
        left, right = node.arg(0), node.arg(1)
        if _is_number(left) and not _is_number(right):  # 100 > x reads better as x < 100
            left, right, op = right, left, _MIRROR.get(op, op)
        if z3.is_int_value(right) and op in ("<", ">"):
            # integers: x < 1 reads better as x <= 0
            bound = right.as_long() + (-1 if op == "<" else 1)
            return f"{self.term(left)} {op}= {bound}"
        return f"{self.term(left, right)} {op} {self.term(right, left)}"

    def term(self, node: Any, other: Any = None) -> str:
        """``other`` is the opposite side of a comparison: an enum code shows as its name."""
        if z3.is_int_value(node) or z3.is_rational_value(node):
            if other is not None and z3.is_const(other) and other.decl().name() in self.enums:
                names = enum_names(self.enums[other.decl().name()])
                code = node.as_long()
                if 0 <= code < len(names):
                    return f'"{names[code]}"'
            return _number(node)
        if z3.is_true(node) or z3.is_false(node):
            return self.formula(node)
        if z3.is_const(node):
            return str(node.decl().name())
        if z3.is_add(node):
            out = self.term(node.arg(0))
            for child in node.children()[1:]:
                negative = _negated(child)
                if negative is not None:
                    out += f" - {self._factor(negative)}"
                else:
                    out += f" + {self._factor(child)}"
            return out
        if z3.is_mul(node):
            negative = _negated(node)
            if negative is not None:
                return f"-{self._factor(negative)}"
            return " * ".join(self._factor(child) for child in node.children())
        if z3.is_app_of(node, z3.Z3_OP_UMINUS):
            return f"-{self._factor(node.arg(0))}"
        if z3.is_bool(node):
            return f"({self.formula(node)})"
        return _z3_text(node)

    def _factor(self, node: Any) -> str:
        text = self.term(node)
        return f"({text})" if z3.is_add(node) else text


def _negated(node: Any) -> Any:
    """``x`` when ``node`` is ``-1 * x``, else None."""
    if z3.is_mul(node) and node.num_args() == 2:
        factor = node.arg(0)
        if (z3.is_int_value(factor) or z3.is_rational_value(factor)) and _number(factor) == "-1":
            return node.arg(1)
    return None


def _is_number(node: Any) -> bool:
    return bool(z3.is_int_value(node) or z3.is_rational_value(node))


def _number(node: Any) -> str:
    if z3.is_int_value(node):
        return str(node.as_long())
    fraction = node.as_fraction()
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return f"{fraction.numerator}/{fraction.denominator}"


def _z3_text(node: Any) -> str:
    """A shape archctl has no syntax for (a quantifier qe could not remove): Z3's notation."""
    return " ".join(str(node).split())
