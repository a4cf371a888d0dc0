"""The format-neutral diagram every renderer draws: nodes, edges, clusters and style classes.

Builders (one per spec kind) turn a model into a :class:`DiagramGraph`; overlays add style
classes for findings and traces; renderers (DOT, Mermaid) only translate. Keeping the
semantics here means the DOT and Mermaid pictures of a spec always agree, and everything is
kept in insertion order (which follows the spec file), so the same spec gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archctl.source import Span

#: Node shapes the renderers understand.
SHAPES = (
    "circle",  # BPMN start event
    "end",  # BPMN end event: a thick circle
    "point",  # the dot an initial arrow starts from
    "rounded",  # tasks and states
    "final",  # final states: a double circle
    "diamond",  # gateways
    "box",  # plugins, policy rules
    "note",  # legend entries and the policy default
)

#: Style classes: what a finding or a trace says about an element. Order is precedence.
CLASSES: dict[str, str] = {
    "trace": "on the highlighted path (numbers give the step order)",
    "error": "finding: deadlock, cycle or other error",
    "warning": "finding: warning",
    "dead": "finding: unreachable, dead or never deciding",
}

#: Classes that describe the model itself (not findings); renderers style them too.
KIND_CLASSES = ("allow", "deny", "missing", "root", "cycle")


@dataclass
class DNode:
    """One node; ``key`` is the model id (state, node, plugin, rule) overlays match on."""

    key: str
    label: str
    shape: str
    span: Span | None = None
    marker: str | None = None  # a short symbol drawn inside (gateways), the label outside
    classes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # extra label lines added by overlays


@dataclass
class DEdge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"  # solid | dashed | dotted
    span: Span | None = None
    event: str | None = None  # state machines: the transition's event, for trace matching
    default: bool = False  # a gateway's default flow (drawn with a slash marker)
    constraint: bool = True  # whether the edge may shape the layout
    classes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Cluster:
    key: str
    label: str
    members: list[str] = field(default_factory=list)
    same_rank: bool = False


@dataclass
class DiagramGraph:
    name: str
    kind: str
    direction: str = "LR"  # LR | TB | RL | BT
    title: str = ""
    file: str | None = None  # the spec's file: findings from other files are not drawn
    nodes: list[DNode] = field(default_factory=list)
    edges: list[DEdge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (class, text)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # findings on no element
    _index: dict[str, DNode] = field(default_factory=dict, repr=False)

    def add_node(self, node: DNode) -> DNode:
        if node.key in self._index:
            raise ValueError(f"duplicate diagram node {node.key!r}")
        self.nodes.append(node)
        self._index[node.key] = node
        return node

    def add_edge(self, edge: DEdge) -> DEdge:
        self.edges.append(edge)
        return edge

    def node(self, key: str) -> DNode | None:
        return self._index.get(key)

    def edges_between(self, source: str, target: str) -> list[DEdge]:
        return [e for e in self.edges if e.source == source and e.target == target]


def add_class(classes: list[str], name: str) -> None:
    """Add a style class once, keeping the list in precedence order (trace, error, ...)."""
    if name in classes:
        return
    classes.append(name)
    order = {key: index for index, key in enumerate((*CLASSES, *KIND_CLASSES))}
    classes.sort(key=lambda item: order.get(item, len(order)))


def full_label(label: str, notes: list[str]) -> str:
    """The label with overlay notes appended as extra lines."""
    return "\n".join(line for line in [label, *notes] if line) if notes else label


def ms(value: float | None) -> str:
    """A duration in the spec's own style: 250ms, 2s, 1m30s."""
    if value is None:
        return ""
    total = int(value)
    if total % 1000:
        return f"{total}ms" if total < 1000 else f"{total / 1000:g}s"
    seconds = total // 1000
    parts = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"
