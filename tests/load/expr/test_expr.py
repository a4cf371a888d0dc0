"""Expression parser, type checker, evaluator, and the agreement of the Python and Z3 back ends."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archctl.check.smt import Compiler, Outcome, constant, declare, new_solver, solve
from archctl.load.expr.parse import parse_action, parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.model.evaluate import apply_action, compile_expr, evaluate
from archctl.model.expr import Expr, to_source
from archctl.model.types import BOOL, IP, REAL, TypeKind, VarType, enum_type
from archctl.source import Span

SCOPE = {
    "x": VarType(TypeKind.INT, Fraction(-50), Fraction(50)),
    "y": VarType(TypeKind.INT, Fraction(0), Fraction(10)),
    "r": REAL,
    "flag": BOOL,
    "tier": enum_type(("standard", "gold", "platinum")),
    "src": IP,
}


def locate(start: int, end: int) -> Span:
    return Span("e", 1, start + 1, 1, max(start + 1, end))


def typed(text: str) -> Expr:
    expr, problems = parse_expression(text, locate)
    assert expr is not None and not problems, problems
    checker = TypeChecker(SCOPE)
    result = checker.condition(expr)
    assert result is not None, checker.diagnostics
    return result


ENV = {"x": 3, "y": 7, "r": Fraction(1, 4), "flag": True, "tier": "gold", "src": 167772167}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 2 * y > 16", True),
        ("x - y == -4", True),
        ("not flag or x > 100", False),
        ('tier in ["gold", "platinum"]', True),
        ('tier not in ["gold"]', False),
        ('src in "10.0.0.0/8"', True),
        ('src not in "10.0.0.0/24"', False),
        ('src == "10.0.0.7"', True),
        ("r <= 0.25 and r > 0.2", True),
        ("-x < 0", True),
        ("(x > 1 or y > 100) and flag", True),
    ],
)
def test_evaluate(text: str, expected: bool) -> None:
    assert evaluate(typed(text), ENV) is expected


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("x >", "LD007", 4),
        ("x = 1", "LD007", 3),
        ("x > 1 and", "LD007", 10),
        ("tier == 'gold'", "LD007", 9),
        ("", "LD007", 1),
    ],
)
def test_syntax_errors(text: str, code: str, column: int) -> None:
    expr, problems = parse_expression(text, locate)
    assert expr is None
    assert [(p.code, p.span.column if p.span else 0) for p in problems] == [(code, column)]


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("x * y > 1", "LD008", 1),
        ('tier == "silver"', "LD008", 9),
        ("x > flag", "LD008", 5),
        ("x + 1", "LD008", 1),
        ('flag in "10.0.0.0/8"', "LD008", 1),
        ('src == "300.1.1.1"', "LD008", 8),
        ("zz > 1", "LD005", 1),
        ("not x", "LD008", 1),
    ],
)
def test_type_errors(text: str, code: str, column: int) -> None:
    expr, problems = parse_expression(text, locate)
    assert expr is not None and not problems
    checker = TypeChecker(SCOPE)
    assert checker.condition(expr) is None
    assert [(d.code, d.span.column if d.span else 0) for d in checker.diagnostics] == [
        (code, column)
    ]


def test_actions_are_sequential_and_typed() -> None:
    action, problems = parse_action("x = x + 1; y = x; flag = any", locate)
    assert action is not None and not problems
    checker = TypeChecker(SCOPE)
    checked = checker.action(action)
    assert checked is not None
    after = apply_action(checked, ENV, lambda name: False)
    assert (after["x"], after["y"], after["flag"]) == (4, 4, False)
    bad, _ = parse_action("y = r; band = 1", locate)
    assert bad is not None
    assert TypeChecker(SCOPE).action(bad) is None


def test_readonly_names_cannot_be_assigned() -> None:
    action, _ = parse_action('tier = "gold"', locate)
    assert action is not None
    checker = TypeChecker(SCOPE, readonly=frozenset({"tier"}))
    assert checker.action(action) is None
    assert checker.diagnostics[0].code == "LD008"


def test_to_source_round_trips() -> None:
    for text in [
        "not (x > 1 and y < 2)",
        'tier in ["gold"] or src in "10.0.0.0/8"',
        "x - (y - 1) > 0",
    ]:
        expr = typed(text)
        again = typed(to_source(expr))
        assert to_source(again) == to_source(expr)
        assert evaluate(again, ENV) == evaluate(expr, ENV)


# -- property: the Python evaluator and the Z3 compiler agree ---------------------------------

INT_NAMES = ("x", "y")


def int_terms() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(INT_NAMES), st.integers(-20, 20).map(str))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(st.integers(-3, 3), inner).map(lambda t: f"{t[0]} * {t[1]}"),
        ),
        max_leaves=4,
    )


def conditions() -> st.SearchStrategy[str]:
    atom = st.one_of(
        st.tuples(
            int_terms(), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), int_terms()
        ).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.just("flag"),
        st.lists(st.sampled_from(["standard", "gold", "platinum"]), min_size=1, max_size=3).map(
            lambda vs: "tier in [" + ", ".join(f'"{v}"' for v in vs) + "]"
        ),
        st.sampled_from(['src in "10.0.0.0/8"', 'src == "10.0.0.7"', "r > 0.5"]),
    )
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"not ({e})"),
        ),
        max_leaves=5,
    )


valuations = st.fixed_dictionaries(
    {
        "x": st.integers(-50, 50),
        "y": st.integers(0, 10),
        "r": st.fractions(0, 1, max_denominator=8),
        "flag": st.booleans(),
        "tier": st.sampled_from(["standard", "gold", "platinum"]),
        "src": st.sampled_from([0, 167772167, 167772417, 3232235777]),
    }
)


@settings(max_examples=150, deadline=None)
@given(conditions(), valuations)
def test_python_and_z3_agree(text: str, env: dict[str, object]) -> None:
    import z3

    expr = typed(text)
    python_value = compile_expr(expr)(env)
    variables = {name: declare(name, var_type) for name, var_type in SCOPE.items()}
    term = Compiler({name: var.term for name, var in variables.items()}).expr(expr)
    solver = new_solver(5000)
    for name, var in variables.items():
        solver.add(var.term == constant(env[name], var.type))  # type: ignore[arg-type]
    solver.add(term if python_value else z3.Not(term))
    assert solve(solver) is Outcome.SAT
