"""Workflow checker: structure, soundness by the token game, gateway conditions, retries.

The order matters for cost: cheap graph checks first; the token game only when there is
exactly one start; Z3 only when conditions read variables whose values cannot simply be
enumerated. A model without conditions never imports z3.
"""

from __future__ import annotations

from archctl import codes
from archctl.check import CheckContext
from archctl.check.workflow.conditions import from_runs, over_domains
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.check.workflow.proofs import (
    prove_gateways_over_domains,
    prove_structure,
    prove_token_game,
)
from archctl.check.workflow.soundness import Soundness
from archctl.check.workflow.structure import (
    reachable,
    retry_policies,
    structure,
    subprocesses,
    unreachable,
)
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic, sort_diagnostics
from archctl.model.spec import Spec
from archctl.model.workflow import Workflow


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    if not isinstance(spec, Workflow):
        return []
    net = build_net(spec)
    seen = reachable(net)
    out = structure(net) + unreachable(net, seen)
    out += retry_policies(spec, context.specs) + subprocesses(spec, context.specs)
    if len(net.starts) != 1:
        if spec.sla_ms is not None:
            out.append(_inconclusive(spec, "the sla is not proved: it needs exactly one start"))
        return sort_diagnostics(out)
    prove_structure(context, net, seen)
    options = context.options
    data = build_data(spec, options.timeout_ms)
    if data.undecided:
        found, unknown = over_domains(net, options.timeout_ms)
        out += found
        prove_gateways_over_domains(context, net, found, unknown)
        reasons = "; ".join(dict.fromkeys(data.reasons))
        message = (
            "soundness not proved: the token game needs the values of "
            + ", ".join(repr(n) for n in data.undecided)
            + f", which this analysis cannot track ({reasons})"
        )
        out.append(_inconclusive(spec, message))
        if spec.sla_ms is not None:
            out.append(_inconclusive(spec, "the sla is not proved: the token game does not run"))
        if unknown:
            out.append(_inconclusive(spec, f"the solver answered unknown on gateways {unknown}"))
        return sort_diagnostics(out)
    if spec.sla_ms is not None:
        from archctl.check.workflow.sla import check_sla

        out += check_sla(spec, net, data, context)
    explorer = Explorer(net, data, options.max_states)
    explored = explorer.run()
    out += Soundness(net, data, explored, spec.name, explorer).check(seen)
    complete = not (explored.bound_hit or explored.unsafe_stop or explored.truncated)
    out += from_runs(net, explorer.rules, complete)
    reached = explorer.rules.seen
    prove_token_game(context, net, explored, reached, out, explorer.reduce)
    if explored.bound_hit:
        bound = (
            f"when the time budget of {options.timeout_ms} ms ran out "
            f"({len(explored.keys):,} states explored)"
            if explored.out_of_time
            else f"at the bound of {options.max_states} states"
        )
        out.append(
            _inconclusive(
                spec,
                f"the token game stopped {bound}: "
                "deadlock freedom, option to complete and dead tasks are not proved",
            )
        )
    elif explored.truncated or explored.unsafe_stop:
        out.append(
            _inconclusive(
                spec,
                "the workflow is unsafe (WF105) and the token game stopped following how "
                "tokens pile up (a flow with 4 tokens, or 200 more markings): option to "
                "complete and dead tasks are not proved",
            )
        )
    return sort_diagnostics(out)


def _inconclusive(spec: Workflow, message: str) -> Diagnostic:
    return Diagnostic(
        codes.WF901, default_severity(codes.WF901), message, spec.span, spec.name, spec.name
    )
