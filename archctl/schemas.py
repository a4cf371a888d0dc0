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
from collections.abc import Sequence

Schema = dict[str, object]

KINDS: tuple[str, ...] = ("workflow", "statemachine", "plugins", "policy")

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_ID = "https://archctl.dev/schemas/{kind}.schema.json"

# Patterns are ECMA-262 compatible (editors evaluate them in JavaScript) and use no
# named groups or look-behinds, so Python's re and every JSON Schema engine agree.
_NAME = r"^[A-Za-z0-9_-]+$"
_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"
_PATH = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
_DURATION = r"^([0-9]+(\.[0-9]+)?(ms|h|m|s))+$"
_SM_SHORT = r"^\s*[^\s>]+?\s*->\s*[^\s>]+(\s+on\s+[^\s>]+)?\s*$"
_FLOW_SHORT = r"^\s*[^\s>]+?\s*->\s*[^\s>]+\s*$"
_SEMVER = (
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
_NUM = r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"
_INTERVAL = rf"^\s*[\[(]\s*{_NUM}\s*,\s*{_NUM}\s*[\])]\s*$"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _doc(description: str, schema: Schema) -> Schema:
    """Attach hover text; kept separate so the structural part reads on one line."""
    return {"description": description, **schema}


def _closed(props: dict[str, Schema], required: Sequence[str] = (), **extra: object) -> Schema:
    """An object of exactly these keys: the format treats any other key as an error."""
    schema: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {**schema, **extra}


def _mapping(values: Schema, keys: Schema | None = None, **extra: object) -> Schema:
    """A YAML mapping from user-chosen names to values of one shape."""
    schema: Schema = {"type": "object", "additionalProperties": values}
    if keys is not None:
        schema["propertyNames"] = keys
    return {**schema, **extra}


def _strings(**extra: object) -> Schema:
    return {"type": "array", "items": {"type": "string", "minLength": 1}, **extra}


def _one_of_keys(*keys: str) -> list[Schema]:
    """Exactly one of ``keys`` present, as for a property's single claim."""
    return [{"required": [key]} for key in keys]


def _common_defs() -> dict[str, Schema]:
    """Pieces every kind shares: header values, text, expressions, declarations."""
    # Per type: the shape of `initial` (and of `range` bounds for int) that fits it.
    per_type: dict[str, dict[str, Schema]] = {
        "bool": {"initial": {"type": "boolean"}},
        "int": {"initial": {"type": "integer"}, "range": {"items": {"type": "integer"}}},
        "real": {"initial": {"type": "number"}},
        "enum": {"initial": {"type": "string"}},
        "string": {"initial": {"type": "string"}},
        "ip": {"initial": {"type": "string", "format": "ipv4"}},
    }
    by_type: list[Schema] = [
        {
            "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
            "then": {"properties": props},
        }
        for name, props in per_type.items()
    ]
    # `values` belongs to enums only and `range` to numbers only; an unknown type is
    # reported once by the enum above, not again here.
    by_type += [
        {
            "if": {"properties": {"type": {"const": "enum"}}, "required": ["type"]},
            "then": {"required": ["values"]},
        },
        {
            "if": {"properties": {"type": {"enum": ["bool", "int", "real", "string", "ip"]}}},
            "then": {"not": {"required": ["values"]}},
        },
        {
            "if": {"properties": {"type": {"enum": ["bool", "enum", "string", "ip"]}}},
            "then": {"not": {"required": ["range"]}},
        },
    ]
    return {
        "name": _doc(
            "Identifier: letters, digits, '_' and '-'.", {"type": "string", "pattern": _NAME}
        ),
        "version": _doc("Informative version of this spec.", {"type": ["string", "number"]}),
        "description": _doc("Free text for readers and generated docs.", {"type": "string"}),
        "condition": _doc(
            'Boolean expression, e.g. "amount > 1000 and not approved" (checked at load).',
            {"type": ["string", "boolean"]},
        ),
        "assignment": _doc(
            "Assignments 'name = expr' separated by ';', or 'name = any' for any value.",
            {"type": "string", "minLength": 1},
        ),
        "declaration": _closed(
            {
                "type": _doc(
                    "Value type; ip is an IPv4 address.",
                    {"enum": list(per_type)},
                ),
                "range": _doc(
                    "Inclusive bounds [lo, hi] of an int or real.",
                    {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                ),
                "values": _doc(
                    "The values of an enum (quoted in expressions).",
                    _strings(minItems=1, uniqueItems=True),
                ),
                "initial": _doc(
                    "Start value; without one every value of the type is possible.",
                    {"type": ["boolean", "number", "string"]},
                ),
            },
            ["type"],
            description="A variable or attribute declaration: type, optional range/values/initial.",
            allOf=by_type,
        ),
    }


def _header(kind: str) -> dict[str, Schema]:
    return {
        "kind": _doc("Document kind.", {"const": kind}),
        "name": _ref("name"),
        "version": _ref("version"),
        "description": _ref("description"),
    }


def _declarations(what: str, keys: Schema) -> Schema:
    return _doc(f"{what} by name, each with its type.", _mapping(_ref("declaration"), keys))


def _statemachine() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    defs: dict[str, Schema] = {
        "stateDetails": _doc(
            "Optional details of a state.",
            {"oneOf": [{"type": "null"}, _closed({"description": _ref("description")})]},
        ),
        "transition": {
            "description": "'FROM -> TO [on EVENT]' or a mapping with guard and effects.",
            "oneOf": [
                {"type": "string", "pattern": _SM_SHORT},
                _closed(
                    {
                        "from": _doc(
                            "Source state, or a list of source states.",
                            {"oneOf": [{"type": "string"}, _strings(minItems=1)]},
                        ),
                        "on": _doc("Event (an input from the environment).", {"type": "string"}),
                        "to": _doc("Target state.", {"type": "string"}),
                        "guard": _ref("condition"),
                        "do": _ref("assignment"),
                        "description": _ref("description"),
                    },
                    ["from", "to"],
                ),
            ],
        },
        "property": _closed(
            {
                "name": {"type": "string", "minLength": 1},
                "always": _doc("Invariant over all reachable states.", _ref("condition")),
                "never": _doc("Condition no reachable state satisfies.", _ref("condition")),
                "reachable": _doc("A state that must be reachable.", {"type": "string"}),
            },
            ["name"],
            description="A claim to prove: name plus exactly one of always/never/reachable.",
            oneOf=_one_of_keys("always", "never", "reachable"),
        ),
    }
    props: dict[str, Schema] = {
        "variables": _declarations(
            "Variables ('state' is reserved)", {"pattern": _IDENT, "not": {"const": "state"}}
        ),
        "states": _doc(
            "State names, or a mapping name -> {description}.",
            {
                "oneOf": [
                    _strings(minItems=1, uniqueItems=True),
                    _mapping(_ref("stateDetails"), minProperties=1),
                ]
            },
        ),
        "initial": _doc("The state every run starts in.", {"type": "string"}),
        "final": _doc(
            "Final state(s).", {"oneOf": [{"type": "string"}, _strings(uniqueItems=True)]}
        ),
        "events": _doc(
            "Events; inferred from transitions when absent.", _strings(uniqueItems=True)
        ),
        "transitions": {"type": "array", "items": _ref("transition")},
        "properties": {"type": "array", "items": _ref("property")},
    }
    return defs, props, ["states"]


def _workflow() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    def node(kind: str, props: dict[str, Schema], **extra: object) -> Schema:
        head: dict[str, Schema] = {"type": {"const": kind}, "description": _ref("description")}
        return _closed(head | props, ["type"], **extra)

    defs: dict[str, Schema] = {
        "duration": _doc(
            "Duration such as 250ms, 5s, 2m, 1h or 1m30s.",
            {"type": "string", "pattern": _DURATION},
        ),
        "distribution": _closed(
            {
                "dist": {"enum": ["fixed", "uniform", "exponential", "normal", "lognormal"]},
                "value": _ref("duration"),
                "min": _ref("duration"),
                "max": _ref("duration"),
                "mean": _ref("duration"),
                "stddev": _ref("duration"),
            },
            ["dist"],
            description="Simulated attempt time drawn from a distribution.",
            allOf=[
                {
                    "if": {"properties": {"dist": {"const": dist}}, "required": ["dist"]},
                    "then": {"required": needs},
                }
                for dist, needs in (
                    ("fixed", ["value"]),
                    ("uniform", ["min", "max"]),
                    ("exponential", ["mean"]),
                    ("normal", ["mean", "stddev"]),
                    ("lognormal", ["mean", "stddev"]),
                )
            ],
        ),
        "retry": _closed(
            {
                "max_attempts": {"type": "integer", "minimum": 1},
                "backoff": _ref("duration"),
                "multiplier": {"type": "number", "minimum": 1},
                "max_backoff": _ref("duration"),
            },
            description="Wait backoff * multiplier^(n-1), capped at max_backoff, after failure n.",
        ),
        "startNode": node("start", {}),
        "endNode": node("end", {"result": {"enum": ["success", "failure"]}}),
        "gatewayNode": node(
            "gateway", {"gateway": {"enum": ["exclusive", "parallel", "inclusive"]}}
        ),
        "taskNode": node(
            "task",
            {
                "task": _doc(
                    "Task type (default service).",
                    {"enum": ["service", "user", "script", "subprocess"]},
                ),
                "process": _doc("Workflow a subprocess task runs.", _ref("name")),
                "assignee": {"type": "string"},
                "deadline": _doc("An attempt longer than this times out.", _ref("duration")),
                "retry": _ref("retry"),
                "on_error": _doc(
                    "Node the token goes to after the last failed attempt.", {"type": "string"}
                ),
                "sets": _ref("assignment"),
                "duration": {"oneOf": [_ref("duration"), _ref("distribution")]},
                "failure_rate": _doc(
                    "Chance that one attempt fails.", {"type": "number", "minimum": 0, "maximum": 1}
                ),
            },
            **{
                "if": {"properties": {"task": {"const": "subprocess"}}, "required": ["task"]},
                "then": {"required": ["process"]},
            },
        ),
        "node": {
            "type": "object",
            "description": "A BPMN node: start, task, gateway or end.",
            "properties": {"type": {"enum": ["start", "task", "gateway", "end"]}},
            "required": ["type"],
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                    "then": _ref(f"{kind}Node"),
                }
                for kind in ("start", "task", "gateway", "end")
            ],
        },
        "flow": {
            "description": "'A -> B' or a mapping with a condition or default.",
            "oneOf": [
                {"type": "string", "pattern": _FLOW_SHORT},
                _closed(
                    {
                        "from": {"type": "string"},
                        "to": {"type": "string"},
                        "when": _ref("condition"),
                        "default": _doc("Taken when no condition holds.", {"type": "boolean"}),
                        "description": _ref("description"),
                    },
                    ["from", "to"],
                    # A default flow is the one taken when no condition holds, so it
                    # carries none; `default: false` next to `when` is harmless.
                    **{
                        "not": {
                            "required": ["when", "default"],
                            "properties": {"default": {"const": True}},
                        }
                    },
                ),
            ],
        },
    }
    props: dict[str, Schema] = {
        "variables": _declarations("Variables", {"pattern": _IDENT}),
        "nodes": _doc("Nodes by id.", _mapping(_ref("node"), minProperties=1)),
        "flows": {"type": "array", "items": _ref("flow")},
    }
    return defs, props, ["nodes"]


