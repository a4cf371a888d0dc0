"""What to offer at the cursor: keys, names, variables and enum values.

The context is read from the line, not from a parse (the buffer is usually half-typed):

* inside an expression string (``guard``, ``when``, ``do``, ``sets``, properties, rules):
  the spec's variables and attributes, and its enum values as string literals;
* in a flow or transition (``a -> b``, ``from:``, ``to:``, ``on_error:``, ``process:``):
  the spec's states, nodes, plugins or spec names;
* at a key position: the keys the kind's JSON Schema allows at that depth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from archctl.lsp.symbols import symbols_of
from archctl.model.spec import Spec
from archctl.model.types import TypeKind, Variable

EXPRESSION_KEYS = (
    "guard",
    "when",
    "do",
    "sets",
    "always",
    "never",
    "eventually",
    "from",
    "to",
    "reachable",
)
NAME_KEYS = ("from", "to", "on_error", "process", "initial", "machine", "requires", "install")
KIND_LINE = re.compile(r"^kind:\s*([A-Za-z]+)", re.M)


@dataclass(frozen=True)
class Offer:
    label: str
    kind: str  # key | name | variable | value
    detail: str = ""
    insert: str | None = None


def complete(text: str, line: int, character: int, specs: Sequence[Spec]) -> list[Offer]:
    lines = text.splitlines()
    current = lines[line] if line < len(lines) else ""
    before = current[:character]
    string = _open_string(before)
    if string is not None and _expression_context(before):
        return list(_expression_offers(specs, string))
    if "->" in before or re.search(r"\b(" + "|".join(NAME_KEYS) + r"):\s*\[?[\w\-, ]*$", before):
        return list(_name_offers(specs))
    if re.fullmatch(r"\s*[\w\-]*", before) or re.search(r"[{,]\s*[\w\-]*$", before):
        kind = _kind(text, specs)
        depth = 0 if re.fullmatch(r"[\w\-]*", before) else 1
        return [Offer(key, "key", f"{kind} key") for key in schema_keys(kind, depth)]
    return []


def _open_string(before: str) -> str | None:
    """The quote character of a string still open at the cursor, or None."""
    quote: str | None = None
    escaped = False
    for char in before:
        if escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif quote is None and char in "\"'":
            quote = char
        elif char == quote:
            quote = None
    return quote


def _expression_context(before: str) -> bool:
    keys = "|".join(EXPRESSION_KEYS)
    return bool(re.search(r"\b(" + keys + r"):\s*[\"']", before)) or "if " in before


def _expression_offers(specs: Sequence[Spec], quote: str) -> Iterator[Offer]:
    seen: set[str] = set()
    for spec in specs:
        for variable in _variables_of(spec):
            if variable.name not in seen:
                seen.add(variable.name)
                yield Offer(variable.name, "variable", variable.type.describe())
            if variable.type.kind is TypeKind.ENUM:
                for value in variable.type.values:
                    literal = f'\\"{value}\\"' if quote == '"' else f'"{value}"'
                    if literal not in seen:
                        seen.add(literal)
                        yield Offer(f'"{value}"', "value", f"{variable.name} value", literal)
        if getattr(spec, "kind", "") == "statemachine" and "state" not in seen:
            seen.add("state")
            yield Offer("state", "variable", "the current state")


def _variables_of(spec: Spec) -> tuple[Variable, ...]:
    found: Any = getattr(spec, "variables", None) or getattr(spec, "attributes", None) or ()
    return tuple(found)


def _name_offers(specs: Sequence[Spec]) -> Iterator[Offer]:
    seen: set[str] = set()
    for spec in specs:
        for symbol in symbols_of(spec):
            named = ("state", "node", "plugin", "component", "channel", "spec")
            if symbol.kind in named and symbol.name not in seen:
                seen.add(symbol.name)
                yield Offer(symbol.name, "name", symbol.detail)


def _kind(text: str, specs: Sequence[Spec]) -> str:
    match = KIND_LINE.search(text)
    if match:
        return match.group(1)
    return specs[0].kind if specs else "statemachine"


def schema_keys(kind: str, depth: int) -> list[str]:
    """Keys the kind's JSON Schema allows: top level at depth 0, any nested key below."""
    from archctl.schemas import schema_for

    try:
        schema = schema_for(kind)
    except (KeyError, ValueError):
        return []
    if depth == 0:
        return sorted(dict(schema.get("properties", {})))  # type: ignore[call-overload]
    keys: set[str] = set()
    definitions: Any = schema.get("$defs", {})
    for node in _walk(definitions):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            keys.update(node["properties"])
    for value in dict(schema.get("properties", {})).values():  # type: ignore[call-overload]
        for node in _walk(value):
            if isinstance(node, dict) and isinstance(node.get("properties"), dict):
                keys.update(node["properties"])
    return sorted(keys)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
