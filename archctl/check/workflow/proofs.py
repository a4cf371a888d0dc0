"""What a clean workflow result rests on: the ``proved`` records of the workflow checker.

A check is recorded only where the engine really decided it for every run: the token game's
verdicts (WF103-WF106) only when the search was complete (no bound, no piling tokens), with
the number of markings it explored as the certificate; reachability (WF102) from the flow
graph; gateway conditions (WF107-WF109) per gateway, from the valuations the complete token
game offered it or, when the data could not be tracked, from Z3 over the declared types.
"""

from __future__ import annotations

from collections.abc import Iterable

from archctl import codes
from archctl.check import CheckContext
from archctl.check.workflow.conditions import choice_gateways
from archctl.check.workflow.graph import Net
from archctl.check.workflow.net import Exploration
from archctl.diagnostics import Diagnostic

TOKEN_GAME = "explicit token game"


def _found(diagnostics: Iterable[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.code, d.subject or "") for d in diagnostics}


def prove_structure(context: CheckContext, net: Net, seen: set[int]) -> None:
    """WF102: every node lies on a flow path from the start (only with exactly one start)."""
    if len(net.starts) == 1 and len(seen) == len(net.nodes):
        name = net.workflow.name
        context.prove(
            name, codes.WF102, name, "flow-graph reachability", f"{len(seen)} nodes reached"
        )


def prove_token_game(
    context: CheckContext,
    net: Net,
    explored: Exploration,
    reached: Iterable[int],
    diagnostics: list[Diagnostic],
    reduced: bool,
) -> None:
    """WF103-WF106, and the gateway checks of the ``reached`` gateways, when the
    exploration covered every run."""
    if explored.bound_hit or explored.unsafe_stop or explored.truncated:
        return
    name = net.workflow.name
    found = {d.code for d in diagnostics}
    certificate = f"{len(explored.keys)} markings explored" + (
        " (stubborn-set reduction)" if reduced else ""
    )
    for code in (codes.WF103, codes.WF104, codes.WF105, codes.WF106):
        if code not in found:
            context.prove(name, code, name, TOKEN_GAME, certificate)
    _prove_gateways(context, net, diagnostics, TOKEN_GAME, certificate, set(reached))


def prove_gateways_over_domains(
    context: CheckContext, net: Net, diagnostics: list[Diagnostic], unknown: list[str]
) -> None:
    """WF107-WF109 per gateway that Z3 decided over every valuation of the declared types."""
    every = set(choice_gateways(net)) - {net.ids[g] for g in unknown}
    certificate = "over every valuation of the declared types"
    _prove_gateways(context, net, diagnostics, "z3", certificate, every)


def _prove_gateways(
    context: CheckContext,
    net: Net,
    diagnostics: list[Diagnostic],
    engine: str,
    certificate: str,
    decided: set[int],
) -> None:
    name = net.workflow.name
    found = _found(diagnostics)
    for node in choice_gateways(net):
        if node not in decided:
            continue
        gateway = net.nodes[node]
        gateway_codes = [codes.WF107, codes.WF109] + (
            [codes.WF108] if gateway.gateway == "exclusive" else []
        )
        for code in gateway_codes:
            if (code, gateway.id) not in found:
                context.prove(name, code, gateway.id, engine, certificate)