def _plugins() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    deps = {
        "requires": _doc("Plugins this one needs: name -> constraint.", _ref("constraints")),
        "optional": _doc("Used when present, never pulled in.", _ref("constraints")),
        "conflicts": _doc("Plugins that must not be installed with it.", _ref("constraints")),
    }
    defs: dict[str, Schema] = {
        "semver": _doc("A SemVer 2.0 version.", {"type": "string", "pattern": _SEMVER}),
        "constraints": _mapping(
            _doc(
                "npm/Cargo-style constraint: ^1.2, ~1.2.3, >=1.0, <2, 1.x, *, a || b.",
                {"type": "string", "minLength": 1},
            ),
            {"minLength": 1},
        ),
        "versionDetails": {"oneOf": [{"type": "null"}, _closed(deps)]},
        "plugin": _closed(
            {
                "version": _ref("semver"),
                "versions": _doc(
                    "Candidate versions (a registry): version -> dependencies.",
                    _mapping(_ref("versionDetails"), _ref("semver"), minProperties=1),
                ),
                **deps,
                "description": _ref("description"),
            },
            description="A plugin: one version or several candidates, plus dependencies.",
            oneOf=_one_of_keys("version", "versions"),
        ),
    }
    props: dict[str, Schema] = {
        "plugins": _doc("Plugins by name.", _mapping(_ref("plugin"), {"minLength": 1})),
        "install": _doc("Roots to install; default every plugin.", _strings(uniqueItems=True)),
    }
    return defs, props, ["plugins"]


