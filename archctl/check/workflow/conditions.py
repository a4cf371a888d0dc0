"""Gateway conditions: WF107 (not exhaustive), WF108 (overlap), WF109 (never holds).

When the token game ran, the valuations a gateway is actually offered a token with are
known exactly (region representatives, see wf_data), so these checks take the initial
values and the `sets` effects of earlier tasks into account: a condition on a flag that
no task ever sets is reported as never holding. When the data could not be abstracted,
the conditions are checked with Z3 over every valuation of the declared types instead
(what may happen rather than what does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archctl import codes
from archctl.check.workflow.fire import Rules
from archctl.check.workflow.graph import Arc, Net
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Value, Witness
from archctl.model.expr import Expr, names_in, to_source
from archctl.source import Span


def _guarded_arcs(net: Net, node: int) -> tuple[list[Arc], bool]:
    arcs = [net.arcs[a] for a in net.outputs[node]]
    guarded = [arc for arc in arcs if arc.flow is not None and arc.flow.when is not None]
    has_default = any(arc.flow is not None and arc.flow.default for arc in arcs)
    return guarded, has_default


def choice_gateways(net: Net) -> Iterable[int]:
    """Exclusive/inclusive gateways with conditions on every flow (or the default).

    A gateway mixing conditioned and plain flows is a WF101 error and is not checked here.
    """
    for index, node in enumerate(net.nodes):
        if node.type != "gateway" or node.gateway not in ("exclusive", "inclusive"):
            continue
        flows = [net.arcs[a].flow for a in net.outputs[index]]
        if any(f is not None and f.when is not None for f in flows) and all(
            f is not None and (f.when is not None or f.default) for f in flows
        ):
            yield index


def _when_span(arc: Arc) -> Span:
    flow = arc.flow
    return flow.when.span if flow is not None and flow.when is not None else arc.span


def _cond(arc: Arc) -> Expr:
    assert arc.flow is not None and arc.flow.when is not None
    return arc.flow.when


def _reads(arcs: list[Arc]) -> set[str]:
    out: set[str] = set()
    for arc in arcs:
        if arc.flow is not None and arc.flow.when is not None:
            out |= names_in(arc.flow.when)
    return out


def _diag(
    code: Code, message: str, span: Span, spec: str, subject: str, values: dict[str, Value] | None
) -> Diagnostic:
    evidence = None if values is None else Witness(values)
    return Diagnostic(code, default_severity(code), message, span, spec, subject, evidence)


class _Witness:
    """Picks the variables a gateway's conditions read out of a tracked valuation."""

    def __init__(self, names: tuple[str, ...], reads: set[str]) -> None:
        self.names = names
        self.reads = reads

    def __call__(self, values: tuple[Any, ...]) -> dict[str, Value]:
        return {n: v for n, v in zip(self.names, values, strict=False) if n in self.reads}


def from_runs(net: Net, rules: Rules, complete: bool) -> list[Diagnostic]:
    """Check conditions against the valuations each gateway meets in the token game.

    A hole or an overlap seen is real whatever the search covered; "never holds" and "never
    taken" are claims about all runs, made only when the search was ``complete``.
    """
    out: list[Diagnostic] = []
    spec = net.workflow.name
    names = rules.data.names
    for node in choice_gateways(net):
        seen = rules.seen.get(node)
        if not seen:
            continue
        gateway = net.nodes[node]
        guarded, has_default = _guarded_arcs(net, node)
        reads = _reads(guarded)
        valuations = sorted(seen, key=lambda v: seen[v])
        witness = _Witness(names, reads)

        truth = {arc.index: [rules.holds(arc.index, v) for v in valuations] for arc in guarded}
        for arc in guarded:
            if complete and not any(truth[arc.index]):
                message = (
                    f"condition '{to_source(_cond(arc))}' of flow '{arc.label}' never holds "
                    "when a token reaches the gateway: the branch is dead"
                )
                out.append(_diag(codes.WF109, message, _when_span(arc), spec, gateway.id, None))
        if not has_default:
            for i, values in enumerate(valuations):
                if not any(truth[arc.index][i] for arc in guarded):
                    message = (
                        f"gateway '{gateway.id}' has no default and none of its conditions holds "
                        "for a valuation that reaches it: the token gets stuck"
                    )
                    out.append(
                        _diag(codes.WF107, message, gateway.span, spec, gateway.id, witness(values))
                    )
                    break
        if gateway.gateway != "exclusive":
            continue
        for later_pos, later in enumerate(guarded):
            for earlier in guarded[:later_pos]:
                both = [
                    i
                    for i in range(len(valuations))
                    if truth[earlier.index][i] and truth[later.index][i]
                ]
                if not both:
                    continue
                ever_first = any(
                    truth[later.index][i]
                    and not any(truth[e.index][i] for e in guarded[:later_pos])
                    for i in range(len(valuations))
                )
                message = (
                    f"conditions of '{earlier.label}' and '{later.label}' can hold together; the "
                    f"first listed wins"
                    + ("" if ever_first or not complete else f", so '{later.label}' is never taken")
                )
                out.append(
                    _diag(
                        codes.WF108,
                        message,
                        _when_span(later),
                        spec,
                        gateway.id,
                        witness(valuations[both[0]]),
                    )
                )
    return out


