"""Workflows drawn in BPMN style: events as circles, tasks as rounded boxes, gateways as diamonds.

The task label carries what a reviewer asks about first (its type, who does it, how often it
is retried and its deadline); conditions and defaults sit on the flows, error handlers are
dashed edges, so the picture shows every path a token can take.
"""

from __future__ import annotations

from archctl.model.expr import to_source
from archctl.model.workflow import Node, Workflow
from archctl.render.graph import DEdge, DiagramGraph, DNode, ms

#: BPMN gateway markers: exclusive x, parallel +, inclusive o.
MARKERS = {"exclusive": "x", "parallel": "+", "inclusive": "o"}


def task_lines(node: Node) -> list[str]:
    """The detail lines of a task: type (and assignee or subprocess), retry, deadline."""
    kind = node.task or "service"
    head = f"[{kind}]"
    if node.process:
        head = f"[{kind}: {node.process}]"
    if node.assignee:
        head += f" @{node.assignee}"
    lines = [head]
    retry = node.retry
    if retry is not None:
        text = f"retry {retry.max_attempts}x, backoff {ms(retry.backoff_ms)}"
        if retry.multiplier != 1:
            text += f" x{retry.multiplier:g}"
        if retry.max_backoff_ms is not None:
            text += f" max {ms(retry.max_backoff_ms)}"
        lines.append(text)
    if node.deadline_ms is not None:
        lines.append(f"deadline {ms(node.deadline_ms)}")
    return lines


def _node(node: Node) -> DNode:
    if node.type == "start":
        return DNode(node.id, node.id, "circle", node.span)
    if node.type == "end":
        return DNode(node.id, node.id, "end", node.span)
    if node.type == "gateway":
        marker = MARKERS.get(node.gateway or "exclusive", "x")
        return DNode(node.id, node.id, "diamond", node.span, marker=marker)
    return DNode(node.id, "\n".join([node.id, *task_lines(node)]), "rounded", node.span)


def build_workflow(workflow: Workflow) -> DiagramGraph:
    """The BPMN-style diagram of one workflow, nodes and flows in file order."""
    graph = DiagramGraph(workflow.name, "workflow", direction="LR", title=_title(workflow))
    for node in workflow.nodes:
        graph.add_node(_node(node))
    for flow in workflow.flows:
        label = ""
        if flow.when is not None:
            label = f"[{to_source(flow.when)}]"
        elif flow.default:
            label = "/ default"
        graph.add_edge(DEdge(flow.source, flow.target, label, span=flow.span, default=flow.default))
    for node in workflow.nodes:
        if node.on_error is not None and graph.node(node.on_error) is not None:
            graph.add_edge(
                DEdge(
                    node.id,
                    node.on_error,
                    "on error",
                    style="dashed",
                    span=node.on_error_span or node.span,
                )
            )
    return graph


def _title(workflow: Workflow) -> str:
    version = f" {workflow.version}" if workflow.version else ""
    return f"workflow {workflow.name}{version}"
