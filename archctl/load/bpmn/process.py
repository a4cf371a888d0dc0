"""Turn one BPMN ``<process>`` into a node/flow graph with archctl's token semantics.

Mapping (docs/bpmn.md has the full table): activities become tasks; intermediate, boundary
and subprocess-internal events become pass-through tasks; an embedded subprocess is flattened
(its entry is a task, its ids are prefixed ``Sub.``, its end events join in an inclusive
gateway that feeds the subprocess's outgoing flows); boundary events become alternatives
after their activity (error boundaries its ``on_error``). Whatever differs from BPMN is an
LD009 warning naming the element; broken references are located LD003/LD005 errors.
"""

from __future__ import annotations

import re

from archctl import codes
from archctl.diagnostics import Code
from archctl.load.bpmn.engine import assignee, retry, written
from archctl.load.bpmn.graph import GNode, Graph
from archctl.load.bpmn.xml import XElement, element_span
from archctl.source import SourceFile, Span

TASKS = {
    "task": "service",
    "serviceTask": "service",
    "sendTask": "service",
    "receiveTask": "service",
    "businessRuleTask": "service",
    "userTask": "user",
    "manualTask": "user",
    "scriptTask": "script",
}
GATEWAYS = {
    "exclusiveGateway": "exclusive",
    "parallelGateway": "parallel",
    "inclusiveGateway": "inclusive",
    "eventBasedGateway": "exclusive",
    "complexGateway": "inclusive",
}
INTERMEDIATE = ("intermediateCatchEvent", "intermediateThrowEvent")
IGNORED = {
    "laneSet", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "group", "documentation", "extensionElements", "ioSpecification",
    "property", "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing",
    "auditing", "monitoring", "category", "resourceRole", "performer", "potentialOwner",
    "humanPerformer", "supportedInterfaceRef", "correlationSubscription",
    "standardLoopCharacteristics", "multiInstanceLoopCharacteristics", "ioBinding",
}  # fmt: skip
#: deepest subprocess nesting imported (flattening recurses once per level)
MAX_NESTING = 64
ODD_END_DEFINITIONS = ("signal", "escalation", "compensate", "cancel", "link", "conditional")


def definitions_of(element: XElement) -> list[str]:
    """Event definition kinds of an event: 'message', 'timer', 'error', 'terminate', ..."""
    return [
        child.tag[: -len("EventDefinition")]
        for child in element.bpmn_children()
        if child.tag.endswith("EventDefinition")
    ]


