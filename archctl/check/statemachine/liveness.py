"""SM203: `eventually` and `leads_to` properties, decided on the explicit configuration graph.

The explicit engine has already built every reachable configuration; a property fails when
:mod:`archctl.check.statemachine.lasso` finds a fair lasso that avoids its goal, and is
proved when none exists (the search is exhaustive, so that is a proof over all fair runs).
Machines whose domains are unbounded go to :mod:`archctl.check.statemachine.liveness_smt`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from archctl import codes
from archctl.check import CheckContext
from archctl.check.statemachine.evidence import Findings, Step
from archctl.check.statemachine.explicit import Space
from archctl.check.statemachine.lasso import Edge, Graph, Lasso, find_lasso
from archctl.evidence import Lasso as LassoEvidence
from archctl.model.evaluate import compile_expr
from archctl.model.expr import Expr
from archctl.model.statemachine import Property

ENGINE = "explicit fair-lasso search"


def check_liveness(space: Space, findings: Findings, context: CheckContext) -> None:
    machine = space.machine
    properties = [prop for prop in machine.properties if prop.is_liveness]
    if not properties:
        return
    graph = space_graph(space)
    starts = [config for config in range(len(space.state_of)) if space.parent[config] < 0]
    for prop in properties:
        lasso = property_lasso(space, graph, starts, prop)
        if lasso is None:
            context.prove(
                machine.name,
                codes.SM203,
                prop.name,
                ENGINE,
                f"no {machine.fairness}-fair run violates it among "
                f"{len(space.state_of):,} configurations",
            )
        else:
            findings.liveness_violated(prop, lasso_evidence(space, findings, lasso))


def space_graph(space: Space) -> Graph:
    machine = space.machine
    final_states = {i for i, state in enumerate(machine.states) if state.name in machine.final}
    return Graph(
        space.successors,
        space.labels,
        [transition.fair for transition in machine.transitions],
        [state in final_states for state in space.state_of],
    )


def property_lasso(space: Space, graph: Graph, starts: list[int], prop: Property) -> Lasso | None:
    assert prop.condition is not None
    if prop.kind == "eventually":
        return find_lasso(graph, space.machine.fairness, starts, _holds(space, prop.condition))
    assert prop.target is not None
    source = _holds(space, prop.condition)
    return find_lasso(
        graph, space.machine.fairness, starts, _holds(space, prop.target), trigger=source
    )


def _holds(space: Space, condition: Expr) -> list[bool]:
    test: Callable[[Mapping[str, Any]], Any] = compile_expr(condition)
    names = [state.name for state in space.machine.states]
    out = []
    for config in range(len(space.state_of)):
        env = space.env(config)
        env["state"] = names[space.state_of[config]]
        out.append(bool(test(env)))
    return out


def lasso_evidence(space: Space, findings: Findings, lasso: Lasso) -> LassoEvidence:
    return LassoEvidence(
        space.machine.fairness,
        _steps(space, findings, lasso.prefix),
        _steps(space, findings, lasso.loop),
    )


def _steps(space: Space, findings: Findings, edges: tuple[Edge, ...]) -> tuple[Any, ...]:
    transitions = space.machine.transitions
    states = space.machine.states
    steps = [
        Step(
            states[space.state_of[config]].name,
            space.env(config),
            None if label < 0 else transitions[label],
        )
        for label, config in edges
    ]
    trace = findings.trace(steps)
    return () if trace is None else trace.steps
