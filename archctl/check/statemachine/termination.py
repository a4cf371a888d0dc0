"""SM103 over unbounded data: settle the states the exit fixpoint left open.

``symbolic_checks`` proves a state fine when an exit is enabled in every reachable
valuation. What remains (a counter that must first reach a bound, units moved between two
counters, a countdown, an exit that never opens) is decided here, in this order:

1. a linear ranking function for all open states together (:mod:`ranking`): proved, with the
   function as the certificate in "proved";
2. a trap (:mod:`traps`): a reachable configuration from which no final state is reachable,
   SM103 with the run to it;
3. otherwise SM901, naming the state and everything that was tried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from archctl import codes
from archctl.check.statemachine.evidence import Findings, Step
from archctl.check.statemachine.graph import ControlGraph
from archctl.check.statemachine.ranking import RankingSearch
from archctl.check.statemachine.symbolic import Reach
from archctl.check.statemachine.traps import find_traps
from archctl.evidence import Value
from archctl.model.statemachine import Transition


def settle(
    reach: Reach,
    graph: ControlGraph,
    proved: set[str],
    region: Sequence[str],
    runs: Mapping[str, list[Step] | None],
    findings: Findings,
) -> None:
    if not region:
        return
    machine = reach.encoding.machine
    seeds: list[tuple[str, Mapping[str, Value]]] = [
        (step.state, step.values) for steps in runs.values() if steps for step in steps
    ]
    search = RankingSearch(reach, region, proved, reach.timeout_ms)
    ranked = search.run(seeds)
    if ranked.functions:
        for state in region:
            moves = search.moves[state]
            steps = sorted({_name(m.transition) for m in moves if not m.exit})
            exits = sorted({_name(m.transition) for m in moves if m.exit})
            findings.proof(
                codes.SM103,
                state,
                "linear ranking function (Z3, with Spacer invariants)",
                f"{ranked.functions[state]} in '{state}': >= 0 and decreases by at least 1 on "
                f"{' or '.join(steps) or 'no step'} until {' or '.join(exits) or 'a later state'}"
                " leads towards a final state",
            )
        return
    trapped = find_traps(reach, graph, region, runs)
    for state in region:
        span = next(s.span for s in machine.states if s.name == state)
        run = trapped.runs.get(state)
        if run is not None:
            findings.detail = (
                "refuted with a trap: a reachable configuration from which no step leads "
                "out towards a final state, proved with Z3"
            )
            findings.no_termination(state, run)
            continue
        findings.detail = "symbolic engine (Z3): ranking functions and trap sets"
        tried = "; ".join([ranked.reason, *trapped.tried])
        findings.inconclusive(
            state, f"whether a final state stays reachable from '{state}'", span, f"tried {tried}"
        )
    findings.detail = None


def _name(transition: Transition) -> str:
    return transition.event or transition.label
