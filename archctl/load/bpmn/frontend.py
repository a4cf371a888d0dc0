"""BPMN 2.0 XML front end: ``.bpmn`` files as drawn in Camunda Modeler or bpmn.io.

Each ``<process>`` becomes one :class:`Workflow` named after the process id, so a
collaboration with several pools yields one workflow per pool; a collaboration whose pools
exchange messages also becomes a system (:mod:`archctl.load.bpmn.collaboration`).
Conditions written in JUEL or FEEL are translated where archctl's expression language can
say the same thing; otherwise their gateway becomes a free choice with an LD009 note. What
the import approximates is listed in docs/bpmn.md.
"""

from __future__ import annotations

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.load.bpmn.collaboration import PoolImport, collaboration_specs, spec_name
from archctl.load.bpmn.gateways import gateway_conditions
from archctl.load.bpmn.graph import Graph
from archctl.load.bpmn.process import GATEWAYS, TASKS, ProcessImporter
from archctl.load.bpmn.wiring import build_process
from archctl.load.bpmn.xml import BPMN_MODEL, XElement, element_span, parse_xml
from archctl.model.expr import Assignment
from archctl.model.spec import LoadResult
from archctl.model.workflow import Flow, Node, Workflow
from archctl.source import SourceFile

FLOW_NODE_TAGS = (
    *TASKS, *GATEWAYS, "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
)  # fmt: skip

#: BPMN says a task with an error boundary event *can* fail, never how often; archctl's
#: checkers only need "can fail" (rate > 0) and the simulator some rate, so it gets this
#: nominal one (documented in docs/bpmn.md).
ERROR_BOUNDARY_RATE = 0.01


def load_bpmn_text(path: str, text: str) -> LoadResult:
    source = SourceFile(path, text)
    result = LoadResult(sources={path: source}, files=[path])
    root, problems = parse_xml(source)
    result.diagnostics.extend(problems)
    if root is None:
        return result
    if not (root.is_bpmn and root.tag == "definitions"):
        where = f"{{{root.ns}}}" if root.ns else "no namespace "
        result.diagnostics.append(
            Diagnostic(
                codes.LD004,
                default_severity(codes.LD004),
                f"not a BPMN 2.0 document: the root element is <{root.tag}> in {where}",
                element_span(source, root),
                help=f'BPMN files start with <definitions xmlns="{BPMN_MODEL}">',
            )
        )
        return result
    reserved = {element.attrs["id"] for element in _walk(root) if "id" in element.attrs}
    language = root.attrs.get("expressionLanguage")
    names: set[str] = set()
    imported: list[PoolImport] = []
    global_tasks = {
        element.attrs["id"]: TASKS.get(
            element.tag[len("global") :][:1].lower() + element.tag[len("global") + 1 :], "service"
        )
        for element in root.bpmn_children()
        if element.tag.startswith("global") and "id" in element.attrs
    }
    messages = {
        element.attrs["id"]: element.attrs.get("name") or element.attrs["id"]
        for element in root.bpmn_children("message")
        if "id" in element.attrs
    }
    for process in root.bpmn_children("process"):
        if not any(_is_flow_node(child) for child in process.children):
            continue  # an empty pool: nothing to check
        name = _workflow_name(process.attrs.get("id", "process"), names)
        graph = Graph(path, name, reserved=set(reserved))
        importer = build_process(source, graph, process, global_tasks, messages)
        workflow = _workflow(source, graph, importer, process, language)
        result.diagnostics.extend(graph.notes)
        result.specs.append(workflow)
        imported.append(PoolImport(process, workflow, importer))
    systems, notes, built = collaboration_specs(source, root, imported, names)
    # an event-based gateway's race is exact in its collaboration's system: no LD009 for it
    result.diagnostics = [
        d for d in result.diagnostics if not (d.code == codes.LD009 and d.subject in built)
    ]
    result.specs.extend(systems)
    result.diagnostics.extend(notes)
    result.diagnostics.extend(_collaboration_notes(source, root, built))
    return result


def _walk(element: XElement) -> list[XElement]:
    out, stack = [], [element]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def _is_flow_node(element: XElement) -> bool:
    return element.is_bpmn and element.tag in FLOW_NODE_TAGS


def _workflow_name(process_id: str, taken: set[str]) -> str:
    return spec_name(process_id, taken, "process")


def _collaboration_notes(source: SourceFile, root: XElement, built: set[str]) -> list[Diagnostic]:
    """One LD009 per collaboration whose message flows are not checked (it did not become a
    system); a pool naming a missing process is an LD005."""
    out = []
    processes = {p.attrs.get("id") for p in root.bpmn_children("process")}
    for collaboration in root.bpmn_children("collaboration"):
        flows = collaboration.bpmn_children("messageFlow")
        if flows and collaboration.attrs.get("id", "collaboration") not in built:
            out.append(
                Diagnostic(
                    codes.LD009,
                    default_severity(codes.LD009),
                    f"collaboration '{collaboration.attrs.get('id', '?')}': {len(flows)} message "
                    "flow(s) ignored; each process is checked on its own (a message that never "
                    "arrives is not detected)",
                    element_span(source, flows[0]),
                    subject=collaboration.attrs.get("id"),
                )
            )
        for participant in collaboration.bpmn_children("participant"):
            ref = participant.attrs.get("processRef")
            if ref and ref not in processes:
                out.append(
                    Diagnostic(
                        codes.LD005,
                        default_severity(codes.LD005),
                        f"participant '{participant.attrs.get('id', '?')}' refers to a missing "
                        f"process '{ref}'",
                        element_span(source, participant),
                        subject=participant.attrs.get("id"),
                    )
                )
    return out


def _workflow(
    source: SourceFile,
    graph: Graph,
    importer: ProcessImporter,
    process: XElement,
    language: str | None,
) -> Workflow:
    whens, variables = gateway_conditions(graph, importer, language)
    nodes = []
    for node in graph.nodes.values():
        sets: tuple[Assignment, ...] = ()
        if node.activity and variables:
            # BPMN does not say which task writes which variable: any activity may write any,
            # unless its Zeebe output mappings name what it writes (with values unknown).
            sets = tuple(
                Assignment(v.name, None, node.span, node.span)
                for v in variables
                if node.writes is None or v.name in node.writes
            )
        nodes.append(
            Node(
                node.id,
                node.type,
                node.span,
                task=node.task if node.type == "task" else None,
                gateway=node.gateway,
                process=node.process,
                process_span=node.span if node.process else None,
                assignee=node.assignee,
                retry=node.retry,
                on_error=node.on_error,
                on_error_span=node.span if node.on_error else None,
                failure_rate=ERROR_BOUNDARY_RATE if node.on_error else 0.0,
                sets=sets,
                result=node.result,
                description=node.description,
                terminate=node.terminate,
                scope=node.scope,
                once=node.once,
                bpmn_id=node.bpmn_id,
                message=node.message,
                message_role=node.message_role,
            )
        )
    flows = tuple(
        Flow(
            index,
            flow.source,
            flow.target,
            whens.get(index),
            flow.default,
            flow.span,
            flow.description,
        )
        for index, flow in enumerate(graph.flows)
    )
    name = process.attrs.get("name")
    return Workflow(
        name=graph.spec,
        span=element_span(source, process),
        variables=variables,
        nodes=tuple(nodes),
        flows=flows,
        description=f"BPMN process {process.attrs.get('id', '?')}" + (f" '{name}'" if name else ""),
    )