class ProcessImporter:
    def __init__(self, source: SourceFile, graph: Graph) -> None:
        self.source = source
        self.graph = graph
        self.entry: dict[str, str] = {}
        self.exit: dict[str, str] = {}
        self.skipped: set[str] = set()
        self.flows: list[XElement] = []
        self.boundaries: list[tuple[XElement, str]] = []
        self.defaults: dict[str, XElement] = {}  # flow id -> the element naming it default
        self.subprocesses: set[str] = set()
        self.deferred: list[tuple[str, list[str], list[str], list[str], str | None]] = []
        self.joins: list[str] = []
        self.links: list[tuple[str, str, bool]] = []  # (link name, node id, is_throw)
        self.free_choice: set[str] = set()  # event-based gateways: conditions never apply
        self.depth = 0  # subprocess nesting, bounded so hostile input cannot exhaust the stack
        self.global_tasks: dict[str, str] = {}  # id of a <globalTask>-like element -> task kind
        self.messages: dict[str, str] = {}  # id of a <message> -> its name (or id)
        self.error_ends: list[tuple[XElement, str]] = []  # error end events in subprocesses
        self.top: list[str] = []  # node ids of the process's own flow nodes (not inner ones)
        #: per flattened subprocess: (prefix of its node ids, completion join, inner terminates)
        self.scopes: list[tuple[str, str, list[str]]] = []
        self.terminates: list[str] = []  # terminate ends of the subprocess being imported
        #: the listener steps that fire a boundary event (boundaries.py: a repeated one's
        #: ``.fire`` gateway, an interrupting one's ``.interrupt`` step)
        self.listener_steps: set[str] = set()

    def span(self, element: XElement) -> Span:
        return element_span(self.source, element)

    def unsupported(self, element: XElement, what: str, subject: str | None = None) -> None:
        ident = element.attrs.get("id", "?")
        subject = subject or element.attrs.get("id")
        self.graph.note(
            codes.LD009, f"{element.tag} '{ident}': {what}", self.span(element), subject
        )

    def error(
        self, code: Code, element: XElement, message: str, help_text: str | None = None
    ) -> None:
        self.graph.note(code, message, self.span(element), element.attrs.get("id"), help_text)

    # -- building (bpmn_wiring.build_process drives this) -------------------------------
    def container(self, parent: XElement, prefix: str) -> tuple[list[str], list[str], list[str]]:
        """Create the nodes of a process or subprocess; returns (starts, ends, all) node ids."""
        starts: list[str] = []
        ends: list[str] = []
        inner: list[str] = []
        for child in parent.children:
            if not child.is_bpmn:
                if parent.tag != "extensionElements" and child.ns is not None:
                    self.unsupported(child, f"element in unknown namespace '{child.ns}' skipped")
                elif child.ns is None:
                    self.unsupported(child, "element without the BPMN namespace skipped")
                continue
            tag = child.tag
            if tag == "sequenceFlow":
                self.flows.append(child)
                continue
            if tag in IGNORED:
                continue
            bpmn_id = child.attrs.get("id")
            if not bpmn_id:
                self.error(codes.LD003, child, f"<{tag}> has no id, so no flow can refer to it")
                continue
            if bpmn_id in self.entry or bpmn_id in self.skipped:
                self.error(codes.LD006, child, f"id '{bpmn_id}' is used twice")
                continue
            if child.attrs.get("default"):
                self.defaults[child.attrs["default"]] = child
            node_id = self.element(child, prefix, bpmn_id)
            if node_id is None:
                self.skipped.add(bpmn_id)
                continue
            inner.append(node_id)
            if tag == "startEvent":
                starts.append(node_id)
            elif tag == "endEvent":
                ends.append(node_id)
            if child.child("standardLoopCharacteristics") or child.child(
                "multiInstanceLoopCharacteristics"
            ):
                self.unsupported(child, "loop/multi-instance marker ignored: runs once", node_id)
        return starts, ends, inner

    def _node(self, element: XElement, node_id: str, node_type: str, **extra: object) -> str:
        extra.update(self.message_of(element))
        name = element.attrs.get("name", "").strip()
        described = f"{element.tag} {element.attrs['id']}" + (f" '{name}'" if name else "")
        node = GNode(
            node_id,
            node_type,
            self.span(element),
            description=described,
            bpmn_id=element.attrs["id"],
            **extra,  # type: ignore[arg-type]
        )
        if node.activity:
            node.assignee = assignee(element)
            node.writes = written(element)
            node.retry, problem = retry(element, node.span)
            if problem:
                self.unsupported(element, problem, node_id)
        self.graph.add(node)
        self.entry[element.attrs["id"]] = node_id
        self.exit[element.attrs["id"]] = node_id
        return node_id

    def message_of(self, element: XElement) -> dict[str, object]:
        """``message``/``message_role`` of a message event or send/receive task.

        The name of the ``<message>`` its ``messageRef`` names (its id when unnamed, the
        reference itself when it names nothing known, the element's own id when there is no
        reference): collaborations match these across pools.
        """
        tag = element.tag
        definition = element.child("messageEventDefinition")
        if tag in ("sendTask", "receiveTask"):
            ref = element.attrs.get("messageRef")
            role = "send" if tag == "sendTask" else "receive"
        elif definition is not None:
            ref = definition.attrs.get("messageRef")
            throws = tag in ("intermediateThrowEvent", "endEvent")
            role = "send" if throws else "receive"
        else:
            return {}
        name = self.messages.get(ref, ref) if ref else element.attrs.get("id")
        return {"message": name, "message_role": role}

    def element(self, element: XElement, prefix: str, bpmn_id: str) -> str | None:
        tag = element.tag
        node_id = self.graph.claim(prefix + bpmn_id)
        if element.attrs.get("isForCompensation") == "true":
            self.unsupported(element, "compensation handler not modelled (skipped)")
            return None
        if tag in TASKS:
            return self._node(element, node_id, "task", task=TASKS[tag], activity=True)
        if tag == "callActivity":
            return self.call_activity(element, node_id)
        if tag in ("subProcess", "transaction", "adHocSubProcess"):
            return self.subprocess(element, node_id)
        if tag in GATEWAYS:
            if tag == "eventBasedGateway":
                # the race of its catch events: in one process they are environment inputs,
                # so whichever comes first is a free exclusive choice (exact, no LD009)
                self.free_choice.add(node_id)
            elif tag == "complexGateway":
                self.unsupported(element, "modelled as an inclusive gateway", node_id)
            return self._node(element, node_id, "gateway", gateway=GATEWAYS[tag])
        if tag == "startEvent":
            if prefix:
                return self._node(element, node_id, "task", task="service")
            return self._node(element, node_id, "start")
        if tag == "endEvent":
            return self.end_event(element, node_id, prefix)
        if tag in INTERMEDIATE:
            return self.intermediate(element, node_id)
        if tag == "boundaryEvent":
            if "compensate" in definitions_of(element):
                self.unsupported(element, "compensation boundary not modelled (skipped)")
                return None
            self.boundaries.append((element, node_id))
            return self._node(element, node_id, "task", task="service")
        self.unsupported(element, "not a construct archctl can model (skipped)")
        return None

    def call_activity(self, element: XElement, node_id: str) -> str:
        called = element.attrs.get("calledElement")
        for extension in element.bpmn_children("extensionElements"):
            for item in extension.children:
                if item.tag == "calledElement" and item.attrs.get("processId"):
                    called = called or item.attrs["processId"]
        if not called:
            self.unsupported(element, "calls no process (no calledElement): a plain task", node_id)
            return self._node(element, node_id, "task", task="service", activity=True)
        if called in self.global_tasks:  # a reusable task, not a process: run it in place
            return self._node(
                element, node_id, "task", task=self.global_tasks[called], activity=True
            )
        process = re.sub(r"[^A-Za-z0-9_-]", "_", called)
        return self._node(
            element, node_id, "task", task="subprocess", process=process, activity=True
        )

    def subprocess(self, element: XElement, node_id: str) -> str | None:
        if element.attrs.get("triggeredByEvent") == "true":
            self.unsupported(element, "event subprocess not modelled (skipped)")
            return None
        if element.tag == "adHocSubProcess":
            self.unsupported(element, "ad-hoc subprocess modelled as one task", node_id)
            return self._node(element, node_id, "task", task="service", activity=True)
        if self.depth >= MAX_NESTING:
            self.error(codes.LD004, element, f"subprocesses nested deeper than {MAX_NESTING}")
            return None
        self._node(element, node_id, "task", task="service", activity=True)
        self.subprocesses.add(element.attrs["id"])
        self.depth += 1
        terminates_before = len(self.terminates)
        starts, ends, inner = self.container(element, f"{node_id}.")
        self.depth -= 1
        if not inner:
            return node_id
        # BPMN: a subprocess completes once no token is left inside it, however many tokens
        # reached its ends (or implicit ends): one completion join, whatever the inner shape.
        join = self.graph.fresh(f"{node_id}.join")
        self.graph.add(
            GNode(
                join,
                "gateway",
                self.span(element),
                gateway="inclusive",
                description=f"completion of subprocess {node_id}",
            )
        )
        self.joins.append(join)
        self.exit[element.attrs["id"]] = join
        self.scopes.append((f"{node_id}.", join, self.terminates[terminates_before:]))
        del self.terminates[terminates_before:]
        self.deferred.append((node_id, starts, ends, inner, join))
        if len(starts) > 1:
            self.unsupported(element, "several start events: all are started", node_id)
        return node_id

    def end_event(self, element: XElement, node_id: str, prefix: str) -> str:
        kinds = definitions_of(element)
        for kind in kinds:
            if kind in ODD_END_DEFINITIONS:
                self.unsupported(element, f"{kind} end modelled as a plain end", node_id)
        if prefix:
            if "error" in kinds:  # caught by a subprocess's error boundary (boundaries.py)
                self.error_ends.append((element, node_id))
            if "terminate" in kinds:
                self.terminates.append(node_id)  # kills its subprocess's tokens (wiring)
            return self._node(element, node_id, "task", task="service")
        result = "failure" if "error" in kinds else None
        return self._node(
            element, node_id, "end", result=result, terminate="terminate" in kinds, once=True
        )

    def intermediate(self, element: XElement, node_id: str) -> str:
        kinds = definitions_of(element)
        throw = element.tag == "intermediateThrowEvent"
        for kind in kinds:
            if kind == "link":
                definition = element.child("linkEventDefinition")
                name = (definition.attrs.get("name") if definition else None) or element.attrs.get(
                    "name", ""
                )
                self.links.append((name, node_id, throw))
            elif kind in ("compensate", "escalation", "cancel", "error", "conditional"):
                self.unsupported(element, f"{kind} event modelled as a pass-through step", node_id)
        return self._node(element, node_id, "task", task="service")
