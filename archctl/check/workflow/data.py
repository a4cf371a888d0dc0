"""The data abstraction of the token game: which values of which variables are tracked.

Only variables that gateway conditions read (directly, or through the `sets` assignments
of variables they read) matter; the rest are dropped. Each relevant variable is tracked

* by **regions** when every condition atom that mentions it mentions nothing else and it
  is only ever assigned constants or ``any``: two values that agree on every such atom are
  interchangeable for the whole workflow, so one representative per region is exact. The
  regions are found by enumerating the satisfiable truth vectors of its atoms with Z3 (for
  finite small types by evaluating every value);
* **exactly** otherwise (arithmetic such as ``rounds = rounds + 1``), which needs a finite
  small domain wherever the environment picks a value (no ``initial``, or ``= any``).

A variable that fits neither is *undecided*: the token game is not run and the checker
reports WF901 instead of a verdict it could not prove (see docs/workflows.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from archctl.check.domains import finite_domain
from archctl.evidence import Value
from archctl.model.evaluate import Compiled, compile_expr
from archctl.model.expr import Binary, Expr, Unary, names_in
from archctl.model.types import TypeKind, VarType
from archctl.model.workflow import Workflow

#: largest domain enumerated value by value
SMALL_DOMAIN = 256
#: most regions accepted for one variable
MAX_REGIONS = 512

Values = tuple[Any, ...]


@dataclass
class DataModel:
    names: tuple[str, ...]
    choices: list[list[Any]]  # per tracked variable: the values `any` may pick
    canon: list[Callable[[Any], Any]]
    initial: list[list[Any]]
    undecided: list[str]
    reasons: list[str]

    def initial_valuations(self) -> Iterator[Values]:
        yield from itertools.product(*self.initial)

    def env(self, values: Values) -> dict[str, Any]:
        return dict(zip(self.names, values, strict=False))


def atoms(expr: Expr) -> Iterator[Expr]:
    """The comparisons and boolean names an expression combines with and/or/not."""
    if isinstance(expr, Binary) and expr.op in ("and", "or"):
        yield from atoms(expr.left)
        yield from atoms(expr.right)
    elif isinstance(expr, Unary) and expr.op == "not":
        yield from atoms(expr.operand)
    else:
        yield expr


def conditions_of(workflow: Workflow) -> list[Expr]:
    kinds = {node.id: node.gateway for node in workflow.nodes if node.type == "gateway"}
    return [
        flow.when
        for flow in workflow.flows
        if flow.when is not None and kinds.get(flow.source) in ("exclusive", "inclusive")
    ]


def build_data(workflow: Workflow, timeout_ms: int) -> DataModel:
    declared = {variable.name: variable for variable in workflow.variables}
    conditions = conditions_of(workflow)
    assignments = [a for node in workflow.nodes for a in node.sets if a.target in declared]
    relevant: set[str] = set()
    for condition in conditions:
        relevant |= names_in(condition)
    changed = True
    while changed:
        changed = False
        for assignment in assignments:
            if assignment.target in relevant and assignment.value is not None:
                extra = names_in(assignment.value) - relevant
                if extra:
                    relevant |= extra
                    changed = True
    relevant &= set(declared)
    all_atoms = [atom for condition in conditions for atom in atoms(condition)]
    model = DataModel((), [], [], [], [], [])
    names = []
    for name in sorted(relevant):
        variable = declared[name]
        mine = [atom for atom in all_atoms if name in names_in(atom)]
        own = [a for a in assignments if a.target == name]
        read_elsewhere = any(
            a.value is not None and name in names_in(a.value)
            for a in assignments
            if a.target in relevant
        )
        region_ok = (
            all(names_in(atom) == {name} for atom in mine)
            and not read_elsewhere
            and all(a.value is None or not names_in(a.value) for a in own)
        )
        needs_choice = variable.initial is None or any(a.value is None for a in own)
        picks: list[Any] | None
        if region_ok:
            picks, why = _regions(name, variable.type, mine, timeout_ms)
            if picks is None:
                model.undecided.append(name)
                model.reasons.append(why)
                continue
            if variable.initial is not None:
                picks = _prefer(name, mine, picks, variable.initial)
            canon = _region_canon(name, mine, picks)
        else:
            canon = _identity
            picks = _domain(variable.type)
            if picks is None and needs_choice:
                model.undecided.append(name)
                model.reasons.append(
                    "compared with other variables or computed by arithmetic, with too many "
                    "values for the environment to pick from"
                )
                continue
        names.append(name)
        model.choices.append(picks or [])
        model.canon.append(canon)
        model.initial.append(
            (picks or []) if variable.initial is None else [canon(variable.initial)]
        )
    model.names = tuple(names)
    return model


def _identity(value: Any) -> Any:
    return value


def _domain(var_type: VarType) -> list[Any] | None:
    return finite_domain(var_type, SMALL_DOMAIN)


def _signature(tests: list[Compiled], name: str, value: Any) -> tuple[bool, ...]:
    env = {name: value}
    return tuple(bool(test(env)) for test in tests)


def _prefer(name: str, mine: list[Expr], picks: list[Any], initial: Any) -> list[Any]:
    """Let the declared initial value represent its own region.

    Any member of a region is exact for the analysis, but traces and witnesses show the
    representative to the user (and `simulate --replay` checks it): the value a run really
    starts with is the one to show.
    """
    tests = [compile_expr(atom) for atom in mine]
    wanted = _signature(tests, name, initial)
    return [initial if _signature(tests, name, pick) == wanted else pick for pick in picks]


def _region_canon(name: str, mine: list[Expr], picks: list[Any]) -> Callable[[Any], Any]:
    tests = [compile_expr(atom) for atom in mine]
    table: dict[tuple[bool, ...], Any] = {}
    for pick in picks:
        table.setdefault(_signature(tests, name, pick), pick)

    def canon(value: Any) -> Any:
        return table.setdefault(_signature(tests, name, value), value)

    return canon


def _regions(
    name: str, var_type: VarType, mine: list[Expr], timeout_ms: int
) -> tuple[list[Any] | None, str]:
    """One representative value per satisfiable truth vector of the variable's atoms."""
    domain = _domain(var_type)
    tests = [compile_expr(atom) for atom in mine]
    if domain is not None:
        seen: dict[tuple[bool, ...], Any] = {}
        for value in domain:
            seen.setdefault(_signature(tests, name, value), value)
        return list(seen.values()), ""
    if not mine:
        return [_any_value(var_type)], ""
    import z3

    from archctl.check import smt

    # A fresh context: the values Z3 picks (shown in traces and witnesses) then depend on
    # this variable's atoms alone, not on the queries earlier specs made in this process.
    ctx = z3.Context()
    var = smt.declare(name, var_type, ctx=ctx)
    compiler = smt.Compiler({name: var.term}, ctx)
    terms = [compiler.expr(atom) for atom in mine]
    solver = smt.new_solver(timeout_ms, ctx)
    solver.add(*var.domain())
    out: list[Any] = []
    while len(out) < MAX_REGIONS:
        outcome = smt.solve(solver)
        if outcome is smt.Outcome.UNSAT:
            return out, ""
        if outcome is smt.Outcome.UNKNOWN:
            return None, f"the solver could not split the values of '{name}' into regions"
        model = solver.model()
        found: Value = smt.value_of(model, var)
        out.append(found)
        signature = _signature(tests, name, found)
        solver.add(smt.differs(terms, signature))
    return None, f"'{name}' has more than {MAX_REGIONS} distinguishable regions"


def _any_value(var_type: VarType) -> Any:
    kind = var_type.kind
    if kind is TypeKind.STRING:
        return ""
    if kind in (TypeKind.INT, TypeKind.REAL, TypeKind.IP):
        return var_type.low if var_type.low is not None else 0
    return False
