"""Build a :class:`Chart` from the SCXML element tree, with every problem located.

Structure errors the SCXML specification forbids (an unknown transition target, duplicate
ids, an ``initial`` that is not a descendant, a history state without its default
transition) are load errors; constructs archctl cannot model are LD009 warnings from here
or from ``content.py``. All problems of a file are collected before giving up.
"""

from __future__ import annotations

import difflib
import os
import re

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.load.errors import located
from archctl.load.scxml.chart import Chart, ChartState, ChartTransition, Executable
from archctl.load.scxml.content import Content
from archctl.load.scxml.xml import SCXML_NS, Element, element_span
from archctl.source import SourceFile

STATE_TAGS = ("state", "parallel", "final", "history")
#: children a state may have that are read elsewhere or carry no behaviour to model
_HANDLED = {"transition", "onentry", "onexit", "initial", "datamodel", "data", *STATE_TAGS}
_NOT_MODELLED = {
    "invoke": "invoked services are not modelled",
    "donedata": "the data of done events is not modelled",
    "script": "scripts are not modelled",
}


class ChartReader:
    def __init__(self, source: SourceFile, root: Element) -> None:
        self.source = source
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.states: list[ChartState] = []
        self.elements: list[Element] = []
        self.transition_count = 0

    def error(
        self, code: Code, message: str, element: Element, help_text: str | None = None
    ) -> None:
        span = element_span(self.source, element)
        self.diagnostics.append(located(code, message, span, help_text))

    # -- pass 1: the state tree ------------------------------------------------------------
    def number(self, element: Element, parent: int | None, kind: str) -> int:
        index = len(self.states)
        state_id = element.attrs.get("id") or (f"_state{index}" if parent is not None else "")
        state = ChartState(index, state_id, kind, parent, element_span(self.source, element))
        state.deep = kind == "history" and element.attrs.get("type") == "deep"
        self.states.append(state)
        self.elements.append(element)
        for child in element.scxml_children(*STATE_TAGS):
            state.children.append(self.number(child, index, child.tag))
        if kind == "parallel" and not state.children:
            state.kind = "state"  # a parallel with no regions behaves as an atomic state
        return index

    def index_ids(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for state in self.states[1:]:
            if state.id in ids:
                self.error(
                    codes.LD006, f"two states share the id '{state.id}'", self.elements[state.index]
                )
                continue
            ids[state.id] = state.index
        return ids

    # -- pass 2: behaviour -----------------------------------------------------------------
    def resolve(self, content: Content, ids: dict[str, int], state: ChartState) -> None:
        element = self.elements[state.index]
        for child in element.children:
            if not child.is_scxml:
                content.unsupported(
                    f"<{child.tag}> from another namespace is not modelled",
                    element_span(self.source, child),
                )
            elif child.tag in _NOT_MODELLED:
                content.unsupported(
                    f"<{child.tag}> in '{state.id or 'scxml'}': {_NOT_MODELLED[child.tag]}; "
                    "skipped",
                    element_span(self.source, child),
                )
            elif child.tag not in _HANDLED:
                self.error(
                    codes.LD004, f"<{child.tag}> is not allowed inside <{element.tag}>", child
                )
            elif child.tag == "transition" and state.kind != "history":
                state.transitions.append(self.transition(content, ids, state, child))
            elif child.tag == "onentry":
                state.onentry += content.block(child)
            elif child.tag == "onexit":
                state.onexit += content.block(child)
        if state.kind == "history":
            self.history_default(content, ids, state, element)
        elif state.kind == "scxml" or state.is_compound:
            state.initial = self.initial(content, ids, state, element)

    def transition(
        self, content: Content, ids: dict[str, int], state: ChartState, element: Element
    ) -> ChartTransition:
        events = tuple(_descriptor(word) for word in element.attrs.get("event", "").split())
        targets = self.targets(ids, element, element.attrs.get("target", ""))
        order = self.transition_count
        self.transition_count += 1
        internal = element.attrs.get("type", "external") == "internal"
        if element.attrs.get("type", "external") not in ("internal", "external"):
            self.error(codes.LD004, "a transition's type is 'internal' or 'external'", element)
        return ChartTransition(
            state.index,
            events,
            content.cond(element),
            targets,
            internal,
            content.block(element),
            order,
            element_span(self.source, element),
        )

    def targets(self, ids: dict[str, int], element: Element, text: str) -> tuple[int, ...]:
        out = []
        for word in text.split():
            if word in ids:
                out.append(ids[word])
                continue
            close = difflib.get_close_matches(word, list(ids), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "targets are state ids"
            self.error(
                codes.LD005, f"transition target '{word}' is no state of the chart", element, hint
            )
        return tuple(out)

    def initial(
        self, content: Content, ids: dict[str, int], state: ChartState, element: Element
    ) -> ChartTransition | None:
        """The default entry: ``initial=`` ids, an ``<initial>`` child, or the first child."""
        span = element_span(self.source, element)
        blocks = element.scxml_children("initial")
        if "initial" in element.attrs:
            targets = self.targets(ids, element, element.attrs["initial"])
            actions: tuple[Executable, ...] = ()
        elif blocks:
            inner = blocks[0].scxml_children("transition")
            if not inner or "target" not in inner[0].attrs:
                self.error(codes.LD003, "<initial> needs one <transition target=...>", blocks[0])
                return None
            targets = self.targets(ids, inner[0], inner[0].attrs["target"])
            actions = content.block(inner[0])
        else:
            firsts = [c for c in state.children if self.states[c].kind != "history"]
            if not firsts:
                if state.kind == "scxml":
                    self.error(codes.LD003, "the chart has no state", element)
                return None
            targets, actions = (firsts[0],), ()
        for target in targets:
            if not self.descends(target, state.index):
                self.error(
                    codes.LD004,
                    f"initial state '{self.states[target].id}' is not inside "
                    f"'{state.id or 'scxml'}'",
                    element,
                )
                return None
        return ChartTransition(state.index, (), None, targets, False, actions, -1, span)

    def history_default(
        self, content: Content, ids: dict[str, int], state: ChartState, element: Element
    ) -> None:
        inner = element.scxml_children("transition")
        if not inner or "target" not in inner[0].attrs:
            self.error(
                codes.LD003,
                f"history state '{state.id}' needs a default <transition target=...>",
                element,
            )
            return
        targets = self.targets(ids, inner[0], inner[0].attrs["target"])
        span = element_span(self.source, inner[0])
        state.initial = ChartTransition(
            state.index, (), None, targets, False, content.block(inner[0]), -1, span
        )

    def descends(self, index: int, ancestor: int) -> bool:
        parent = self.states[index].parent
        while parent is not None:
            if parent == ancestor:
                return True
            parent = self.states[parent].parent
        return False


def _descriptor(word: str) -> str:
    """``a.*`` and ``a.`` mean the same descriptor as ``a`` (SCXML 3.12.1)."""
    while word.endswith(".*") or (word.endswith(".") and len(word) > 1):
        word = word[:-2] if word.endswith(".*") else word[:-1]
    return word


def read_chart(source: SourceFile, root: Element) -> tuple[Chart | None, list[Diagnostic]]:
    """The chart of an ``<scxml>`` root, or None when load errors make it unusable."""
    if not (root.tag == "scxml" and root.ns == SCXML_NS):
        span = element_span(source, root)
        where = f"in namespace {root.ns}" if root.ns else "without a namespace"
        message = f"not an SCXML 1.0 document: the root element is <{root.tag}> {where}"
        return None, [located(codes.LD004, message, span, f'write <scxml xmlns="{SCXML_NS}">')]
    reader = ChartReader(source, root)
    reader.number(root, None, "scxml")
    ids = reader.index_ids()
    content = Content(source, ids)
    datamodel = root.attrs.get("datamodel", "null")
    if datamodel not in ("null", "ecmascript"):
        content.unsupported(
            f"datamodel '{datamodel}': only null and (a subset of) ecmascript are modelled",
            element_span(source, root),
        )
    assigned: dict[str, list[Element]] = {}
    for element in _walk(root):
        if element.is_scxml and element.tag == "data":
            content.declare(element)
        if element.is_scxml and element.tag == "assign" and "location" in element.attrs:
            assigned.setdefault(element.attrs["location"], []).append(element)
    content.retype(assigned)
    if "binding" in root.attrs and root.attrs["binding"] != "early":
        content.unsupported("late data binding: all data is bound at start", reader.states[0].span)
    for state in reader.states:
        reader.resolve(content, ids, state)
    diagnostics = reader.diagnostics + content.diagnostics
    if any(d.severity.name == "ERROR" for d in diagnostics):
        return None, diagnostics
    names = {state.id for state in reader.states}
    # ``*`` stays in the alphabet when written: it stands for every event no descriptor names
    alphabet = {e for s in reader.states for t in s.transitions for e in t.events}
    chart = Chart(
        _chart_name(root.attrs.get("name"), source.path),
        reader.states[0].span,
        reader.states,
        tuple(content.variables.values()),
        {state_id: ids[state_id] for state_id in names if state_id in ids},
        tuple(sorted(alphabet | content.sent)),
    )
    return chart, diagnostics


def _walk(element: Element) -> list[Element]:
    out = [element]
    for child in element.children:
        out.extend(_walk(child))
    return out


def _chart_name(name: str | None, path: str) -> str:
    base = name or os.path.splitext(os.path.basename(path))[0]
    return re.sub(r"[^A-Za-z0-9_-]", "_", base) or "chart"
