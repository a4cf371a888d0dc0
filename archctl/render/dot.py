"""DiagramGraph -> Graphviz DOT text. Pure text: needs neither Graphviz nor the graphviz package.

Attributes are written sorted and every id and label quoted and escaped, so the output is the
same bytes for the same spec and survives any character a name or condition may contain.
"""

from __future__ import annotations

import html

from archctl.render.graph import CLASSES, KIND_CLASSES, DEdge, DiagramGraph, DNode, full_label

FONT = "Helvetica"
RED, ORANGE, BLUE, GREY = "#d1242f", "#bc4c00", "#0969da", "#8c959f"

_SHAPES: dict[str, dict[str, str]] = {
    "circle": {"shape": "circle"},
    "end": {"shape": "circle", "penwidth": "3"},
    "point": {"shape": "point", "width": "0.15"},
    "rounded": {"shape": "box", "style": "rounded"},
    "final": {"shape": "doublecircle"},
    "diamond": {"shape": "diamond", "fixedsize": "true", "width": "0.6", "height": "0.6"},
    "box": {"shape": "box"},
    "note": {"shape": "note"},
}

#: Class -> attributes; applied lowest precedence first so e.g. a trace wins over a finding.
_CLASS_ATTRS: dict[str, dict[str, str]] = {
    "trace": {"color": BLUE, "fontcolor": BLUE, "penwidth": "2.5"},
    "error": {"color": RED, "fontcolor": RED, "penwidth": "2"},
    "warning": {"color": ORANGE, "fontcolor": ORANGE, "penwidth": "2"},
    "dead": {"color": GREY, "fontcolor": GREY, "fillcolor": "#eaeef2", "+style": "filled"},
    "allow": {"fillcolor": "#dafbe1", "+style": "filled"},
    "deny": {"fillcolor": "#ffebe9", "+style": "filled"},
    "missing": {"color": GREY, "fontcolor": GREY, "+style": "dashed"},
    "root": {"penwidth": "2.5"},
    "cycle": {"color": RED, "fontcolor": RED, "penwidth": "2"},
}
_ORDER = (*CLASSES, *KIND_CLASSES)


def quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, newlines as centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


class Html(str):
    """An attribute value written as a Graphviz HTML-like label (already escaped)."""


def _value(value: str) -> str:
    return f"<{value}>" if isinstance(value, Html) else quote(value)


def _attrs(attrs: dict[str, str]) -> str:
    if not attrs:
        return ""
    return " [" + ", ".join(f"{key}={_value(attrs[key])}" for key in sorted(attrs)) + "]"


def _styled(base: dict[str, str], classes: list[str], edge: bool = False) -> dict[str, str]:
    attrs = dict(base)
    styles = [s for s in attrs.pop("style", "").split(",") if s]
    for name in sorted(classes, key=_ORDER.index, reverse=True):
        for key, value in _CLASS_ATTRS[name].items():
            if key == "+style":
                if value not in styles and not (edge and value == "filled"):
                    styles.append(value)
            else:
                attrs[key] = value
    if styles:
        attrs["style"] = ",".join(styles)
    return attrs


def node_attrs(node: DNode) -> dict[str, str]:
    attrs = dict(_SHAPES[node.shape])
    if node.marker is not None:
        # the marker large inside the diamond, the name at normal size beside it
        attrs["label"] = Html(f'<FONT POINT-SIZE="18">{html.escape(node.marker)}</FONT>')
        attrs["xlabel"] = full_label(node.label, node.notes)
    else:
        attrs["label"] = full_label(node.label, node.notes)
    return _styled(attrs, node.classes)


def edge_attrs(edge: DEdge) -> dict[str, str]:
    attrs: dict[str, str] = {}
    label = full_label(edge.label, edge.notes)
    if label:
        attrs["label"] = label
    if edge.style != "solid":
        attrs["style"] = edge.style
    if edge.default:
        attrs["dir"] = "both"
        attrs["arrowtail"] = "tee"
    if not edge.constraint:
        attrs["constraint"] = "false"
    return _styled(attrs, edge.classes, edge=True)


def render_dot(graph: DiagramGraph) -> str:
    """The DOT text of a diagram, newline-terminated."""
    lines = [f"digraph {quote(graph.name)} {{"]
    graph_attrs = {
        "fontname": FONT,
        "label": graph.title,
        "labelloc": "t",
        "newrank": "true",
        "rankdir": graph.direction,
        "forcelabels": "true",
    }
    lines.append(f"  graph{_attrs(graph_attrs)};")
    lines.append(f"  node{_attrs({'fontname': FONT, 'fontsize': '11'})};")
    lines.append(f"  edge{_attrs({'fontname': FONT, 'fontsize': '9'})};")
    clustered = {key for cluster in graph.clusters for key in cluster.members}
    for node in graph.nodes:
        if node.key not in clustered:
            lines.append(f"  {quote(node.key)}{_attrs(node_attrs(node))};")
    for cluster in graph.clusters:
        lines.append(f"  subgraph {quote('cluster_' + cluster.key)} {{")
        lines.append(f"    graph{_attrs({'label': cluster.label, 'color': GREY})};")
        for key in cluster.members:
            member = graph.node(key)
            if member is not None:
                lines.append(f"    {quote(key)}{_attrs(node_attrs(member))};")
        if cluster.same_rank and cluster.members:
            members = "; ".join(quote(key) for key in cluster.members)
            lines.append(f"    {{rank=same; {members};}}")
        lines.append("  }")
    for edge in graph.edges:
        lines.append(f"  {quote(edge.source)} -> {quote(edge.target)}{_attrs(edge_attrs(edge))};")
    if graph.legend:
        lines.append(f"  subgraph {quote('cluster_legend')} {{")
        lines.append(f"    graph{_attrs({'label': 'legend', 'color': GREY})};")
        for style, text in graph.legend:
            attrs = _styled({"shape": "box", "label": text}, [style])
            lines.append(f"    {quote(':legend:' + style)}{_attrs(attrs)};")
        for number, (style, text) in enumerate(graph.unplaced, 1):
            attrs = _styled({"shape": "note", "label": text}, [style])
            lines.append(f"    {quote(f':finding:{number}')}{_attrs(attrs)};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
