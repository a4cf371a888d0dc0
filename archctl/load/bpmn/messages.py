"""The message side of a BPMN collaboration: pools and the message flows between them.

A ``<collaboration>`` names its pools (``<participant processRef="P">``) and draws message
flows from a flow node of one pool to a flow node of another. Each flow is one channel of
the system: its sender is the element the flow leaves (a send task, a message throw or end
event, any activity), its receiver the element it enters (a receive task, a message start,
catch or boundary event, any activity). A flow that starts or ends on a pool's border
(a black-box pool, or a pool drawn collapsed) has no element to run it: it is reported
(LD009) and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archctl import codes
from archctl.diagnostics import Diagnostic
from archctl.load.bpmn.xml import XElement, element_span
from archctl.load.errors import located
from archctl.source import SourceFile, Span


@dataclass(frozen=True)
class Pool:
    participant: str  # the participant id
    name: str  # component name: the participant's id as an identifier
    process: str  # the process id
    label: str  # for messages: "pool 'Shop'"
    span: Span


@dataclass(frozen=True)
class MessageFlow:
    id: str
    channel: str  # channel name: the flow's id as an identifier
    message: str  # message name: the flow's name (or id) as an identifier
    source: str  # BPMN id of the sending element
    target: str  # BPMN id of the receiving element
    sender: str  # process ids
    receiver: str
    span: Span


@dataclass
class Collaboration:
    id: str
    span: Span
    pools: list[Pool]
    flows: list[MessageFlow]


def identifier(text: str, fallback: str) -> str:
    """A name expressions can use (``COMPONENT.state``): letters, digits and ``_``."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", text.strip()) or fallback
    return clean if not clean[0].isdigit() else f"_{clean}"


def read_collaborations(
    source: SourceFile, root: XElement, owners: dict[str, str]
) -> tuple[list[Collaboration], list[Diagnostic]]:
    """Collaborations with at least one pool that runs a process; ``owners`` maps every
    flow node's BPMN id to the id of the process it belongs to (subprocesses included)."""
    processes = {p.attrs.get("id") for p in root.bpmn_children("process")}
    out: list[Collaboration] = []
    notes: list[Diagnostic] = []
    for element in root.bpmn_children("collaboration"):
        ident = element.attrs.get("id", "collaboration")
        pools, names = [], set()
        for participant in element.bpmn_children("participant"):
            ref = participant.attrs.get("processRef")
            if not ref or ref not in processes:
                continue  # a black-box pool (or a missing process: LD005 elsewhere)
            base = identifier(participant.attrs.get("id", ref), "pool")
            name, number = base, 2
            while name in names:
                name, number = f"{base}_{number}", number + 1
            names.add(name)
            label = participant.attrs.get("name") or participant.attrs.get("id", ref)
            pools.append(
                Pool(
                    participant.attrs.get("id", ref),
                    name,
                    ref,
                    f"pool '{label}'",
                    element_span(source, participant),
                )
            )
        flows = []
        channels: set[str] = set()
        for flow in element.bpmn_children("messageFlow"):
            read = _flow(source, flow, owners, channels)
            if isinstance(read, Diagnostic):
                notes.append(read)
            else:
                flows.append(read)
        if pools:
            out.append(Collaboration(ident, element_span(source, element), pools, flows))
    return out, notes


def _flow(
    source: SourceFile, flow: XElement, owners: dict[str, str], channels: set[str]
) -> MessageFlow | Diagnostic:
    ident = flow.attrs.get("id", "messageFlow")
    span = element_span(source, flow)
    sender, receiver = flow.attrs.get("sourceRef", ""), flow.attrs.get("targetRef", "")
    if sender not in owners or receiver not in owners:
        border = sender if sender not in owners else receiver
        return located(
            codes.LD009,
            f"messageFlow '{ident}': '{border}' is not a flow node of a pool's process (a "
            "pool's border or a black-box pool), so no element sends or receives it; the "
            "message flow is left out of the system",
            span,
            "draw the message flow from or to the task or event that sends or receives it",
            ident,
        )
    base = identifier(ident, "flow")
    channel, number = base, 2
    while channel in channels:
        channel, number = f"{base}_{number}", number + 1
    channels.add(channel)
    message = identifier(flow.attrs.get("name") or ident, "message")
    return MessageFlow(
        ident, channel, message, sender, receiver, owners[sender], owners[receiver], span
    )
