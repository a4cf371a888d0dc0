"""What an exhaustive engine proved: every question it answered without a finding.

The control-graph and explicit-state engines decide every question over the complete set of
reachable states or configurations, so a question they were asked and answered without a
finding is proved, and the size of what they searched is the certificate. The questions
mirror exactly what those engines decide (checks.md and the choices in ``checker``): SM101
per state; SM102 per reachable non-final state; SM103 per reachable state when the machine
has final states; SM104 per transition that shares its source and event with an earlier one;
SM105 per transition leaving a reachable state; SM107 per transition of a reachable state
that updates a ranged number; SM201/SM202 per property. SM106 is structural and recorded
where it is checked (``graph.final_outgoing``). The symbolic engine records its proofs
per query instead, with the engine and certificate of each answer.
"""

from __future__ import annotations

from archctl.check.statemachine.evidence import Findings, transition_id
from archctl.check.statemachine.graph import nondeterministic_pairs
from archctl.model.statemachine import Transition


def questions(findings: Findings, reachable: set[str]) -> list[tuple[str, str]]:
    """The (check, subject) pairs an exhaustive engine decides for this machine."""
    machine = findings.machine
    out = [("SM101", state.name) for state in machine.states]
    live = [state.name for state in machine.states if state.name in reachable]
    out += [("SM102", name) for name in live if name not in machine.final]
    if machine.final:
        out += [("SM103", name) for name in live]
    ranged = {
        v.name
        for v in machine.variables
        if v.type.is_numeric and (v.type.low is not None or v.type.high is not None)
    }
    outgoing: dict[str, list[Transition]] = {}
    for transition in machine.transitions:
        if transition.source not in reachable:
            continue
        outgoing.setdefault(transition.source, []).append(transition)
        out.append(("SM105", transition_id(transition)))
        if any(a.target in ranged for a in transition.action):
            out.append(("SM107", transition_id(transition)))
    for transitions in outgoing.values():
        pairs = nondeterministic_pairs(transitions)
        out += [("SM104", transition_id(second)) for _, second in pairs]
    for prop in machine.properties:
        out.append(("SM202" if prop.kind == "reachable" else "SM201", prop.name))
    return out


def prove_unfound(findings: Findings, reachable: set[str], engine: str, certificate: str) -> None:
    """Record as proved every question of ``questions`` that got no finding (nor an SM901)."""
    found = {(d.code, d.subject or "") for d in findings.out}
    undecided = {d.subject for d in findings.out if d.code == "SM901"}
    for check, subject in questions(findings, reachable):
        if (check, subject) not in found and subject not in undecided:
            findings.prove(check, subject, engine, certificate)
