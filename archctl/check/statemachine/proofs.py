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

A check proved for every one of several subjects is one entry with subject ``*``, so a
100,000-state machine gets a handful of entries, not 600,000, and costs no subject strings.
"""

from __future__ import annotations

from collections.abc import Iterator

from archctl import codes
from archctl.check.statemachine.evidence import Findings, transition_id
from archctl.diagnostics import Code
from archctl.model.statemachine import StateMachine, Transition

#: the checks decided per state or transition, and what their subjects are
NOUNS = {
    codes.SM101: "states",
    codes.SM102: "reachable non-final states",
    codes.SM103: "reachable states",
    codes.SM104: "transitions sharing a source and an event with an earlier one",
    codes.SM105: "transitions of reachable states",
    codes.SM107: "transitions of reachable states updating a ranged number",
}


def subjects(check: str, machine: StateMachine, reachable: set[str]) -> Iterator[str]:
    """The subjects of ``check`` an exhaustive engine decides, in declared order."""
    if check in (codes.SM101, codes.SM102, codes.SM103):
        for state in machine.states:
            name = state.name
            live = name in reachable and (check == codes.SM103 or name not in machine.final)
            if check == codes.SM101 or live:
                yield name
        return
    yield from (transition_id(t) for t in _transitions(check, machine, reachable))


def _transitions(check: str, machine: StateMachine, reachable: set[str]) -> Iterator[Transition]:
    ranged = _ranged(machine)
    events: set[tuple[str, str]] = set()
    for transition in machine.transitions:
        if transition.source not in reachable:
            continue
        if check == codes.SM105:
            yield transition
        elif check == codes.SM107:
            if any(a.target in ranged for a in transition.action):
                yield transition
        elif transition.event is not None:  # SM104: the later of a pair names it
            key = (transition.source, transition.event)
            if key in events:
                yield transition
            events.add(key)


def prove_unfound(findings: Findings, reachable: set[str], engine: str, certificate: str) -> None:
    """Record as proved every question of the checks above that got no finding (nor SM901)."""
    machine = findings.machine
    failed: dict[str, set[str]] = {}
    for diagnostic in findings.out:
        failed.setdefault(diagnostic.code, set()).add(diagnostic.subject or "")
    undecided = failed.get(codes.SM901, set())
    counts = _counts(machine, reachable)
    for check, noun in NOUNS.items():
        if check == codes.SM103 and not machine.final:
            continue
        against = failed.get(check, set()) | undecided
        if not against and counts[check] > 1:
            every = f"all {counts[check]:,} {noun}; {certificate}"
            findings.proof(check, "*", engine, every)
            continue
        for subject in subjects(check, machine, reachable):
            if subject not in against:
                findings.proof(check, subject, engine, certificate)
    for prop in machine.properties:
        if prop.is_liveness:
            continue  # SM203: decided by the liveness engines, which record their own proofs
        check = codes.SM202 if prop.kind == "reachable" else codes.SM201
        if prop.name not in failed.get(check, set()) | undecided:
            findings.proof(check, prop.name, engine, certificate)


def _counts(machine: StateMachine, reachable: set[str]) -> dict[Code, int]:
    """How many subjects each check has: one pass, no subject names built."""
    final = set(machine.final)
    counts = dict.fromkeys(NOUNS, 0)
    counts[codes.SM101] = len(machine.states)
    counts[codes.SM103] = sum(1 for state in machine.states if state.name in reachable)
    counts[codes.SM102] = counts[codes.SM103] - len(final & reachable)
    live = [t for t in machine.transitions if t.source in reachable]
    counts[codes.SM105] = len(live)
    ranged = _ranged(machine)
    if ranged:
        counts[codes.SM107] = sum(1 for t in live if any(a.target in ranged for a in t.action))
    named = [(t.source, t.event) for t in live if t.event is not None]
    counts[codes.SM104] = len(named) - len(set(named))
    return counts


def _ranged(machine: StateMachine) -> set[str]:
    return {
        v.name
        for v in machine.variables
        if v.type.is_numeric and (v.type.low is not None or v.type.high is not None)
    }
