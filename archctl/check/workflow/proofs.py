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
from archctl.check.workflow.completion import proper_ends
from archctl.check.workflow.conditions import choice_gateways
from archctl.check.workflow.data import DataModel
from archctl.check.workflow.fire import Rules
from archctl.check.workflow.graph import Net
from archctl.check.workflow.net import Exploration, Explorer
from archctl.check.workflow.soundness import Soundness
from archctl.check.workflow.traps import drains, escapes
from archctl.diagnostics import Code, Diagnostic

TOKEN_GAME = "explicit token game"


def _codes(diagnostics: Iterable[Diagnostic]) -> set[str]:
    return {d.code for d in diagnostics}


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
    reached_nodes: Iterable[int],
) -> None:
    """WF103-WF106, and the gateway checks of the ``reached`` gateways, when the
    exploration covered every run."""
    name = net.workflow.name
    if any(node.once for node in net.nodes) and not proper_ends(net):
        what = "every end event is a terminate end, which ends the instance at its first token"
        context.prove(name, codes.WF114, name, "flow graph", what)
    if explored.bound_hit or explored.unsafe_stop or explored.truncated:
        # part of the state space still shows every task executed by some real run
        tasks = [n for n in reached_nodes if net.nodes[n].type == "task"]
        if all(n in explored.fired for n in tasks) and codes.WF106 not in _codes(diagnostics):
            certificate = f"every task executed within {len(explored.keys)} explored markings"
            context.prove(name, codes.WF106, name, TOKEN_GAME, certificate)
        return
    found = _codes(diagnostics)
    certificate = f"{len(explored.keys)} markings explored" + (
        " (stubborn-set reduction)" if reduced else ""
    )
    for code in (codes.WF103, codes.WF104, codes.WF105, codes.WF106):
        if code not in found:
            context.prove(name, code, name, TOKEN_GAME, certificate)
    if codes.WF114 not in found and proper_ends(net):
        context.prove(name, codes.WF114, name, TOKEN_GAME, certificate)
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


def prove_drained(context: CheckContext, net: Net, data: DataModel, max_states: int) -> list[Code]:
    """WF103/WF104 for a net whose tokens pile up only where they drain on their own.

    The token game of the net without those tokens (traps.drains) decides deadlock freedom
    and option to complete for the real one; when it is finite and shows neither a
    deadlock nor a marking that cannot complete, both are proved. Returns the codes proved.
    """
    rules = Rules(net, data)
    escape = escapes(net, rules)
    vanish = drains(net, rules) & ~escape
    if not vanish and not escape:
        return []
    explorer = Explorer(net, data, max_states)
    explorer.vanish, explorer.escape = vanish, escape
    found = explorer.run()
    if found.bound_hit or found.unsafe_stop or found.truncated:
        return []
    sound = Soundness(net, data, found, net.workflow.name, explorer)
    dead = sound.dead_ends()
    stuck = sound.livelock(dead)
    name = net.workflow.name
    drained = sum(1 for arc in net.arcs if vanish >> arc.index & 1)
    bound = sum(1 for arc in net.arcs if escape >> arc.index & 1)
    certificate = (
        f"{len(found.keys)} markings of the net without the tokens of {drained} flows that "
        f"drain on their own and of {bound} bound for a terminate end"
    )
    proved = []
    if not dead:
        context.prove(name, codes.WF103, name, TOKEN_GAME, certificate)
        proved.append(codes.WF103)
    if not dead and not stuck:
        context.prove(name, codes.WF104, name, TOKEN_GAME, certificate)
        proved.append(codes.WF104)
    return proved
