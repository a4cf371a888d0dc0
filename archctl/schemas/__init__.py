"""JSON Schemas (draft 2020-12) of the YAML spec format, one per document kind.

The loader is the authority on what a spec means; these schemas exist so that editors
(yaml-language-server, VS Code, JetBrains) can complete keys, show hover docs and flag
mistakes while a user types, before ``archctl check`` ever runs. They follow the spec
format (version 1) and are deliberately shallow where only the loader
can judge: expressions, assignments and version constraints are plain strings here,
because their grammars and type rules need the declarations in scope.

Two rules shape everything below:

* every valid document must validate, so no check is stricter than the format, and
* the format is closed (unknown keys are load errors), so every object that the format
  defines says ``additionalProperties: false`` and the editor flags typos at once.

The committed files ``specs/<kind>.schema.json`` are exactly :func:`schema_json` output;
a test fails when they drift, and ``archctl schema KIND > specs/KIND.schema.json``
regenerates one.
"""

from __future__ import annotations

import json

from archctl.model.spec import TEXT_KINDS, KindName
from archctl.schemas.behaviour import _statemachine, _workflow
from archctl.schemas.data import _plugins, _policy
from archctl.schemas.parts import (
    _DIALECT,
    _ID,
    Schema,
    _closed,
    _common_defs,
    _header,
)
from archctl.schemas.system import _system

#: the kinds with a YAML form and so a schema (a Petri net is only imported, from PNML)
KINDS: tuple[KindName, ...] = TEXT_KINDS

_BUILDERS = {
    "workflow": _workflow,
    "statemachine": _statemachine,
    "plugins": _plugins,
    "policy": _policy,
    "system": _system,
}

_TITLES = {
    "workflow": "archctl workflow spec (BPMN-style process)",
    "statemachine": "archctl state machine spec",
    "plugins": "archctl plugin dependency spec",
    "policy": "archctl access policy spec",
    "system": "archctl system spec (components and channels)",
}


def _refs(node: object) -> set[str]:
    """Names of the $defs that ``node`` points at, directly."""
    if isinstance(node, dict):
        found = {str(node["$ref"]).rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()


def _used(root: Schema, defs: dict[str, Schema]) -> dict[str, Schema]:
    """Only the $defs reachable from ``root``, so each file documents just its own kind."""
    todo, seen = _refs(root), set[str]()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _refs(defs[name]) - seen
    return {name: defs[name] for name in sorted(seen)}


def schema_for(kind: str) -> dict[str, object]:
    """The JSON Schema of one YAML document of ``kind``, built fresh on every call.

    Building anew (rather than returning a shared constant) lets callers add editor
    specific keys without corrupting later calls.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    defs, props, required = _BUILDERS[kind]()
    root = _closed(
        _header(kind) | props,
        ["kind", "name", *required],
        description=f"One `kind: {kind}` document of an archctl spec file (format version 1).",
    )
    return {
        "$schema": _DIALECT,
        "$id": _ID.format(kind=kind),
        "title": _TITLES[kind],
        **root,
        "$defs": _used(root, _common_defs() | defs),
    }


def schema_json(kind: str) -> str:
    """The schema as stable text (sorted keys, final newline) so committed files diff cleanly."""
    return json.dumps(schema_for(kind), indent=2, sort_keys=True) + "\n"


def combined_schema() -> dict[str, object]:
    """One schema for every kind, chosen by the document's ``kind`` (``if``/``then``).

    Editors such as yaml-language-server take one schema per file pattern; this one lets a
    single pattern (``*.yaml`` in a specs folder, or a ``$schema`` modeline) cover all kinds.
    Each kind's definitions move under ``$defs`` with the kind as prefix and every reference
    is rewritten to the new place, so the file is self-contained (local references only).
    """
    defs: dict[str, object] = {}
    branches: list[object] = []
    for kind in KINDS:
        schema = schema_for(kind)
        own = schema.pop("$defs", {})
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        defs[kind] = _prefixed(schema, kind)
        for name, definition in dict(own).items():  # type: ignore[call-overload]
            defs[f"{kind}.{name}"] = _prefixed(definition, kind)
        branches.append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{kind}"},
            }
        )
    return {
        "$schema": _DIALECT,
        "$id": _ID.format(kind="archctl"),
        "title": "archctl spec (any kind, chosen by `kind`)",
        "type": "object",
        "required": ["kind", "name"],
        "properties": {"kind": {"enum": list(KINDS)}},
        "allOf": branches,
        "$defs": defs,
    }


def _prefixed(node: object, kind: str) -> object:
    if isinstance(node, dict):
        out: dict[str, object] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/$defs/{kind}." + value[len("#/$defs/") :]
            else:
                out[key] = _prefixed(value, kind)
        return out
    if isinstance(node, list):
        return [_prefixed(item, kind) for item in node]
    return node


def combined_json() -> str:
    return json.dumps(combined_schema(), indent=2, sort_keys=True) + "\n"
