"""Workflow checker: structure, soundness by the token game, gateway conditions, retries.

The order matters for cost: cheap graph checks first; the token game only when there is
exactly one start; Z3 only when conditions read variables whose values cannot simply be
enumerated. A model without conditions never imports z3.
"""

from __future__ import annotations

from archctl import codes
from archctl.check import CheckContext
from archctl.check.workflow.completion import improper, proper_ends
from archctl.check.workflow.conditions import from_runs, over_domains
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import Net, build_net
from archctl.check.workflow.net import Explorer
from archctl.check.workflow.proofs import (
    prove_drained,
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
    sound = Soundness(net, data, explored, spec.name, explorer)
    out += sound.check(seen)
    out += improper(sound)
    complete = not (explored.bound_hit or explored.unsafe_stop or explored.truncated)
    out += from_runs(net, explorer.rules, complete)
    reached = explorer.rules.seen
    prove_token_game(context, net, explored, reached, out, explorer.reduce, seen)
    if not complete:
        undecided = _undecided(out, net, seen, explored.fired)
        if not explored.bound_hit and {"deadlock freedom", "option to complete"} & set(undecided):
            for code in prove_drained(context, net, data, options.max_states):
                undecided.remove(UNDECIDED[code])
        if sound.never_completes and "proper completion" in undecided:
            undecided.remove("proper completion")  # no run completes, properly or not
            certificate = "no run completes: a trap holds a token from the start"
            context.prove(spec.name, codes.WF114, spec.name, "trap", certificate)
        if explored.bound_hit:
            why = (
                f"when the time budget of {options.timeout_ms} ms ran out "
                f"({len(explored.keys):,} states explored)"
                if explored.out_of_time
                else f"at the bound of {options.max_states} states"
            )
            why = f"the token game stopped {why}"
        else:
            why = (
                "the workflow is unsafe (WF105) and the token game stopped following how "
                "tokens pile up (a flow with 4 tokens, or 200 more markings)"
            )
        if undecided:
            out.append(_inconclusive(spec, f"{why}: {', '.join(undecided)} not proved"))
    return sort_diagnostics(out)


#: what an inconclusive message calls the question a proof of the code answers
UNDECIDED = {codes.WF103: "deadlock freedom", codes.WF104: "option to complete"}


def _undecided(found: list[Diagnostic], net: Net, seen: set[int], fired: set[int]) -> list[str]:
    """What an incomplete token game left open: every question no finding answered yet.

    A finding is a proof of the negative answer even from part of the state space (a real
    deadlock, a marked trap, two tokens on a flow); a task executed in some explored run is
    not dead. What is neither found nor covered is undecided.
    """
    seen_codes = {d.code for d in found}
    out = []
    if codes.WF103 not in seen_codes:
        out.append("deadlock freedom")
    if not seen_codes & {codes.WF103, codes.WF104}:
        out.append("option to complete")
    if codes.WF105 not in seen_codes:
        out.append("safeness")
    if any(net.nodes[n].type == "task" and n not in fired for n in seen):
        out.append("dead tasks")
    if codes.WF114 not in seen_codes and proper_ends(net):
        out.append("proper completion")
    return out


def _inconclusive(spec: Workflow, message: str) -> Diagnostic:
    return Diagnostic(
        codes.WF901, default_severity(codes.WF901), message, spec.span, spec.name, spec.name
    )