class _Query:
    """Satisfiability of goals over one gateway's variables within their declared types."""

    def __init__(self, variables: dict[str, Any], timeout_ms: int, ctx: Any) -> None:
        self.variables = variables
        self.ctx = ctx
        self.domain = [c for v in variables.values() for c in v.domain()]
        self.timeout_ms = timeout_ms
        self.unknown = False

    def __call__(self, *goal: Any) -> dict[str, Value] | None:
        """A model of the goal, or None when unsatisfiable (or unknown, which is recorded)."""
        from archctl.check import smt

        solver = smt.new_solver(self.timeout_ms, self.ctx)
        solver.add(*self.domain, *goal)
        outcome = smt.solve(solver)
        if outcome is smt.Outcome.UNKNOWN:
            self.unknown = True
            return None
        if outcome is smt.Outcome.UNSAT:
            return None
        model = solver.model()
        return {n: smt.value_of(model, v) for n, v in self.variables.items()}


def over_domains(net: Net, timeout_ms: int) -> tuple[list[Diagnostic], list[str]]:
    """Check conditions with Z3 over every valuation of the declared types.

    Returns the findings and the names of gateways where the solver answered unknown.
    Each gateway gets a fresh Z3 context: the witnesses Z3 picks then depend on that
    gateway's conditions alone, not on what an earlier query in this process asked (the
    library API, the language server and ``verify --jobs`` workers run many specs in one
    process, and must print what a fresh ``archctl verify`` prints).
    """
    import z3

    from archctl.check import smt

    declared = {variable.name: variable for variable in net.workflow.variables}
    spec = net.workflow.name
    out: list[Diagnostic] = []
    unknown: list[str] = []
    for node in choice_gateways(net):
        gateway = net.nodes[node]
        guarded, has_default = _guarded_arcs(net, node)
        ctx = z3.Context()
        variables = {
            n: smt.declare(n, declared[n].type, ctx=ctx)
            for n in sorted(_reads(guarded))
            if n in declared
        }
        compiler = smt.Compiler({n: v.term for n, v in variables.items()}, ctx)
        terms = {arc.index: compiler.expr(_cond(arc)) for arc in guarded}
        query = _Query(variables, timeout_ms, ctx)
        for arc in guarded:
            if query(terms[arc.index]) is None and not query.unknown:
                message = (
                    f"condition '{to_source(_cond(arc))}' of flow '{arc.label}' can never hold"
                )
                out.append(_diag(codes.WF109, message, _when_span(arc), spec, gateway.id, None))
        if not has_default:
            hole = query(*[z3.Not(terms[arc.index]) for arc in guarded])
            if hole is not None:
                message = (
                    f"gateway '{gateway.id}' has no default and none of its conditions may hold"
                )
                out.append(_diag(codes.WF107, message, gateway.span, spec, gateway.id, hole))
        if gateway.gateway == "exclusive":
            for later_pos, later in enumerate(guarded):
                for earlier in guarded[:later_pos]:
                    both = query(terms[earlier.index], terms[later.index])
                    if both is not None:
                        message = (
                            f"conditions of '{earlier.label}' and '{later.label}' can hold "
                            "together; the first listed wins"
                        )
                        out.append(
                            _diag(codes.WF108, message, _when_span(later), spec, gateway.id, both)
                        )
        if query.unknown:
            unknown.append(gateway.id)
    return out, unknown
