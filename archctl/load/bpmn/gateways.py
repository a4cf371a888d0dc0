"""Decide the ``when`` and ``default`` of every flow out of an imported gateway.

Conditions are translated together (one variable typing per process). A condition that does
not translate becomes a fresh boolean the environment picks (an LD009 note names it), while
the gateway's other conditions are kept: an always-taken flow stays always taken. Only a
gateway none of whose conditions translates becomes a free choice. Either way a condition
archctl cannot read never turns into a wrong proof.
"""

from __future__ import annotations

import re

from archctl import codes
from archctl.load.bpmn.conditions import Condition, translate
from archctl.load.bpmn.graph import GFlow, GNode, Graph
from archctl.load.bpmn.process import ProcessImporter
from archctl.model.expr import Expr, Literal, Name, names_in
from archctl.model.types import BOOL, Variable


def gateway_conditions(
    graph: Graph, importer: ProcessImporter, language: str | None
) -> tuple[dict[int, Expr], tuple[Variable, ...]]:
    """Decide every flow's ``when`` and ``default``; returns the conditions and variables."""
    outgoing: dict[str, list[tuple[int, GFlow]]] = {}
    for index, flow in enumerate(graph.flows):
        outgoing.setdefault(flow.source, []).append((index, flow))
    pending: list[Condition] = []
    for node in list(graph.nodes.values()):
        flows = outgoing.get(node.id, [])
        marked = [f for _, f in flows if f.condition is not None or f.default]
        if not marked:
            continue
        if node.gateway == "parallel" or node.id in importer.free_choice:
            graph.note(
                codes.LD009,
                f"conditions and defaults on the flows of gateway '{node.id}' "
                "are ignored: it takes every flow or a free choice",
                node.span,
                node.id,
            )
            _clear(graph, node, flows)
            continue
        if not any(f.condition is not None for _, f in flows):
            graph.note(
                codes.LD009,
                f"gateway '{node.id}' marks a default flow but no conditions: "
                "modelled as a free choice",
                node.span,
                node.id,
            )
            _clear(graph, node, flows)
            continue
        for index, flow in flows:
            if flow.condition is not None and not flow.default:
                lang = flow.condition.attrs.get("language") or language
                pending.append(Condition(index, flow.condition.text, lang, flow.span))
    translation = translate(pending)
    whens: dict[int, Expr] = {}
    unknowns: list[Variable] = []
    taken = {variable.name for variable in translation.variables}
    for node in list(graph.nodes.values()):
        flows = outgoing.get(node.id, [])
        keys = [index for index, f in flows if f.condition is not None and not f.default]
        if not keys:
            continue
        failed = [index for index in keys if index not in translation.conditions]
        always = [i for i, f in flows if f.condition is None and not f.default]
        if failed and len(failed) == len(keys) and not always:
            # nothing known to keep: a free choice allows exactly what free booleans would
            # (with a default) and invents no "no flow taken" hole (without one)
            _note_untranslated(graph, node, failed[0], translation.failures, None)
            _clear(graph, node, flows)
            continue
        for index, flow in flows:
            if index in failed:
                # keep what is known: only this flow's condition becomes unknown, a boolean
                # the environment picks afresh (every activity may change it, as any variable)
                opaque = _opaque_name(flow, taken)
                _note_untranslated(graph, node, index, translation.failures, opaque)
                unknowns.append(Variable(opaque, BOOL, None, flow.span))
                whens[index] = Name(opaque, flow.span, BOOL)
            elif index in translation.conditions:
                whens[index] = translation.conditions[index]
            elif not flow.default:
                graph.note(
                    codes.LD009,
                    f"{flow.description} has no condition on a conditional "
                    "gateway: BPMN takes it as always true",
                    flow.span,
                    node.id,
                )
                whens[index] = Literal(True, flow.span, BOOL)
    used: set[str] = set()
    for expr in whens.values():
        used |= names_in(expr)
    known = [v for v in translation.variables if v.name in used]
    return whens, tuple(sorted(known + unknowns, key=lambda v: v.name))


def _note_untranslated(
    graph: Graph, node: GNode, index: int, failures: dict[int, str], opaque: str | None
) -> None:
    flow = graph.flows[index]
    text = flow.condition.text.strip() if flow.condition is not None else ""
    model = (
        "the gateway is modelled as a free choice"
        if opaque is None
        else f"this flow's condition is modelled as a boolean '{opaque}' that may be either "
        "value; the gateway's other conditions are kept"
    )
    graph.note(
        codes.LD009,
        f"gateway '{node.id}': condition {text!r} of {flow.description} cannot be "
        f"expressed in archctl ({failures.get(index, 'unsupported')}): {model}",
        flow.span,
        node.id,
    )


def _opaque_name(flow: GFlow, taken: set[str]) -> str:
    """A fresh variable name for the unknown condition of one flow, after its BPMN id."""
    base = "unknown_" + re.sub(r"[^A-Za-z0-9_]", "_", flow.bpmn_id or "flow")
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def _clear(graph: Graph, node: GNode, flows: list[tuple[int, GFlow]]) -> None:
    """Make a gateway a free choice. An inclusive one keeps its default apart.

    BPMN takes an inclusive gateway's default flow only when no other flow is taken, so its
    free-choice version picks the default alone or a non-empty subset of the others: an
    exclusive choice between the default and an inclusive gateway over the rest.
    """
    default = next((flow for _, flow in flows if flow.default), None)
    for _, flow in flows:
        flow.condition = None
        flow.default = False
    others = [flow for _, flow in flows if flow is not default]
    if node.gateway != "inclusive" or default is None or not others:
        return
    choice = graph.add(
        GNode(
            graph.fresh(f"{node.id}.choice"),
            "gateway",
            node.span,
            gateway="exclusive",
            description=f"default or not, at {node.id}",
        )
    )
    default.source = choice.id
    rest = choice.id
    if len(others) > 1:
        rest = graph.fresh(f"{node.id}.others")
        graph.add(
            GNode(
                rest,
                "gateway",
                node.span,
                gateway="inclusive",
                description=f"the non-default flows of {node.id}",
            )
        )
        graph.connect(choice.id, rest, node.span)
    for flow in others:
        flow.source = rest
    graph.connect(node.id, choice.id, node.span)
