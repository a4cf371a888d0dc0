"""The mutable node/flow graph a BPMN process is built into before it becomes a Workflow.

Importing needs rewiring (inserted split gateways, flattened subprocesses, boundary events
turned into alternatives), which frozen model objects make awkward; this small graph keeps
nodes in insertion order and flows in document order so the result is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archctl.diagnostics import Code, Diagnostic
from archctl.load.bpmn.xml import XElement
from archctl.load.errors import located
from archctl.model.workflow import RetryPolicy
from archctl.source import Span

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass
class GNode:
    id: str
    type: str  # start | task | gateway | end
    span: Span
    task: str | None = None
    gateway: str | None = None
    process: str | None = None
    on_error: str | None = None
    result: str | None = None
    description: str | None = None
    activity: bool = False  # a BPMN activity (task, call activity, subprocess), not an event
    assignee: str | None = None
    retry: RetryPolicy | None = None
    bpmn_id: str | None = None
    terminate: bool = False  # a terminate end event (inside a subprocess: of its scope)
    scope: tuple[str, ...] = ()  # completion join / inner terminate: the subprocess's nodes
    writes: tuple[str, ...] | None = None  # variables the activity writes; None: any
    once: bool = False  # a BPMN end event of the process: reached at most once (WF114)
    message: str | None = None  # message events, send/receive tasks: the message's name
    message_role: str | None = None  # "send" | "receive"


@dataclass
class GFlow:
    source: str
    target: str
    span: Span
    condition: XElement | None = None
    default: bool = False
    description: str | None = None
    bpmn_id: str | None = None


@dataclass
class Graph:
    """Nodes by id (insertion order kept) and flows; ``notes`` collects LD diagnostics."""

    path: str
    spec: str
    nodes: dict[str, GNode] = field(default_factory=dict)
    flows: list[GFlow] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)  # every BPMN id of the document

    def claim(self, bpmn_id: str) -> str:
        """The node id of a BPMN element: its own id when that is a valid, unused node id."""
        if (
            bpmn_id not in self.taken
            and not _UNSAFE_ID.search(bpmn_id)
            and bpmn_id[:1] not in ("", ".", "-")
        ):
            self.taken.add(bpmn_id)
            return bpmn_id
        return self.fresh(bpmn_id)

    def fresh(self, base: str) -> str:
        """A new node id that clashes with no node and no BPMN id: ``base``, ``base-2``, ..."""
        clean = _UNSAFE_ID.sub("_", base) or "node"
        if not clean[0].isalnum() and clean[0] != "_":
            clean = "_" + clean
        candidate, number = clean, 2
        while candidate in self.taken or candidate in self.reserved:
            candidate = f"{clean}-{number}"
            number += 1
        self.taken.add(candidate)
        return candidate

    def add(self, node: GNode) -> GNode:
        self.nodes[node.id] = node
        return node

    def synthetic(
        self, base: str, node_type: str, span: Span, description: str, **extra: object
    ) -> GNode:
        """Add a node the importer makes up (a fresh id from ``base``), at ``span``."""
        node = GNode(self.fresh(base), node_type, span, description=description, **extra)  # type: ignore[arg-type]
        return self.add(node)

    def connect(self, source: str, target: str, span: Span, **extra: object) -> GFlow:
        flow = GFlow(source, target, span, **extra)  # type: ignore[arg-type]
        self.flows.append(flow)
        return flow

    def outgoing(self, node_id: str) -> list[GFlow]:
        return [flow for flow in self.flows if flow.source == node_id]

    def incoming(self, node_id: str) -> list[GFlow]:
        return [flow for flow in self.flows if flow.target == node_id]

    def note(
        self,
        code: Code,
        message: str,
        span: Span,
        subject: str | None = None,
        help_text: str | None = None,
    ) -> None:
        self.notes.append(located(code, message, span, help_text, subject, self.spec))

    def ensure_single_exit(self, node_id: str, force: bool = False) -> None:
        """Give a non-gateway node exactly one outgoing flow, as archctl's tasks have.

        BPMN lets an activity or event have several outgoing flows (an implicit parallel
        split, or an inclusive one when they carry conditions) or none (an implicit end).
        ``force`` treats an importer-made join gateway the same way.
        """
        node = self.nodes[node_id]
        if node.type == "end" or (node.type == "gateway" and not force):
            return
        outs = self.outgoing(node_id)
        if len(outs) == 1 and outs[0].condition is None and not outs[0].default:
            return
        if not outs:
            what = f"implicit end after {node_id}"
            end = self.synthetic(f"{node_id}.end", "end", node.span, what)
            self.connect(node_id, end.id, node.span)
            return
        conditional = any(flow.condition is not None or flow.default for flow in outs)
        kind = "inclusive" if conditional else "parallel"
        split = self.add(
            GNode(
                self.fresh(f"{node_id}.split"),
                "gateway",
                node.span,
                gateway=kind,
                description=f"implicit {kind} split after {node_id}",
            )
        )
        for flow in outs:
            flow.source = split.id
        self.connect(node_id, split.id, node.span)
