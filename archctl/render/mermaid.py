"""DiagramGraph -> Mermaid flowchart text, for Markdown that GitHub and GitLab render inline.

Mermaid ids must be plain words and some words are keywords (``end``), so every node gets a
derived id ``n_<name>`` (non-word characters become ``_``, clashes get ``_2``, ``_3`` in
diagram order) and the real name goes into the quoted label. Labels escape the characters
Mermaid treats specially as entity codes.
"""

from __future__ import annotations

import re

from archctl.render.graph import CLASSES, KIND_CLASSES, DEdge, DiagramGraph, DNode, full_label

RED, ORANGE, BLUE, GREY = "#d1242f", "#bc4c00", "#0969da", "#8c959f"

#: Class -> CSS; declared lowest precedence first so a later (stronger) class wins.
_CLASS_CSS: dict[str, str] = {
    "trace": f"stroke:{BLUE},stroke-width:3px,color:{BLUE}",
    "error": f"stroke:{RED},stroke-width:2px,color:{RED}",
    "warning": f"stroke:{ORANGE},stroke-width:2px,color:{ORANGE}",
    "dead": f"stroke:{GREY},color:{GREY},fill:#eaeef2",
    "allow": "fill:#dafbe1",
    "deny": "fill:#ffebe9",
    "missing": f"stroke:{GREY},color:{GREY},stroke-dasharray:4 3",
    "root": "stroke-width:3px",
    "cycle": f"stroke:{RED},stroke-width:2px,color:{RED}",
}
_ORDER = (*CLASSES, *KIND_CLASSES)
_SHAPE_KIND_CSS = {
    "end": "stroke-width:4px",
    "point": "fill:#000,stroke:#000",
}

_ESCAPES = (
    ("#", "#35;"),
    ("&", "#38;"),
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("|", "#124;"),
)


def label(text: str) -> str:
    """A quoted Mermaid label; newlines become line breaks."""
    for raw, code in _ESCAPES:
        text = text.replace(raw, code)
    return '"' + text.replace("\r", "").replace("\n", "<br/>") + '"'


def make_ids(graph: DiagramGraph) -> dict[str, str]:
    """Stable Mermaid ids for every node key, in diagram order."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node.key)
        candidate, number = base, 1
        while candidate in used:
            number += 1
            candidate = f"{base}_{number}"
        used.add(candidate)
        ids[node.key] = candidate
    return ids


def _shape(node: DNode, ident: str) -> str:
    text = full_label(node.label, node.notes)
    if node.marker is not None:
        text = f"{node.marker}\n{text}"
    quoted = label(text)
    if node.shape in ("circle", "end"):
        return f"{ident}(({quoted}))"
    if node.shape == "final":
        return f"{ident}((({quoted})))"
    if node.shape == "point":
        return f'{ident}((" "))'
    if node.shape == "rounded":
        return f"{ident}({quoted})"
    if node.shape == "diamond":
        return f"{ident}{{{quoted}}}"
    if node.shape == "note":
        return f"{ident}>{quoted}]"
    return f"{ident}[{quoted}]"


def _arrow(edge: DEdge) -> str:
    text = full_label(edge.label, edge.notes)
    arrow = "-.->" if edge.style in ("dashed", "dotted") else "-->"
    return f"{arrow}|{label(text)}|" if text else arrow


def render_mermaid(graph: DiagramGraph) -> str:
    """The Mermaid flowchart text of a diagram, newline-terminated."""
    ids = make_ids(graph)
    lines = ["---", f"title: {label(graph.title)}", "---", f"flowchart {graph.direction}"]
    clustered = {key for cluster in graph.clusters for key in cluster.members}
    for node in graph.nodes:
        if node.key not in clustered:
            lines.append("  " + _shape(node, ids[node.key]))
    for cluster in graph.clusters:
        ident = "cluster_" + re.sub(r"[^A-Za-z0-9_]", "_", cluster.key)
        lines.append(f"  subgraph {ident}[{label(cluster.label)}]")
        for key in cluster.members:
            member = graph.node(key)
            if member is not None:
                lines.append("    " + _shape(member, ids[key]))
        lines.append("  end")
    for edge in graph.edges:
        lines.append(f"  {ids[edge.source]} {_arrow(edge)} {ids[edge.target]}")
    if graph.legend:
        lines.append(f"  subgraph legend[{label('legend')}]")
        for style, text in graph.legend:
            lines.append(f"    legend_{style}[{label(text)}]")
        for number, (_, text) in enumerate(graph.unplaced, 1):
            lines.append(f"    finding_{number}>{label(text)}]")
        lines.append("  end")
    lines.extend(_styles(graph, ids))
    return "\n".join(lines) + "\n"


def _styles(graph: DiagramGraph, ids: dict[str, str]) -> list[str]:
    lines = []
    shape_members: dict[str, list[str]] = {}
    for node in graph.nodes:
        if node.shape in _SHAPE_KIND_CSS:
            shape_members.setdefault(node.shape, []).append(ids[node.key])
    for shape, css in _SHAPE_KIND_CSS.items():
        if shape in shape_members:
            lines.append(f"  classDef shape_{shape} {css}")
            lines.append(f"  class {','.join(shape_members[shape])} shape_{shape}")
    legend = {style for style, _ in graph.legend}
    for name in reversed(_ORDER):
        members = [ids[n.key] for n in graph.nodes if name in n.classes]
        if name in legend:
            members.append(f"legend_{name}")
        members += [f"finding_{n}" for n, (s, _) in enumerate(graph.unplaced, 1) if s == name]
        if members:
            lines.append(f"  classDef {name} {_CLASS_CSS[name]}")
            lines.append(f"  class {','.join(members)} {name}")
    for name in reversed(_ORDER):
        indices = [str(i) for i, edge in enumerate(graph.edges) if edge.classes[:1] == [name]]
        if indices:
            parts = [p for p in _CLASS_CSS[name].split(",") if not p.startswith("fill")]
            if parts:
                lines.append(f"  linkStyle {','.join(indices)} {','.join(parts)}")
    return lines
