"""PNML front end: ``.pnml`` files, one :class:`PetriNet` per ``<net>`` (docs/pnml.md).

Places, transitions and arcs are read from the net and all its pages (nested pages are
flattened; reference places and transitions are resolved to the node they name). Graphics
and tool-specific data are skipped. Every problem is collected, located at its element:
a missing id (LD003), a duplicate id (LD006), an arc to an unknown node (LD005), a marking
or inscription that is not a whole number (LD004). A net that loads is then checked to be a
workflow net (``structure.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.load.errors import located
from archctl.load.pnml.structure import workflow_net
from archctl.load.pnml.xml import XElement, element_span, parse_xml
from archctl.model.petrinet import Arc, Place, Transition
from archctl.model.spec import LoadResult
from archctl.source import SourceFile, Span

_PT_TYPES = ("ptnet", "p/t", "placetransition", "place/transition")
_REFERENCES = {"referencePlace": "place", "referenceTransition": "transition"}


def load_pnml_text(path: str, text: str) -> LoadResult:
    source = SourceFile(path, text)
    result = LoadResult(sources={path: source}, files=[path])
    root, problems = parse_xml(source)
    result.diagnostics.extend(problems)
    if root is None:
        return result
    if root.tag != "pnml":
        result.diagnostics.append(
            located(
                codes.LD004,
                f"not a PNML document: the root element is <{root.tag}>",
                element_span(source, root),
                "PNML files start with <pnml>",
            )
        )
        return result
    nets = [net for net in root.children if net.tag == "net"]
    nets += [
        net
        for module in root.children
        if module.tag == "module"
        for net in module.children
        if net.tag == "net"
    ]
    if not nets:
        result.diagnostics.append(
            located(codes.LD003, "the document holds no <net>", element_span(source, root), None)
        )
    for net in nets:
        reader = _NetReader(source)
        reader.read(net)
        result.diagnostics.extend(reader.problems)
        if reader.problems:
            continue
        span = element_span(source, net)
        name = net.label("name") or net.attrs.get("id") or "net"
        built, why = workflow_net(
            name, span, reader.places, reader.transitions, reader.arcs, reader.marking
        )
        result.diagnostics.extend(why)
        if built is not None:
            result.specs.append(built)
    return result


def _pages(element: XElement) -> Iterator[XElement]:
    """The element's own nodes and those of every page inside it, in document order."""
    for child in element.children:
        if child.tag == "page":
            yield from _pages(child)
        else:
            yield child


class _NetReader:
    """Collects one net's places, transitions and arcs, and every problem found on the way."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.places: list[Place] = []
        self.transitions: list[Transition] = []
        self.arcs: list[Arc] = []
        self.marking: dict[str, tuple[int, Span]] = {}
        self.problems: list[Diagnostic] = []
        self.kinds: dict[str, str] = {}
        self.aliases: dict[str, tuple[str, Span]] = {}
        self.pairs: set[tuple[str, str]] = set()

    def read(self, net: XElement) -> None:
        kind = net.attrs.get("type", "")
        squashed = kind.lower().replace(" ", "").replace("-", "")
        if kind and not any(word in squashed for word in _PT_TYPES):
            self._report(
                codes.LD004,
                net,
                f"net type '{kind}' is not a P/T net",
                "archctl reads P/T nets (type ...grammar/ptnet)",
            )
            return
        arcs: list[XElement] = []
        for element in _pages(net):
            if element.tag in ("place", "transition"):
                self._node(element)
            elif element.tag in _REFERENCES:
                self._reference(element)
            elif element.tag == "arc":
                arcs.append(element)
        for element in arcs:
            self._arc(element)

    def _report(
        self, code: Code, element: XElement, message: str, help_text: str | None = None
    ) -> None:
        self.problems.append(located(code, message, element_span(self.source, element), help_text))

    def _id(self, element: XElement) -> str | None:
        node_id = element.attrs.get("id", "").strip()
        if not node_id:
            self._report(codes.LD003, element, f"<{element.tag}> has no id", 'add id="..."')
            return None
        if node_id in self.kinds or node_id in self.aliases:
            self._report(
                codes.LD006, element, f"id '{node_id}' is used twice", "ids are unique in a net"
            )
            return None
        return node_id

    def _node(self, element: XElement) -> None:
        node_id = self._id(element)
        if node_id is None:
            return
        span = element_span(self.source, element)
        label = element.label("name") or None
        self.kinds[node_id] = element.tag
        if element.tag == "transition":
            self.transitions.append(Transition(node_id, label, span))
            return
        self.places.append(Place(node_id, label, span))
        tokens = element.label("initialMarking")
        if tokens:
            count = _whole(tokens)
            if count is None:
                self._report(
                    codes.LD004,
                    element,
                    f"initial marking '{tokens}' is not a whole number of tokens",
                    "write <initialMarking><text>1</text></initialMarking>",
                )
            elif count:
                self.marking[node_id] = (count, span)

    def _reference(self, element: XElement) -> None:
        node_id = self._id(element)
        if node_id is not None:
            self.aliases[node_id] = (
                element.attrs.get("ref", "").strip(),
                element_span(self.source, element),
            )

    def _resolve(self, node_id: str, element: XElement) -> str | None:
        seen = set()
        while node_id in self.aliases and node_id not in seen:
            seen.add(node_id)
            node_id = self.aliases[node_id][0]
        if node_id not in self.kinds:
            self._report(
                codes.LD005,
                element,
                f"arc end '{node_id}' is not a place or transition of this net",
            )
            return None
        return node_id

    def _arc(self, element: XElement) -> None:
        ends = [element.attrs.get(key, "").strip() for key in ("source", "target")]
        if not all(ends):
            self._report(
                codes.LD003,
                element,
                "<arc> needs both source and target",
                'write <arc id="a1" source="p1" target="t1"/>',
            )
            return
        source, target = (self._resolve(end, element) for end in ends)
        if source is None or target is None:
            return
        if self.kinds[source] == self.kinds[target]:
            self._report(
                codes.LD004,
                element,
                f"arc '{source}' -> '{target}' joins two {self.kinds[source]}s",
                "arcs join a place and a transition",
            )
            return
        weight_text = element.label("inscription") or "1"
        weight = _whole(weight_text)
        if not weight:
            self._report(
                codes.LD004,
                element,
                f"arc inscription '{weight_text}' is not a positive whole number",
                "P/T arcs carry a positive weight",
            )
            return
        if (source, target) in self.pairs:
            self._report(
                codes.LD006,
                element,
                f"a second arc '{source}' -> '{target}'",
                "give one arc the sum of both weights",
            )
            return
        arc_id = element.attrs.get("id", "").strip() or f"{source}->{target}"
        self.pairs.add((source, target))
        # the start tag's name only: an industrial net has thousands of arcs and reading each
        # one's line back for the full tag costs more than the rest of the load
        where = Span(
            self.source.path, element.line, element.column, element.line, element.column + 4
        )
        self.arcs.append(Arc(arc_id, source, target, weight, where))


def _whole(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > 9:
        return None
    return int(text)
