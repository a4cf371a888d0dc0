"""Connect the nodes of one imported BPMN process: sequence flows, links, starts, boundaries.

Runs after :class:`ProcessImporter` created the nodes. Order matters: subprocess and sequence
flows first, then the start, then every task gets exactly one outgoing flow (implicit splits
and ends made explicit), and only then boundary events, which rewire that one flow.
"""

from __future__ import annotations

from archctl import codes
from archctl.load.bpmn.boundaries import attach_boundaries
from archctl.load.bpmn.graph import GNode, Graph
from archctl.load.bpmn.process import ProcessImporter
from archctl.load.bpmn.xml import XElement
from archctl.source import SourceFile


def build_process(
    source: SourceFile,
    graph: Graph,
    process: XElement,
    global_tasks: dict[str, str],
    messages: dict[str, str],
) -> ProcessImporter:
    importer = ProcessImporter(source, graph)
    importer.global_tasks = global_tasks
    importer.messages = messages
    importer.top = importer.container(process, "")[2]
    for entry, starts, ends, inner, join in importer.deferred:
        _subprocess(importer, entry, starts, ends, inner, join)
    _flows(importer)
    _links(importer)
    _start(importer, process)
    for node_id in list(graph.nodes):
        graph.ensure_single_exit(node_id)
    for join in list(importer.joins):
        if graph.incoming(join):
            graph.ensure_single_exit(join, force=True)
        else:  # the subprocess never completes normally: nothing flows out of it
            del graph.nodes[join]
            graph.flows = [flow for flow in graph.flows if flow.source != join]
            importer.joins.remove(join)
    attach_boundaries(importer)
    _scopes(importer)
    return importer


def _scopes(importer: ProcessImporter) -> None:
    """Tell each completion join (and inner terminate end) which nodes are inside its scope.

    Known only now: splits, implicit ends and boundary choices inside a subprocess are
    synthetic nodes under its prefix too, and a token on a flow into any of them keeps the
    subprocess running.
    """
    graph = importer.graph
    for prefix, join, terminates in importer.scopes:
        inside = tuple(node for node in graph.nodes if node.startswith(prefix) and node != join)
        if join in graph.nodes:
            graph.nodes[join].scope = inside
        # a scoped terminate (an inner terminate end, an interrupting boundary) also takes
        # the tokens already waiting at the completion join: they are inside the subprocess
        # until it completes, and left there they would complete it after the interrupt
        killed = (*inside, join) if join in graph.nodes else inside
        for node_id in terminates:
            graph.nodes[node_id].terminate = True
            graph.nodes[node_id].scope = killed


def _subprocess(
    importer: ProcessImporter,
    entry: str,
    starts: list[str],
    ends: list[str],
    inner: list[str],
    join: str | None,
) -> None:
    """Entry task -> inner starts; inner ends and implicit ends -> the completion join."""
    graph = importer.graph
    span = graph.nodes[entry].span
    if join is not None:
        for end in ends:
            graph.connect(end, join, graph.nodes[end].span)
    if not starts:
        # No start event: BPMN starts every inner node that has no incoming flow.
        targets = set()
        for flow in importer.flows:
            ref = flow.attrs.get("targetRef")
            if ref in importer.entry:
                targets.add(importer.entry[ref])
        boundary_nodes = {node_id for _, node_id in importer.boundaries}
        catches = {node_id for _, node_id, throw in importer.links if not throw}
        entered = targets | boundary_nodes | catches  # link catches get tokens from throws
        starts = [n for n in inner if n not in entered]
    for start in starts:
        graph.connect(entry, start, span)
    if join is not None:
        # an inner node without outgoing flow is an implicit end of the subprocess
        sources = {
            importer.exit.get(flow.attrs.get("sourceRef", ""), "") for flow in importer.flows
        }
        throws = {node_id for _, node_id, throw in importer.links if throw}
        for node_id in inner:
            if (
                node_id not in sources
                and node_id not in ends
                and node_id not in throws
                and graph.nodes[node_id].type != "gateway"
            ):
                graph.connect(node_id, join, graph.nodes[node_id].span)


