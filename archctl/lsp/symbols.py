"""Names in specs: where each is declared, where it is used, and what hover says about it.

Declarations come from the loaded model (every element keeps its span); uses are found in
the text, as whole words (ids may contain ``-``), in the files of the project. This is what
go-to-definition, find-references, hover and the outline need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from archctl.codes import lookup
from archctl.findings import SUPPRESSION
from archctl.model.petrinet import PetriNet
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.spec import Spec, assert_never
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.types import Variable
from archctl.model.workflow import Workflow
from archctl.source import Span

WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # state, node, variable, plugin, rule, attribute, band, property, component,
    # channel or spec
    span: Span
    spec: str
    detail: str = ""


def symbols_of(spec: Spec) -> Iterator[Symbol]:
    yield Symbol(spec.name, "spec", spec.span, spec.name, spec.kind)
    match spec:  # exhaustive: a new kind without an outline is a mypy error
        case StateMachine():
            yield from _variables(spec.variables, spec.name, "variable")
            for state in spec.states:
                role = " (initial)" if state.name == spec.initial else ""
                role += " (final)" if state.name in spec.final else ""
                yield Symbol(state.name, "state", state.span, spec.name, f"state{role}")
            for prop in spec.properties:
                yield Symbol(prop.name, "property", prop.span, spec.name, f"{prop.kind} property")
        case Workflow():
            yield from _variables(spec.variables, spec.name, "variable")
            for node in spec.nodes:
                what = node.task or node.gateway or ""
                yield Symbol(node.id, "node", node.span, spec.name, f"{what} {node.type}".strip())
        case PluginSet():
            for plugin in spec.plugins:
                versions = ", ".join(str(v.version) for v in plugin.versions)
                yield Symbol(plugin.name, "plugin", plugin.span, spec.name, f"plugin {versions}")
        case System():
            for component in spec.components:
                replicas = f" x{component.count}" if component.count is not None else ""
                detail = f"component: machine {component.machine}{replicas}"
                yield Symbol(component.name, "component", component.span, spec.name, detail)
            for channel in spec.channels:
                size = "rendezvous" if channel.capacity == 0 else f"capacity {channel.capacity}"
                array = f", {channel.count} channels" if channel.count is not None else ""
                yield Symbol(
                    channel.name, "channel", channel.span, spec.name, f"channel, {size}{array}"
                )
            for claim in spec.properties:
                yield Symbol(
                    claim.name, "property", claim.span, spec.name, f"{claim.kind} property"
                )
        case Policy():
            yield from _variables(spec.attributes, spec.name, "attribute")
            for band in spec.bands:
                yield Symbol(band.name, "band", band.span, spec.name, "band")
            for rule in spec.rules:
                yield Symbol(rule.id, "rule", rule.span, spec.name, f"{rule.effect} rule")
        case PetriNet():
            for place in spec.places:
                yield Symbol(place.id, "place", place.span, spec.name, place.label or "place")
            for step in spec.transitions:
                yield Symbol(
                    step.id, "transition", step.span, spec.name, step.label or "transition"
                )
        case _:
            assert_never(spec)


def _variables(variables: Sequence[Variable], spec: str, kind: str) -> Iterator[Symbol]:
    for variable in variables:
        detail = variable.type.describe()
        if variable.initial is not None:
            detail += f", initial {variable.initial!r}"
        yield Symbol(variable.name, kind, variable.span, spec, detail)


def word_at(text: str, line: int, character: int) -> tuple[str, int, int] | None:
    """The identifier under a 0-based position: (word, start, end) columns, or None."""
    lines = text.splitlines()
    if line >= len(lines):
        return None
    for match in WORD.finditer(lines[line]):
        if match.start() <= character <= match.end():
            return match.group().rstrip(".-"), match.start(), match.end()
    return None


def declaration(name: str, specs: Sequence[Spec]) -> Symbol | None:
    """The declaration a name refers to; names in the same spec first, then spec names."""
    found = [symbol for spec in specs for symbol in symbols_of(spec) if symbol.name == name]
    found.sort(key=lambda s: (s.kind == "spec", s.span))
    return found[0] if found else None


def references(name: str, texts: dict[str, str]) -> list[Span]:
    """Every whole-word use of ``name`` in the given files (path -> text), in file order."""
    pattern = re.compile(r"(?<![A-Za-z0-9_\-])" + re.escape(name) + r"(?![A-Za-z0-9_\-])")
    out: list[Span] = []
    for path in sorted(texts):
        for number, line in enumerate(texts[path].splitlines(), start=1):
            for match in pattern.finditer(line):
                out.append(Span(path, number, match.start() + 1, number, match.end()))
    return out


def suppressed_code_at(line_text: str, character: int) -> str | None:
    """The code under the cursor inside an ``# archctl: ignore[...]`` comment."""
    for match in SUPPRESSION.finditer(line_text):
        start = match.start(1)
        for part in re.finditer(r"[A-Za-z0-9_]+", match.group(1)):
            if start + part.start() <= character <= start + part.end():
                return part.group().upper()
    return None


def explain_markdown(code: str) -> str | None:
    info = lookup(code)
    if info is None:
        return None
    return f"**{info.code} {info.name}** ({info.severity.value})\n\n{info.summary}\n\n{info.doc}"


def hover_markdown(symbol: Symbol) -> str:
    where = f"{symbol.span.file}:{symbol.span.line}:{symbol.span.column}"
    detail = f": {symbol.detail}" if symbol.detail else ""
    return (
        f"**{symbol.kind} `{symbol.name}`**{detail}\n\nin spec `{symbol.spec}`, declared at {where}"
    )
