"""A direct SCXML interpreter for the tests: the oracle the flattened machines are checked against.

Independent of ``archctl.load.scxml`` on purpose: it reads the XML with the standard library,
keeps the hierarchy, and runs SCXML 1.0's Appendix D algorithm on concrete data, evaluating
the ECMAScript subset by rewriting it into Python. The flattener instead explores snapshots
symbolically and encodes priorities into guards; agreement of the two on random event
sequences is the differential test. Also the harness that runs a flattened machine one
macrostep per event (``FlatRun``), shared by the corpus test.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from archctl.model.statemachine import StateMachine
from archctl.simulate.statemachine import Step, begin, compile_machine, deliver, settle

NS = "{http://www.w3.org/2005/07/scxml}"
STATES = ("state", "parallel", "final", "history")


def configuration(flat_state: str) -> list[str]:
    """The atomic SCXML states of a flat state name (docs/scxml.md: ``a+b#h=..@e``)."""
    return sorted(flat_state.split("#")[0].split("@")[0].split("+"))


def _plain(value: Any) -> Any:
    """Exact numbers as the oracle's Python ints; strings and bools as they are."""
    if isinstance(value, (bool, str)):
        return value
    return int(value) if value == int(value) else float(value)


def representative(event: str, alphabet: tuple[str, ...]) -> str:
    """The flat event an SCXML event name is delivered as: itself when in the alphabet, else
    its longest dotted prefix there (the descriptors matching both are the same), else ``*``."""
    prefixes = [e for e in alphabet if e == event or event.startswith(e + ".")]
    return max(prefixes, key=len) if prefixes else "*"


class FlatRun:
    """A flattened machine run one SCXML macrostep per external event."""

    def __init__(self, machine: StateMachine, seed: int = 0) -> None:
        self.machine = compile_machine(machine)
        self.rng = random.Random(seed)
        first = begin(self.machine, self.rng)
        self.step: Step = ([first, *settle(self.machine, first, self.rng)])[-1]

    def send(self, event: str) -> None:
        """Deliver any event name: as the alphabet name that stands for it (docs/scxml.md)."""
        steps = deliver(
            self.machine, self.step, representative(event, self.machine.events), self.rng
        )
        if steps:
            self.step = steps[-1]

    @property
    def configuration(self) -> list[str]:
        return configuration(self.step.target)

    @property
    def data(self) -> dict[str, Any]:
        return {name: _plain(value) for name, value in self.step.values.items()}

    @property
    def halted(self) -> bool:
        return self.step.target in self.machine.final


@dataclass
class Node:
    element: ET.Element
    id: str
    kind: str
    parent: Node | None
    order: int
    children: list[Node] = field(default_factory=list)

    @property
    def atomic(self) -> bool:
        return self.kind == "final" or (
            self.kind == "state" and not [c for c in self.children if c.kind != "history"]
        )

    def ancestors(self) -> list[Node]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


def _python(text: str) -> str:
    code = text.replace("===", "==").replace("!==", "!=").replace("&&", " and ")
    code = code.replace("||", " or ")
    code = re.sub(r"!(?!=)", " not ", code)
    return re.sub(r"In\(\s*'([^']*)'\s*\)", r'In("\1")', code)


@dataclass
class Entry:
    """The states a microstep enters, their default-initial and default-history content."""

    states: set[str] = field(default_factory=set)
    default: dict[str, ET.Element] = field(default_factory=dict)
    content: dict[str, ET.Element] = field(default_factory=dict)


class Interpreter:
    """Concrete SCXML: ``config`` holds node ids, ``data`` the ECMAScript values."""

    def __init__(self, text: str) -> None:
        root = ET.fromstring(text)
        self.nodes: list[Node] = []
        self.root = self._build(root, None, "scxml")
        self.by_id = {n.id: n for n in self.nodes}
        self.data: dict[str, Any] = {}
        for element in root.iter(NS + "data"):
            self.data[element.get("id", "")] = self.eval(element.get("expr", "0"))
        self.config: set[str] = set()
        self.history: dict[str, list[str]] = {}
        self.queue: list[str] = []
        self.halted = False
        first = self._initial(self.root)
        self.microstep([(self.root, first)])
        self.settle()

    def _build(self, element: ET.Element, parent: Node | None, kind: str) -> Node:
        node = Node(
            element, element.get("id", f"_state{len(self.nodes)}"), kind, parent, len(self.nodes)
        )
        self.nodes.append(node)
        for child in element:
            tag = child.tag.replace(NS, "")
            if tag in STATES:
                node.children.append(self._build(child, node, tag))
        return node

    def eval(self, text: str) -> Any:
        names = {"In": lambda s: s in self.config, "true": True, "false": False}
        return eval(_python(text), names, dict(self.data))

    # -- selection ------------------------------------------------------------------------
    def transitions(self, node: Node) -> list[ET.Element]:
        return [c for c in node.element if c.tag == NS + "transition"]

    @staticmethod
    def matches(transition: ET.Element, event: str | None) -> bool:
        words = transition.get("event", "").split()
        if event is None:
            return not words
        for word in words:
            word = re.sub(r"\.?\*?$", "", word) if word != "*" else word
            if word == "*" or event == word or event.startswith(word + "."):
                return True
        return False

    def select(self, event: str | None) -> list[tuple[Node, ET.Element]]:
        chosen: list[tuple[Node, ET.Element]] = []
        atomics = sorted(
            (self.by_id[s] for s in self.config if self.by_id[s].atomic), key=lambda n: n.order
        )
        for atomic in atomics:
            found = None
            for node in [atomic, *atomic.ancestors()]:
                for transition in self.transitions(node):
                    if self.matches(transition, event) and self.eval(
                        transition.get("cond", "true")
                    ):
                        found = (node, transition)
                        break
                if found:
                    break
            if found and all(found[1] is not t for _, t in chosen):
                chosen.append(found)
        filtered: list[tuple[Node, ET.Element]] = []
        for candidate in chosen:
            exits = self.exit_set([candidate])
            preempted, removed = False, []
            for other in filtered:
                if exits & self.exit_set([other]):
                    if other[0] in candidate[0].ancestors():
                        removed.append(other)
                    else:
                        preempted = True
                        break
            if not preempted:
                filtered = [f for f in filtered if f not in removed] + [candidate]
        return filtered

    # -- exit and entry -------------------------------------------------------------------
    def targets(self, transition: ET.Element) -> list[Node]:
        return [self.by_id[t] for t in transition.get("target", "").split()]

    def effective(self, transition: ET.Element) -> list[Node]:
        out = []
        for node in self.targets(transition):
            if node.kind != "history":
                out.append(node)
            elif node.id in self.history:
                out.extend(self.by_id[s] for s in self.history[node.id])
            else:
                out.extend(self.effective(self.transitions(node)[0]))
        return out

    def domain(self, source: Node, transition: ET.Element) -> Node | None:
        if transition.get("target") is None:
            return None
        if source is self.root:
            return self.root
        targets = self.effective(transition)
        compound = source.kind == "state" and not source.atomic
        if (
            transition.get("type") == "internal"
            and compound
            and all(source in t.ancestors() for t in targets)
        ):
            return source
        for ancestor in source.ancestors():
            if (
                ancestor.kind == "scxml" or (ancestor.kind == "state" and not ancestor.atomic)
            ) and all(ancestor in t.ancestors() for t in targets):
                return ancestor
        return self.root

    def exit_set(self, chosen: list[tuple[Node, ET.Element]]) -> set[str]:
        out: set[str] = set()
        for source, transition in chosen:
            domain = self.domain(source, transition)
            if domain is not None:
                out |= {s for s in self.config if domain in self.by_id[s].ancestors()}
        return out

    def _initial(self, node: Node) -> ET.Element:
        """The default entry of a compound node as a transition element."""
        if node.element.get("initial"):
            return ET.Element(NS + "transition", target=node.element.get("initial", ""))
        for child in node.element:
            if child.tag == NS + "initial":
                return self.transitions_of(child)[0]
        first = next(c for c in node.children if c.kind != "history")
        return ET.Element(NS + "transition", target=first.id)

    @staticmethod
    def transitions_of(element: ET.Element) -> list[ET.Element]:
        return [c for c in element if c.tag == NS + "transition"]

    def run(self, element: ET.Element | None) -> None:
        for item in [] if element is None else list(element):
            tag = item.tag.replace(NS, "")
            if tag == "assign":
                self.data[item.get("location", "")] = self.eval(item.get("expr", "0"))
            elif tag == "raise" or (tag == "send" and item.get("target") == "#_internal"):
                self.queue.append(item.get("event", ""))
            elif tag == "if":
                self.run_if(item)

    def run_if(self, element: ET.Element) -> None:
        """The content up to the first <elseif>/<else> whose condition holds runs."""
        taking = bool(self.eval(element.get("cond", "true")))
        done = taking
        body = ET.Element("block")
        for child in element:
            tag = child.tag.replace(NS, "")
            if tag in ("elseif", "else"):
                if taking:
                    break
                taking = not done and (tag == "else" or bool(self.eval(child.get("cond", ""))))
                done = done or taking
            elif taking:
                body.append(child)
        self.run(body)

    def block(self, node: Node, tag: str) -> list[ET.Element]:
        return [c for c in node.element if c.tag == NS + tag]

    def microstep(self, chosen: list[tuple[Node, ET.Element]]) -> None:
        real = chosen
        exits = sorted((self.by_id[s] for s in self.exit_set(real)), key=lambda n: -n.order)
        for node in exits:
            for history in (c for c in node.children if c.kind == "history"):
                if history.element.get("type") == "deep":
                    kept = [
                        s
                        for s in self.config
                        if self.by_id[s].atomic and node in self.by_id[s].ancestors()
                    ]
                else:
                    kept = [s for s in self.config if self.by_id[s].parent is node]
                self.history[history.id] = sorted(kept, key=lambda s: self.by_id[s].order)
        for node in exits:
            for block in self.block(node, "onexit"):
                self.run(block)
            self.config.discard(node.id)
        for _, transition in real:
            self.run(transition)
        entry = Entry()
        for source, transition in real:
            for target in self.targets(transition):
                self.add_descendants(target, entry)
            domain = self.domain(source, transition)
            for target in self.effective(transition):
                self.add_ancestors(target, domain, entry)
        for node in sorted((self.by_id[s] for s in entry.states), key=lambda n: n.order):
            self.config.add(node.id)
            for block in self.block(node, "onentry"):
                self.run(block)
            if node.id in entry.default:
                self.run(entry.default[node.id])
            if node.id in entry.content:
                self.run(entry.content[node.id])
            if node.kind == "final":
                self.done(node)

    def add_descendants(self, node: Node, entry: Entry) -> None:
        assert node.parent is not None
        if node.kind == "history":
            if node.id in self.history:
                targets = [self.by_id[s] for s in self.history[node.id]]
            else:
                transition = self.transitions(node)[0]
                entry.content[node.parent.id] = transition
                targets = self.targets(transition)
            for target in targets:
                self.add_descendants(target, entry)
            for target in targets:
                self.add_ancestors(target, node.parent, entry)
            return
        entry.states.add(node.id)
        if node.kind == "state" and not node.atomic:
            transition = self._initial(node)
            entry.default[node.id] = transition
            for target in self.targets(transition):
                self.add_descendants(target, entry)
            for target in self.targets(transition):
                self.add_ancestors(target, node, entry)
        elif node.kind == "parallel":
            self.add_regions(node, entry)

    def add_regions(self, node: Node, entry: Entry) -> None:
        for child in (c for c in node.children if c.kind != "history"):
            if not any(s == child.id or child in self.by_id[s].ancestors() for s in entry.states):
                self.add_descendants(child, entry)

    def add_ancestors(self, node: Node, upto: Node | None, entry: Entry) -> None:
        for ancestor in node.ancestors():
            if ancestor is upto or ancestor is self.root:
                break
            entry.states.add(ancestor.id)
            if ancestor.kind == "parallel":
                self.add_regions(ancestor, entry)

    def done(self, final: Node) -> None:
        parent = final.parent
        if parent is None or parent is self.root:
            self.halted = True
            return
        self.queue.append(f"done.state.{parent.id}")
        grand = parent.parent
        if (
            grand is not None
            and grand.kind == "parallel"
            and all(self.in_final(r) for r in grand.children if r.kind != "history")
        ):
            self.queue.append(f"done.state.{grand.id}")

    def in_final(self, node: Node) -> bool:
        if node.kind == "parallel":
            return all(self.in_final(r) for r in node.children if r.kind != "history")
        return any(c.id in self.config and c.kind == "final" for c in node.children)

    # -- macrosteps -------------------------------------------------------------------------
    def settle(self, limit: int = 1000) -> None:
        for _ in range(limit):
            if self.halted:
                return
            chosen = self.select(None)
            if not chosen:
                if not self.queue:
                    return
                chosen = self.select(self.queue.pop(0))
            self.microstep(list(chosen))

    def send(self, event: str) -> None:
        if self.halted:
            return
        chosen = self.select(event)
        if chosen:
            self.microstep(list(chosen))
            self.settle()

    @property
    def configuration(self) -> list[str]:
        return sorted(s for s in self.config if self.by_id[s].atomic)
