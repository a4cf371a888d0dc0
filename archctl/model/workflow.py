"""Workflows: BPMN-style nodes and flows with token semantics (see spec-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.model.expr import Action, Expr
from archctl.model.types import Variable
from archctl.source import Span


@dataclass(frozen=True)
class Distribution:
    """Duration of one attempt, milliseconds. ``kind``: fixed|uniform|exponential|normal|lognormal.

    fixed uses ``value``; uniform ``low``/``high``; exponential ``mean``; normal and lognormal
    ``mean``/``stddev`` of the resulting duration (never negative: normal is clipped at 0).
    """

    kind: str
    value: float = 0.0
    low: float = 0.0
    high: float = 0.0
    mean: float = 0.0
    stddev: float = 0.0


def distribution(kind: str, params: dict[str, float]) -> Distribution:
    """A duration distribution from the format's parameter names (min, max, value, mean, ...).

    Raises ValueError when the parameters cannot describe a distribution; every front end
    reports that as LD004 at the duration.
    """
    if kind == "uniform" and params["min"] > params["max"]:
        raise ValueError("uniform duration needs min <= max")
    return Distribution(
        kind,
        value=params.get("value", 0.0),
        low=params.get("min", 0.0),
        high=params.get("max", 0.0),
        mean=params.get("mean", 0.0),
        stddev=params.get("stddev", 0.0),
    )


#: Longest wait between attempts that is modelled: 2^53 ms, the last whole float.
LONGEST_WAIT_MS = float(2**53)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_ms: int
    multiplier: float
    max_backoff_ms: int | None
    span: Span

    def delay_after(self, failed_attempt: int) -> float:
        """Wait before the next attempt after the n-th failure (1-based), per spec-format.md.

        Waits are capped at :data:`LONGEST_WAIT_MS` (about 285,000 years): ``multiplier ** n``
        leaves the float range long before ``max_attempts`` runs out, and an infinite wait
        would make every latency and sum infinite (and the JSON reports invalid).
        """
        try:
            delay = self.backoff_ms * self.multiplier ** (failed_attempt - 1)
        except OverflowError:
            delay = LONGEST_WAIT_MS if self.backoff_ms else 0.0
        if self.max_backoff_ms is not None:
            delay = min(delay, self.max_backoff_ms)
        return min(delay, LONGEST_WAIT_MS)


@dataclass(frozen=True)
class Node:
    id: str
    type: str  # "start" | "task" | "gateway" | "end"
    span: Span
    task: str | None = None  # service | user | script | subprocess
    gateway: str | None = None  # exclusive | parallel | inclusive
    process: str | None = None
    process_span: Span | None = None
    assignee: str | None = None
    deadline_ms: int | None = None
    retry: RetryPolicy | None = None
    on_error: str | None = None
    on_error_span: Span | None = None
    sets: Action = ()
    duration: Distribution | None = None
    failure_rate: float = 0.0
    result: str | None = None  # end: success | failure
    description: str | None = None
    #: Set only by importers (BPMN), never by YAML or the DSL. ``terminate`` on an end: reaching
    #: it removes every token of the instance (BPMN's terminate end event). ``scope`` names the
    #: nodes of a flattened subprocess: on a gateway it is that subprocess's completion, which
    #: fires once no token is left on a flow into those nodes and takes every token on its
    #: inputs; on a task with ``terminate`` it removes every token inside them, then goes on.
    terminate: bool = False
    scope: tuple[str, ...] = ()
    #: Set only by importers. ``once`` on an end: it is a BPMN end event, which a completing
    #: instance should reach at most once (proper completion, WF114); YAML ends may be
    #: reached by several tokens (spec-format.md).
    once: bool = False
    #: Set only by importers: the BPMN element id the node comes from, and for message events
    #: and send/receive tasks the message's name (or id) with ``message_role`` "send" or
    #: "receive". In a single process a message is an environment input (the node is a plain
    #: pass-through step); collaborations read these to connect pools.
    bpmn_id: str | None = None
    message: str | None = None
    message_role: str | None = None


@dataclass(frozen=True)
class Flow:
    index: int
    source: str
    target: str
    when: Expr | None
    default: bool
    span: Span
    description: str | None = None

    @property
    def label(self) -> str:
        return f"{self.source} -> {self.target}"


@dataclass(frozen=True)
class Workflow:
    name: str
    span: Span
    variables: tuple[Variable, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    version: str | None = None
    description: str | None = None
    kind: Literal["workflow"] = "workflow"
    #: ``sla``: every run must complete within this many milliseconds (1.1)
    sla_ms: int | None = None

    def node(self, node_id: str) -> Node | None:
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None

    def outgoing(self, node_id: str) -> tuple[Flow, ...]:
        return tuple(flow for flow in self.flows if flow.source == node_id)

    def incoming(self, node_id: str) -> tuple[Flow, ...]:
        return tuple(flow for flow in self.flows if flow.target == node_id)
