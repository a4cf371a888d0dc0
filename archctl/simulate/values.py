"""Values chosen by the environment (``any``, variables without ``initial``) and compiled actions.

The simulator draws one concrete value where the checkers consider all of them. Draws use the
instance's own seeded generator, so a run is reproducible. Strings and addresses have no finite
range; they are drawn among the literals the spec compares them with (plus one value that
matches none of them), which is what makes branches on them reachable in a simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

from archctl.model.evaluate import compile_expr
from archctl.model.expr import Action, Binary, Compare, Expr, InCidr, Literal, Member, Name, Unary
from archctl.model.types import TypeKind, Variable, VarType
from archctl.simulate.keyed import Source

Draw = Callable[[Source], Any]
Env = dict[str, Any]
#: One compiled assignment: target, compiled value (None for ``any``), draw for ``any``.
CompiledAssignment = tuple[str, Callable[[Env], Any] | None, Draw | None]

#: Bounds used for an int or real variable declared without a range (documented).
UNBOUNDED_LOW, UNBOUNDED_HIGH = -1000, 1000
#: The string drawn when none of the literals is chosen: equal to no literal of the spec.
OTHER_STRING = "other"


def literals(exprs: Iterable[Expr]) -> tuple[list[str], list[int]]:
    """String and IPv4 literals of the given expressions, sorted (the pools for ``any``)."""
    strings: set[str] = set()
    addresses: set[int] = set()
    for expr in exprs:
        for node in _walk(expr):
            if isinstance(node, Literal) and node.type is not None:
                if node.type.kind is TypeKind.STRING and isinstance(node.value, str):
                    strings.add(node.value)
                elif node.type.kind is TypeKind.IP and isinstance(node.value, int):
                    addresses.add(node.value)
            elif isinstance(node, InCidr):
                addresses.add(node.low)
    return sorted(strings), sorted(addresses)


def names(exprs: Iterable[Expr]) -> frozenset[str]:
    """The variables the given expressions read."""
    return frozenset(n.name for e in exprs for n in _walk(e) if isinstance(n, Name))


def _walk(expr: Expr) -> Iterator[Expr]:
    yield expr
    if isinstance(expr, Unary):
        yield from _walk(expr.operand)
    elif isinstance(expr, (Binary, Compare)):
        yield from _walk(expr.left)
        yield from _walk(expr.right)
    elif isinstance(expr, Member):
        yield from _walk(expr.element)
        for item in expr.items:
            yield from _walk(item)
    elif isinstance(expr, InCidr):
        yield from _walk(expr.element)


def _bound(value: Fraction | None, fallback: int) -> Fraction:
    return Fraction(fallback) if value is None else value


def string_pool(strings: list[str]) -> list[str]:
    """What a string ``any`` draws among: the spec's literals and one value equal to none."""
    return [*strings, OTHER_STRING] if OTHER_STRING not in strings else list(strings)


def number_range(var_type: VarType) -> tuple[Fraction, Fraction]:
    """The range an int or real ``any`` draws from (documented defaults for open bounds)."""
    low = _bound(var_type.low, UNBOUNDED_LOW if var_type.high is None else 0)
    high = _bound(var_type.high, UNBOUNDED_HIGH)
    if var_type.high is None and var_type.low is not None:
        high = low + (UNBOUNDED_HIGH - UNBOUNDED_LOW)
    if var_type.low is None and var_type.high is not None:
        low = high - (UNBOUNDED_HIGH - UNBOUNDED_LOW)
    return low, high


def int_range(var_type: VarType) -> tuple[int, int]:
    """First and last integer an int ``any`` can take."""
    low, high = number_range(var_type)
    first, last = int(-((-low) // 1)), int(high // 1)  # ceil(low), floor(high)
    return first, max(first, last)  # a range holding no integer: the loader's concern


def draws_per_value(var_type: VarType, addresses: list[int]) -> int:
    """How many draws :func:`drawer` takes for one value: always the same for a type, so
    the cohort engine knows where the next value's draws start."""
    return 2 if var_type.kind is TypeKind.IP and addresses else 1


def drawer(var_type: VarType, strings: list[str], addresses: list[int]) -> Draw:
    """A function drawing one value of ``var_type`` from a seeded generator."""
    kind = var_type.kind
    if kind is TypeKind.BOOL:
        return lambda rng: rng.random() < 0.5
    if kind is TypeKind.ENUM:
        choices = var_type.values
        return lambda rng: choices[int(rng.random() * len(choices))]
    if kind is TypeKind.STRING:
        pool = string_pool(strings)
        return lambda rng: pool[int(rng.random() * len(pool))]
    if kind is TypeKind.IP:
        ips = list(addresses)
        return lambda rng: (
            ips[int(rng.random() * len(ips))] if ips and rng.random() < 0.5 else rng.getrandbits(32)
        )
    if kind is TypeKind.INT:
        first, last = int_range(var_type)
        return lambda rng: rng.randint(first, last)
    low, high = number_range(var_type)
    start, stop = float(low), float(high)
    return lambda rng: rng.uniform(start, stop)


def initial_values(
    variables: tuple[Variable, ...], strings: list[str], addresses: list[int]
) -> tuple[Env, list[tuple[str, Draw]]]:
    """The fixed initial valuation and, in declaration order, the variables drawn per run."""
    fixed: Env = {}
    drawn: list[tuple[str, Draw]] = []
    for variable in variables:
        if variable.initial is None:
            drawn.append((variable.name, drawer(variable.type, strings, addresses)))
        else:
            fixed[variable.name] = variable.initial
    return fixed, drawn


def compile_action(
    action: Action, types: dict[str, VarType], strings: list[str], addresses: list[int]
) -> tuple[CompiledAssignment, ...]:
    """Compile ``sets``/``do`` once; assignments run in order, each seeing the previous."""
    out: list[CompiledAssignment] = []
    for assignment in action:
        if assignment.value is None:
            draw = drawer(types[assignment.target], strings, addresses)
            out.append((assignment.target, None, draw))
        else:
            out.append((assignment.target, compile_expr(assignment.value), None))
    return tuple(out)


def apply(assignments: tuple[CompiledAssignment, ...], env: Env, rng: Source) -> None:
    """Run compiled assignments on ``env`` in place."""
    for target, value, draw in assignments:
        env[target] = value(env) if value is not None else draw(rng)  # type: ignore[misc]
