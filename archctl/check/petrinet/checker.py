"""Soundness of a workflow net (docs/pnml.md): the entry point of ``check/petrinet``.

Exact for every net, free-choice or not: one breadth-first search over the reachable
markings (``explore.py``), then the verdicts (``findings.py``). A search cut short by the
state budget (``--max-states``) or the time budget is WF901 for every check it left open,
never a pass; a check is recorded as proved only on a finished search.
"""

from __future__ import annotations

from archctl import codes
from archctl.check import CheckContext
from archctl.check.petrinet.explore import compile_net, explore
from archctl.check.petrinet.findings import Verdicts
from archctl.check.petrinet.reduce import reduce_net
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.model.petrinet import PetriNet
from archctl.model.spec import Spec

ENGINE = "explicit reachability (bitset markings, exact series/parallel-place reduction)"
_OPEN = {
    codes.WF103: "deadlock freedom",
    codes.WF104: "option to complete",
    codes.WF105: "safeness",
    codes.WF106: "no dead transitions",
}


def check(spec: Spec, ctx: CheckContext) -> list[Diagnostic]:
    assert isinstance(spec, PetriNet)
    compiled = compile_net(spec)
    reduced = reduce_net(compiled, weighted=any(arc.weight > 1 for arc in spec.arcs))
    found = explore(reduced.net, ctx.options.max_states)
    verdicts = Verdicts(spec, compiled, reduced, found)
    out: list[Diagnostic] = []
    unsafe = verdicts.unsafe()
    deadlocks, dead = verdicts.deadlocks()
    out.extend(deadlocks)
    if unsafe is not None:
        # soundness is refuted; the rest of the state space was not explored
        out.append(unsafe)
        return out
    explored = len(found.markings)
    if found.stopped is not None:
        why = (
            f"the state budget of {ctx.options.max_states} markings (--max-states)"
            if found.stopped == "states"
            else "the time budget (--timeout)"
        )
        undecided = [name for code, name in _OPEN.items() if code != codes.WF103 or not deadlocks]
        out.append(
            Diagnostic(
                codes.WF901,
                default_severity(codes.WF901),
                f"inconclusive: explored {explored} markings and hit {why}; "
                f"not decided: {', '.join(undecided)}",
                spec.span,
                spec.name,
                spec.name,
                help="raise --max-states or --timeout",
            )
        )
        return out
    out.extend(verdicts.livelocks(dead))
    out.extend(verdicts.dead_transitions())
    certificate = (
        f"all {explored} reachable markings of the net reduced to "
        f"{len(reduced.net.transitions)} of {len(compiled.transitions)} transitions explored"
    )
    found_codes = {d.code for d in out}
    for code in _OPEN:
        if code not in found_codes:
            ctx.prove(spec.name, code, spec.name, ENGINE, certificate)
    return out
