"""The state machine checker: picks the engine that can decide the machine, and says which.

- no variables and no guards: the control graph decides everything (networkx, linear time);
- every variable finite and the product of domains within budget: exhaustive explicit-state
  search, whose answers are proofs;
- otherwise (unbounded or large domains, reals, strings): symbolic proof with Z3, Spacer
  (constrained Horn clauses) for unreachability with an inductive invariant and bounded model
  checking for the shortest concrete trace. Whatever Z3 cannot decide becomes SM901.

Choices where checks.md leaves room (the same in every engine):
- an update that would leave a declared range is SM107 and is not a step of the machine;
- SM105 is reported only for transitions whose source state is reachable (an unreachable
  source is already SM101); SM104 only for pairs on a named event;
- SM103 names reachable states from which neither a final state nor a deadlock can be
  reached (a state that can run into a deadlock is explained by that SM102); a machine with
  no final states is reactive and is never reported for termination.

Liveness (`eventually`, `leads_to`, SM203) follows the same split: the fair-lasso search on
the explicit configuration graph (liveness.py) wherever the domains are finite, Z3 otherwise
(liveness_smt.py). Termination over unbounded data adds ranking functions (termination.py).
Engines record what they proved (Findings.proof / CheckContext.prove) for "proved".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archctl.check import CheckContext
from archctl.diagnostics import Diagnostic
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine

if TYPE_CHECKING:  # imported where used: verify never pays for an engine it does not run
    from archctl.check.statemachine.evidence import Findings

#: Largest configuration space searched explicitly (also capped by --max-states).
EXPLICIT_LIMIT = 300_000


def check(spec: Spec, context: CheckContext) -> list[Diagnostic]:
    if not isinstance(spec, StateMachine) or spec.state(spec.initial) is None:
        return []
    if spec.is_component:  # alone it gets only what holds whatever its peers do
        from archctl.check.statemachine.component import check_component

        return check_component(spec, context)
    findings = _decide(spec, context)
    context.proved.extend(findings.settled_proofs())
    return findings.out


def _decide(machine: StateMachine, context: CheckContext) -> Findings:
    from archctl.check.statemachine.evidence import Findings
    from archctl.check.statemachine.explicit import space_size
    from archctl.check.statemachine.graph import check_control, final_outgoing
    from archctl.check.statemachine.proofs import prove_unfound

    live = any(prop.is_liveness for prop in machine.properties)
    if not machine.variables and all(t.guard is None for t in machine.transitions):
        findings = Findings(
            machine,
            f"decided by control-level graph search (networkx) over {len(machine.states):,} "
            "state(s)",
        )
        graph = check_control(machine, findings)
        searched = f"{len(graph.reachable):,} reachable state(s) searched"
        prove_unfound(findings, graph.reachable, "graph", searched)
        if live:
            _liveness(machine, findings, context)
        return findings
    limit = min(EXPLICIT_LIMIT, context.options.max_states)
    size = space_size(machine, limit)
    if size is not None and size <= limit:
        from archctl.check.statemachine.explicit import explore
        from archctl.check.statemachine.explicit_report import report

        space = explore(machine)
        findings = Findings(
            machine,
            f"decided by explicit-state search over {len(space.state_of):,} reachable "
            "(state, valuation) configurations",
        )
        final_outgoing(machine, findings)
        if space.stopped:
            findings.inconclusive(
                machine.name,
                "reachability, deadlocks, termination, ranges or properties",
                machine.span,
                f"the explicit-state search ran out of the time budget "
                f"({context.options.timeout_ms} ms) after {len(space.state_of):,} configurations",
            )
            return findings
        report(space, findings)
        reachable = {machine.states[number].name for number in set(space.state_of)}
        explored = f"{len(space.state_of):,} configurations explored"
        prove_unfound(findings, reachable, "explicit", explored)
        if live:
            from archctl.check.statemachine.liveness import check_liveness

            check_liveness(space, findings, context)
        return findings
    from archctl.check.statemachine.symbolic_checks import check_symbolic

    findings = Findings(machine, "decided symbolically with Z3")
    final_outgoing(machine, findings)
    check_symbolic(machine, findings, context.options.timeout_ms)
    if live:
        from archctl.check.statemachine.liveness_smt import check_liveness_symbolic
        from archctl.check.statemachine.symbolic import Reach

        check_liveness_symbolic(Reach(machine, context.options.timeout_ms), findings)
    return findings


def _liveness(machine: StateMachine, findings: Findings, context: CheckContext) -> None:
    """Liveness of a machine the control graph decided: its configurations are its states."""
    from archctl.check.statemachine.explicit import explore
    from archctl.check.statemachine.liveness import check_liveness

    check_liveness(explore(machine), findings, context)
