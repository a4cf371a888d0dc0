"""Pieces every kind shares: the document header and variable/attribute declarations."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import yaml

from archctl import codes
from archctl.evidence import Value
from archctl.load.values import SPEC_NAME
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.types import BOOL, IP, STRING, TypeKind, Variable, VarType
from archctl.source import Span

HEADER_KEYS = ("kind", "name", "version", "description")
TYPE_NAMES = ("bool", "int", "real", "enum", "string", "ip")


def header(reader: Reader, fields: Fields) -> tuple[str | None, str | None, str | None]:
    """name, version, description of a document (name validated)."""
    name = None
    node = fields.get("name")
    if node is not None:
        name = reader.text(node, "name")
        if name is not None and not SPEC_NAME.match(name):
            reader.error(
                codes.LD004,
                f"spec name '{name}' may only use letters, digits, '_' and '-'",
                node,
            )
    version = _optional_text(reader, fields, "version")
    description = _optional_text(reader, fields, "description")
    return name, version, description


def _optional_text(reader: Reader, fields: Fields, key: str) -> str | None:
    node = fields.get(key)
    return None if node is None else reader.text(node, key)


def declarations(reader: Reader, node: yaml.Node | None, what: str) -> tuple[Variable, ...]:
    """``name: {type: ..., range: [lo, hi], values: [...], initial: ...}`` or ``name: int``."""
    if node is None:
        return ()
    fields = reader.mapping(node, what, None)
    if fields is None:
        return ()
    out = []
    for name, (key_node, value_node) in fields.entries.items():
        variable = declaration(reader, name, key_node, value_node)
        if variable is not None:
            out.append(variable)
    return tuple(out)


def declaration(reader: Reader, name: str, key_node: yaml.Node, node: yaml.Node) -> Variable | None:
    span = reader.span(key_node)
    if isinstance(node, yaml.ScalarNode):
        type_name = reader.choice(node, f"the type of '{name}'", TYPE_NAMES)
        if type_name is None:
            return None
        if type_name == "enum":
            reader.error(codes.LD003, f"enum '{name}' needs `values: [...]`", node)
            return None
        return Variable(name, _simple(type_name), None, span)
    fields = reader.mapping(
        node,
        f"the declaration of '{name}'",
        ("type", "range", "values", "initial", "description"),
        ("type",),
    )
    if fields is None or "type" not in fields:
        return None
    type_node = fields.get("type")
    assert type_node is not None
    type_name = reader.choice(type_node, f"the type of '{name}'", TYPE_NAMES)
    if type_name is None:
        return None
    var_type = _declared_type(reader, name, type_name, fields)
    if var_type is None:
        return None
    initial: Value | None = None
    initial_node = fields.get("initial")
    if initial_node is not None:
        initial = _initial(reader, name, var_type, initial_node)
    return Variable(name, var_type, initial, span)


def _simple(type_name: str) -> VarType:
    return {"bool": BOOL, "string": STRING, "ip": IP}.get(type_name, VarType(TypeKind(type_name)))


def _declared_type(reader: Reader, name: str, type_name: str, fields: Fields) -> VarType | None:
    kind = TypeKind(type_name)
    range_node = fields.get("range")
    values_node = fields.get("values")
    if range_node is not None and kind not in (TypeKind.INT, TypeKind.REAL):
        reader.error(
            codes.LD004, f"'range' only applies to int and real, not {type_name}", range_node
        )
        return None
    if values_node is not None and kind is not TypeKind.ENUM:
        reader.error(codes.LD004, f"'values' only applies to enum, not {type_name}", values_node)
        return None
    if kind is TypeKind.ENUM:
        if values_node is None:
            reader.error(codes.LD003, f"enum '{name}' needs `values: [...]`", fields.node)
            return None
        items = reader.sequence(values_node, f"the values of '{name}'")
        if not items:
            if items is not None:
                reader.error(codes.LD004, f"enum '{name}' needs at least one value", values_node)
            return None
        values: list[str] = []
        for item in items:
            text = reader.text(item, f"a value of '{name}'")
            if text is None:
                continue
            if text in values:
                reader.error(codes.LD006, f"enum value '{text}' is listed twice", item)
                continue
            values.append(text)
        return VarType(kind, values=tuple(values))
    if range_node is None:
        return _simple(type_name)
    bounds = reader.sequence(range_node, f"the range of '{name}'")
    if bounds is None:
        return None
    if len(bounds) != 2:
        reader.error(codes.LD004, "a range is [low, high]", range_node)
        return None
    low = reader.number(bounds[0], "the low end of the range")
    high = reader.number(bounds[1], "the high end of the range")
    if low is None or high is None:
        return None
    if kind is TypeKind.INT and not (isinstance(low, int) and isinstance(high, int)):
        reader.error(codes.LD004, f"the range of int '{name}' needs whole numbers", range_node)
        return None
    if low > high:
        reader.error(codes.LD004, f"range [{low}, {high}] is empty: low is above high", range_node)
        return None
    return VarType(kind, Fraction(low), Fraction(high))


def _initial(reader: Reader, name: str, var_type: VarType, node: yaml.Node) -> Value | None:
    import ipaddress

    kind = var_type.kind
    value: Value | None
    if kind is TypeKind.BOOL:
        value = reader.boolean(node, f"the initial value of '{name}'")
    elif kind in (TypeKind.INT, TypeKind.REAL):
        number = reader.number(node, f"the initial value of '{name}'")
        value = number
        if kind is TypeKind.INT and number is not None and not isinstance(number, int):
            reader.error(codes.LD004, f"the initial value of int '{name}' must be whole", node)
            return None
    elif kind is TypeKind.IP:
        text = reader.text(node, f"the initial value of '{name}'")
        if text is None:
            return None
        try:
            value = int(ipaddress.IPv4Address(text))
        except ValueError:
            reader.error(codes.LD004, f"'{text}' is not an IPv4 address", node)
            return None
    else:
        value = reader.text(node, f"the initial value of '{name}'")
    if value is None:
        return None
    if not var_type.contains(value):
        reader.error(
            codes.LD004,
            f"initial value {node.value!r} is not in {var_type.describe()}",
            node,
        )
        return None
    return value


def key_span(reader: Reader, fields: Fields, key: str, fallback: Span) -> Span:
    node = fields.key_node(key)
    return fallback if node is None else reader.span(node)


#: the property forms of state machines and systems (spec-format 1.0 and 1.1)
PROPERTY_KINDS = ("always", "never", "reachable", "eventually", "leads_to")


def property_entries(
    reader: Reader, node: yaml.Node | None
) -> Iterator[tuple[yaml.Node, str, str, yaml.Node]]:
    """Each well-formed entry of a ``properties`` list as (item, name, kind, body).

    The shape is shared by state machines and systems, and so are its errors: exactly one
    property form per entry (LD003/LD004), a name, and no name twice (LD006). Entries with
    errors are reported here and skipped; the caller builds the property from the body.
    """
    if node is None:
        return
    items = reader.sequence(node, "properties")
    if items is None:
        return
    seen: set[str] = set()
    for item in items:
        fields = reader.mapping(
            item, "a property", ("name", *PROPERTY_KINDS, "description"), ("name",)
        )
        if fields is None:
            continue
        name_node = fields.get("name")
        name = reader.text(name_node, "the property name") if name_node is not None else None
        kinds = [key for key in PROPERTY_KINDS if key in fields]
        if len(kinds) != 1:
            reader.error(
                codes.LD004 if kinds else codes.LD003,
                "a property needs exactly one of " + ", ".join(PROPERTY_KINDS),
                item,
            )
            continue
        if name is None:
            continue
        if name in seen:
            reader.error(codes.LD006, f"property '{name}' is declared twice", item)
            continue
        seen.add(name)
        body = fields.get(kinds[0])
        assert body is not None
        yield item, name, kinds[0], body
