"""Run the exploration of one system and turn what it saw into findings and proofs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archctl import codes
from archctl.check import CheckContext
from archctl.check.system.explore import Exploration, Explorer
from archctl.check.system.findings import SystemFindings
from archctl.diagnostics import Diagnostic
from archctl.model.evaluate import compile_expr
from archctl.model.expr import names_in
from archctl.model.statemachine import StateMachine
from archctl.model.system import System, SystemProperty
from archctl.model.system_compiled import SystemModel, Unbounded, compile_system
from archctl.model.system_ops import Config, replica_values

ENGINE = "explicit-state breadth-first search"


def environment(model: SystemModel, config: Config) -> dict[str, Any]:
    """Property names: ``C.state``, ``C.VAR``, ``C[i].state``, ``C[i].VAR``."""
    return replica_values(model, config, aliases=True)


def conditions(model: SystemModel) -> dict[str, Callable[[Config], bool]]:
    """One detector per safety property: true where it is violated (always/never) or met."""
    out: dict[str, Callable[[Config], bool]] = {}
    for prop in model.system.properties:
        if prop.kind not in ("always", "never", "reachable"):
            continue
        compiled = compile_expr(prop.condition)
        negate = prop.kind == "always"

        def detect(config: Config, test: Any = compiled, flip: bool = negate) -> bool:
            return bool(test(environment(model, config))) != flip

        out[prop.name] = detect
    return out


def visible_fields(model: SystemModel) -> set[tuple[int, int]]:
    """(replica, position) pairs the properties read: steps changing them are visible."""
    read: set[str] = set()
    for prop in model.system.properties:
        for expr in (prop.condition, prop.target):
            if expr is not None:
                read |= names_in(expr)
    out: set[tuple[int, int]] = set()
    for actor, instance in enumerate(model.instances):
        fields = ["state", *(variable.name for variable in instance.variables)]
        prefixes = [f"{instance.component.name}[{instance.index}]"]
        if instance.component.count is None:
            prefixes.append(instance.component.name)
        for position, name in enumerate(fields):
            if any(f"{prefix}.{name}" in read for prefix in prefixes):
                out.add((actor, position))
    return out


def verify_system(
    system: System,
    machines: dict[str, StateMachine],
    context: CheckContext,
    budget: int,
    reduce: bool = True,
) -> list[Diagnostic]:
    """Findings of one system; ``reduce=False`` explores every interleaving (the oracle the
    differential tests compare the reductions against)."""
    model = compile_system(system, machines)
    explorer = Explorer(
        model,
        por=reduce,
        symmetry=reduce,
        budget=budget,
        conditions=conditions(model),
        visible=visible_fields(model),
        edges=model.can_finish,
    )
    findings = SystemFindings(explorer, context)
    try:
        result = explorer.run()
    except Unbounded as error:
        findings.inconclusive(
            "the system was not explored: " + str(error),
            ["every check of this system"],
            "give the variable an `initial` value or a small `range`",
        )
        return findings.out
    findings.note = _note(model, result)
    findings.faults()
    findings.deadlocks()
    findings.leftovers()
    if result.complete:
        findings.termination()
        findings.unreached()
        findings.dead_transitions()
    for prop in system.properties:
        _property(findings, prop, result)
    _liveness(findings, model, budget)
    if result.complete:
        findings.proved_clean()
    else:
        findings.budget_hit()
    return findings.out


def _property(findings: SystemFindings, prop: SystemProperty, result: Exploration) -> None:
    if prop.kind in ("eventually", "leads_to"):
        return  # decided by _liveness on an unreduced exploration
    hit = result.hits.get(prop.name)
    if prop.kind == "reachable":
        if hit is not None:
            findings.prove(codes.SY202, prop.name, f"reached after {findings.depth(hit)} step(s)")
        elif result.complete:
            findings.unreachable_property(prop)
        return
    if hit is not None:
        findings.violated(prop, hit)
    elif result.complete:
        findings.prove(codes.SY201, prop.name, f"{result.size:,} configurations")


def _liveness(findings: SystemFindings, model: SystemModel, budget: int) -> None:
    """``eventually``/``leads_to``: a fair-lasso search over every interleaving."""
    from archctl.check.system.liveness import FairCycles

    props = [p for p in model.system.properties if p.kind in ("eventually", "leads_to")]
    if not props:
        return
    explorer = Explorer(model, por=False, symmetry=False, budget=budget, edges=True)
    result = explorer.run()
    if not result.complete:
        for prop in props:
            findings.inconclusive(
                f"liveness property '{prop.name}' needs every interleaving and the search "
                f"stopped at the budget of {budget:,} configurations",
                [f"property '{prop.name}'"],
                "raise --max-states (or max-states in config), shrink ranges or counts",
                subject=prop.name,
                span=prop.span,
            )
        return
    fairness = model.system.fairness
    cycles = FairCycles(explorer, fairness)
    envs = [environment(model, explorer.decode(n)) for n in range(result.size)]
    initial = {node for node in range(result.size) if result.parent[node] == -1}
    for prop in props:
        if prop.kind == "eventually":
            starts = initial
            goal = compile_expr(prop.condition)
        else:
            assert prop.target is not None
            start = compile_expr(prop.condition)
            starts = {node for node in range(result.size) if start(envs[node])}
            goal = compile_expr(prop.target)
        reached = {node for node in range(result.size) if goal(envs[node])}
        found = cycles.violation(starts.__contains__, reached.__contains__)
        if found is None:
            findings.prove(
                codes.SY203, prop.name, f"{result.size:,} configurations, {fairness} fairness"
            )
        else:
            findings.liveness_violated(prop, found.lasso)


def _note(model: SystemModel, result: Exploration) -> str:
    reductions = []
    if result.reduced:
        reductions.append(f"partial-order (ample sets at {result.reduced:,} configurations)")
    for start, end in model.groups:
        component = model.instances[start].component
        reductions.append(f"symmetry over {component.name}[0..{end - start - 1}]")
    applied = "; reductions: " + ", ".join(reductions) if reductions else "; no reduction applied"
    return f"explored {result.size:,} configurations breadth-first{applied}"