def _flows(importer: ProcessImporter) -> None:
    graph = importer.graph
    for element in importer.flows:
        flow_id = element.attrs.get("id")
        if not flow_id:
            importer.error(codes.LD003, element, "<sequenceFlow> has no id")
        ends = []
        for key in ("sourceRef", "targetRef"):
            ref = element.attrs.get(key)
            if not ref:
                importer.error(codes.LD003, element, f"sequence flow {flow_id or '?'} has no {key}")
            elif ref in importer.skipped:
                pass  # already reported as unsupported; its flows go with it
            elif ref not in importer.entry:
                importer.error(
                    codes.LD005,
                    element,
                    f"sequence flow {flow_id or '?'} refers to a missing element '{ref}' ({key})",
                    "every sourceRef/targetRef must name a flow node of the same process",
                )
            else:
                ends.append(ref)
        if len(ends) != 2:
            continue
        name = element.attrs.get("name", "").strip()
        condition = element.child("conditionExpression")
        if condition is not None and not condition.text.strip():
            condition = None
        graph.connect(
            importer.exit[ends[0]],
            importer.entry[ends[1]],
            importer.span(element),
            condition=condition,
            default=bool(flow_id) and flow_id in importer.defaults,
            description=f"sequenceFlow {flow_id}" + (f" '{name}'" if name else ""),
            bpmn_id=flow_id,
        )
    known = {element.attrs.get("id") for element in importer.flows}
    for flow_id, owner in importer.defaults.items():
        if flow_id not in known:
            importer.error(codes.LD005, owner, f"default flow '{flow_id}' does not exist")


def _links(importer: ProcessImporter) -> None:
    """A throwing link event continues at the catching link events of the same name."""
    graph = importer.graph
    catches = [(name, node) for name, node, throw in importer.links if not throw]
    for name, node_id, throw in importer.links:
        if throw:
            for catch_name, catch in catches:
                if catch_name == name:
                    graph.connect(node_id, catch, graph.nodes[node_id].span)


def _start(importer: ProcessImporter, process: XElement) -> None:
    """Exactly one start node: several start events become a free choice among them."""
    graph = importer.graph
    starts = [node for node in graph.nodes.values() if node.type == "start"]
    if len(starts) == 1:
        return
    span = importer.span(process)
    start = graph.add(GNode(graph.fresh("start"), "start", span, description="instance start"))
    if len(starts) > 1:
        names = ", ".join(node.id for node in starts)
        graph.note(
            codes.LD009,
            f"process has {len(starts)} start events ({names}): archctl starts an instance at "
            "one of them, chosen freely",
            span,
            start.id,
        )
        for node in starts:
            node.type, node.task = "task", "service"
        targets = [node.id for node in starts]
        kind = "exclusive"
    else:
        boundary_nodes = {node_id for _, node_id in importer.boundaries}
        entered = {flow.target for flow in graph.flows}
        # only the process's own flow nodes start: not the nodes inside a subprocess (its
        # entry starts them) and not synthetic ones (a subprocess's completion join)
        targets = [
            node_id
            for node_id in importer.top
            if node_id not in entered and node_id not in boundary_nodes
        ]
        graph.note(
            codes.LD009,
            "process has no start event: every node without an incoming flow starts "
            f"({', '.join(targets) or 'none'})",
            span,
            start.id,
        )
        kind = "parallel"
    if len(targets) == 1:
        graph.connect(start.id, targets[0], span)
    elif targets:
        split = graph.add(GNode(graph.fresh("start.split"), "gateway", span, gateway=kind))
        graph.connect(start.id, split.id, span)
        for target in targets:
            graph.connect(split.id, target, span)
