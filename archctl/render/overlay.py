"""Findings (``--check``) and traces (``--highlight``) drawn on top of a diagram.

The render layer sits beside check/, so it never runs the checkers: the CLI runs verify and
passes the diagnostics in. A finding is attached to the element whose span encloses the
finding's span (transitions, flows, rules carry their own spans), else to the node named by
its ``subject``. Dead elements are greyed, errors red, warnings orange; a legend explains
the colours used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from archctl import codes
from archctl.codes import code_name
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Cycle, Evidence, Lasso, Trace
from archctl.model.spec import Spec
from archctl.render.graph import CLASSES, DEdge, DiagramGraph, DNode, add_class
from archctl.source import Span

#: Codes whose element can never take part in a run or a decision: drawn grey.
DEAD_CODES = frozenset(
    {
        codes.SM101,
        codes.SM105,
        codes.WF102,
        codes.WF106,
        codes.WF109,
        codes.PO101,
        codes.PO102,
        codes.PO103,
    }
)
#: Policy codes whose message or notes name the rules that take the rule's place.
SHADOW_CODES = {codes.PO102: "shadows", codes.PO103: "makes redundant"}


def _encloses(outer: Span, inner: Span) -> bool:
    return (
        outer.file == inner.file
        and (outer.line, outer.column) <= (inner.line, inner.column)
        and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)
    )


def _size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column)


def _target(graph: DiagramGraph, diagnostic: Diagnostic) -> list[DNode | DEdge]:
    """The elements a finding is about: smallest enclosing span, else the subject node."""
    span = diagnostic.span
    if span is not None:
        elements: list[DNode | DEdge] = [*graph.edges, *graph.nodes]
        enclosing = [e for e in elements if e.span is not None and _encloses(e.span, span)]
        if enclosing:
            best = min(_size(e.span) for e in enclosing if e.span is not None)
            return [e for e in enclosing if e.span is not None and _size(e.span) == best]
    if diagnostic.subject is not None:
        node = graph.node(diagnostic.subject)
        if node is not None:
            return [node]
    return []


def _style_class(diagnostic: Diagnostic) -> str | None:
    if diagnostic.code in DEAD_CODES:
        return "dead"
    if diagnostic.severity is Severity.ERROR:
        return "error"
    if diagnostic.severity is Severity.WARNING:
        return "warning"
    return None


def _mentioned(text: str, keys: Sequence[str]) -> list[str]:
    """Node keys named as whole words in a message (ids may contain '-')."""
    return [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]


def annotate(
    graph: DiagramGraph,
    spec: Spec,
    diagnostics: Sequence[Diagnostic] | None = None,
    highlight: Evidence | None = None,
) -> DiagramGraph:
    """``graph``, the diagram of ``spec`` (whatever its kind), with findings and a trace drawn."""
    graph.file = spec.span.file
    if diagnostics:
        apply_findings(graph, diagnostics)
    if highlight is not None:
        apply_highlight(graph, highlight)
    return graph


def apply_findings(graph: DiagramGraph, diagnostics: Sequence[Diagnostic]) -> int:
    """Style the elements findings are about; returns how many findings were drawn.

    A finding that names no element of the diagram is still shown: listed in the legend.
    """
    drawn = 0
    for diagnostic in diagnostics:
        if diagnostic.spec is not None and diagnostic.spec != graph.name:
            continue
        span = diagnostic.span
        if span is not None and graph.file is not None and span.file != graph.file:
            continue
        style = _style_class(diagnostic)
        if style is None:
            continue
        targets = _target(graph, diagnostic)
        note = f"{diagnostic.code} {code_name(diagnostic.code)}"
        for element in targets:
            add_class(element.classes, style)
            if note not in element.notes:
                element.notes.append(note)
        if isinstance(diagnostic.evidence, Cycle):
            _mark_cycle(graph, diagnostic.evidence)
        if diagnostic.code in SHADOW_CODES and diagnostic.subject is not None:
            _draw_shadowing(graph, diagnostic, SHADOW_CODES[diagnostic.code])
        if not targets and not isinstance(diagnostic.evidence, Cycle):
            graph.unplaced.append((style, _unplaced_text(diagnostic, note)))
        drawn += 1
        _legend(graph, style)
    _grey_dead_exits(graph)
    return drawn


def _unplaced_text(diagnostic: Diagnostic, note: str) -> str:
    """A finding about no drawn element (the spec as a whole) is listed in the legend."""
    message = diagnostic.message
    if len(message) > 90:
        message = message[:87] + "..."
    return f"{note}: {message}"


def _grey_dead_exits(graph: DiagramGraph) -> None:
    """Edges leaving an unreachable or dead node can never be taken either."""
    dead = {node.key for node in graph.nodes if "dead" in node.classes}
    for edge in graph.edges:
        if edge.source in dead:
            add_class(edge.classes, "dead")


def _mark_cycle(graph: DiagramGraph, cycle: Cycle) -> None:
    """Every member and edge of the cycle red; the note stays on the subject only."""
    path = list(cycle.path)
    for source, target in zip(path, [*path[1:], *path[:1]], strict=True):
        member = graph.node(source)
        if member is not None:
            add_class(member.classes, "error")
        for edge in graph.edges_between(source, target):
            add_class(edge.classes, "error")


def _draw_shadowing(graph: DiagramGraph, diagnostic: Diagnostic, verb: str) -> None:
    subject = diagnostic.subject
    if subject is None or graph.node(subject) is None:
        return
    text = " ".join([diagnostic.message, *diagnostic.notes])
    rules = [n.key for n in graph.nodes if not n.key.startswith(":") and n.key != subject]
    for other in _mentioned(text, rules):
        if not any(e.label == verb for e in graph.edges_between(other, subject)):
            edge = DEdge(other, subject, verb, style="dotted", constraint=False)
            add_class(edge.classes, "error")
            graph.add_edge(edge)


def _legend(graph: DiagramGraph, style: str) -> None:
    entry = (style, CLASSES[style])
    if entry not in graph.legend:
        graph.legend.append(entry)
        order = list(CLASSES)
        graph.legend.sort(key=lambda item: order.index(item[0]))


def _visits(evidence: Evidence) -> list[tuple[int, str, str | None]]:
    """(step number, element key, event) of a trace or a cycle; numbers start at 1."""
    if isinstance(evidence, Cycle):
        path = list(evidence.path)
        return [(n, key, None) for n, key in enumerate([*path, *path[:1]], 1)]
    if isinstance(evidence, Lasso):  # the prefix, then the loop once (it closes on itself)
        evidence = Trace((*evidence.prefix, *evidence.loop))
    if not isinstance(evidence, Trace):
        return []
    out = []
    for number, step in enumerate(evidence.steps, 1):
        key = step.node if step.node is not None else step.state
        if key is not None:
            out.append((number, key, step.event))
    return out


def apply_highlight(graph: DiagramGraph, evidence: Evidence) -> int:
    """Draw a trace as a numbered path; returns how many of its steps name diagram elements."""
    visits = [(n, key, event) for n, key, event in _visits(evidence) if graph.node(key)]
    for position, (number, key, event) in enumerate(visits):
        node = graph.node(key)
        assert node is not None
        add_class(node.classes, "trace")
        _add_step(node.notes, number)
        edge = _edge_into(graph, visits[:position], key, event)
        if edge is not None:
            add_class(edge.classes, "trace")
            _add_step(edge.notes, number)
    if isinstance(evidence, Trace):
        _mark_final_tokens(graph, evidence)
    if visits:
        _legend(graph, "trace")
    return len(visits)


def _mark_final_tokens(graph: DiagramGraph, trace: Trace) -> None:
    """Workflow traces end with the flows still holding tokens: where the run stopped."""
    last = next((step.tokens for step in reversed(trace.steps) if step.tokens is not None), None)
    for token in last or ():
        source, arrow, target = token.partition(" -> ")
        for edge in graph.edges_between(source, target) if arrow else []:
            add_class(edge.classes, "trace")
            if "token at the end" not in edge.notes:
                edge.notes.append("token at the end")


def _add_step(notes: list[str], number: int) -> None:
    for index, note in enumerate(notes):
        if note.startswith("step "):
            notes[index] = f"{note}, {number}"
            return
    notes.append(f"step {number}")


def _edge_into(
    graph: DiagramGraph, before: list[tuple[int, str, str | None]], key: str, event: str | None
) -> DEdge | None:
    """The edge a step arrived by: from the latest earlier step that has an edge to it."""
    if not before:
        # the first step: entered from the initial point, or from a start event the log omits
        starts = [n.key for n in graph.nodes if n.shape in ("point", "circle")]
        return next((e for s in starts for e in graph.edges_between(s, key)), None)
    for _, previous, _ in reversed(before):
        candidates = graph.edges_between(previous, key)
        if event is not None:
            matching = [e for e in candidates if e.event == event]
            candidates = matching or candidates
        if candidates:
            return candidates[0]
    return None
