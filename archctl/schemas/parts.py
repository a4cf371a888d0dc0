"""Building blocks of the JSON Schemas: patterns, helpers and the definitions every kind shares."""

from __future__ import annotations

from collections.abc import Sequence

Schema = dict[str, object]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_ID = "https://archctl.dev/schemas/{kind}.schema.json"

# Patterns are ECMA-262 compatible (editors evaluate them in JavaScript) and use no
# named groups or look-behinds, so Python's re and every JSON Schema engine agree.
_NAME = r"^[A-Za-z0-9_-]+$"
_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"
_PATH = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
_DURATION = r"^([0-9]+(\.[0-9]+)?(ms|h|m|s))+$"
_SM_SHORT = r"^\s*[^\s>]+?\s*->\s*[^\s>]+(\s+on\s+[^\s>]+)?\s*$"
_CHANNEL_OP = (
    r"^\s*[A-Za-z_][A-Za-z0-9_-]*\s*(\[[^\]]*\])?\s*{op}\s*[A-Za-z_][A-Za-z0-9_]*\s*(\(.*\))?\s*$"
)
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