def _policy() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    decision: Schema = {"enum": ["allow", "deny", "none"]}
    defs: dict[str, Schema] = {
        "band": _closed(
            {
                "over": _doc(
                    "The numeric attribute the band reads.", {"type": "string", "pattern": _PATH}
                ),
                "levels": _doc(
                    "Level -> interval, '[' ']' closed and '(' ')' open, e.g. \"(0.3, 0.7]\".",
                    _mapping({"type": "string", "pattern": _INTERVAL}, minProperties=1),
                ),
            },
            ["over", "levels"],
            description="Named numeric levels, usable in expressions as an enum.",
        ),
        "rule": _closed(
            {
                "id": {"type": "string", "minLength": 1},
                "effect": {"enum": ["allow", "deny"]},
                "when": _ref("condition"),
                "description": _ref("description"),
            },
            ["id", "effect"],
        ),
        "assertion": _closed(
            {
                "name": {"type": "string", "minLength": 1},
                "always": _doc("Decision every matching request gets.", decision),
                "never": _doc("Decision no matching request gets.", decision),
                "when": _ref("condition"),
            },
            ["name"],
            description="A claim over all requests: name plus exactly one of always/never.",
            oneOf=_one_of_keys("always", "never"),
        ),
    }
    props: dict[str, Schema] = {
        "attributes": _declarations(
            "Request attributes (dotted paths allowed)", {"pattern": _PATH}
        ),
        "bands": _mapping(_ref("band"), {"pattern": _PATH}),
        "combine": {"enum": ["deny-overrides", "permit-overrides", "first-applicable"]},
        "default": _doc("Decision when no rule applies; none means no decision.", decision),
        "rules": {"type": "array", "items": _ref("rule")},
        "assert": {"type": "array", "items": _ref("assertion")},
    }
    return defs, props, []


_BUILDERS = {
    "workflow": _workflow,
    "statemachine": _statemachine,
    "plugins": _plugins,
    "policy": _policy,
}

_TITLES = {
    "workflow": "archctl workflow spec (BPMN-style process)",
    "statemachine": "archctl state machine spec",
    "plugins": "archctl plugin dependency spec",
    "policy": "archctl access policy spec",
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
