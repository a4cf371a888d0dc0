"""Build a :class:`System` from a composed YAML document.

Property expressions are only parsed here: their names (``participant[1].state``) refer to
machines that may live in other files, so :mod:`archctl.load.link` type-checks them once the
whole file set is loaded.
"""

from __future__ import annotations

import yaml

from archctl import codes
from archctl.load.expr.parse import parse_expression
from archctl.load.yaml.common import HEADER_KEYS, header, property_entries
from archctl.load.yaml.reader import Fields, Reader
from archctl.load.yaml.workflow import _distribution
from archctl.model.expr import Expr
from archctl.model.system import ORDERINGS, Channel, Component, System, SystemProperty

KEYS = (*HEADER_KEYS, "components", "channels", "properties", "fairness")
FAIRNESS = ("weak", "strong", "none")


def build_system(reader: Reader, fields: Fields) -> System | None:
    name, version, description = header(reader, fields)
    components = _components(reader, fields.get("components"))
    channels = _channels(reader, fields.get("channels"))
    properties = _properties(reader, fields.get("properties"))
    fairness = "weak"
    fairness_node = fields.get("fairness")
    if fairness_node is not None:
        fairness = reader.choice(fairness_node, "fairness", FAIRNESS) or "weak"
    if name is None or not components:
        return None
    return System(
        name=name,
        span=reader.span(fields.node),
        components=components,
        channels=channels,
        properties=properties,
        fairness=fairness,
        version=version,
        description=description,
    )


def _count(reader: Reader, fields: Fields, what: str) -> int | None:
    node = fields.get("count")
    return None if node is None else reader.integer(node, f"the count of {what}", 1)


def _components(reader: Reader, node: yaml.Node | None) -> tuple[Component, ...]:
    if node is None:
        return ()
    entries = reader.mapping(node, "components", None)
    if entries is None:
        return ()
    out = []
    for name, (key_node, value_node) in entries.entries.items():
        fields = reader.mapping(
            value_node, f"component '{name}'", ("machine", "count", "description"), ("machine",)
        )
        if fields is None or "machine" not in fields:
            continue
        machine_node = fields.get("machine")
        assert machine_node is not None
        machine = reader.text(machine_node, "the machine name")
        if machine is None:
            continue
        span = reader.span(key_node)
        out.append(
            Component(name, machine, _count(reader, fields, name), span, reader.span(machine_node))
        )
    if not out and entries.entries == {}:
        reader.error(codes.LD004, "a system needs at least one component", node)
    return tuple(out)


def _channels(reader: Reader, node: yaml.Node | None) -> tuple[Channel, ...]:
    if node is None:
        return ()
    entries = reader.mapping(node, "channels", None)
    if entries is None:
        return ()
    out = []
    for name, (key_node, value_node) in entries.entries.items():
        fields = reader.mapping(
            value_node,
            f"channel '{name}'",
            ("capacity", "count", "latency", "ordering", "description"),
            ("capacity",),
        )
        if fields is None or "capacity" not in fields:
            continue
        capacity_node = fields.get("capacity")
        assert capacity_node is not None
        capacity = reader.integer(capacity_node, "the capacity", 0)
        latency_node = fields.get("latency")
        latency = None if latency_node is None else _distribution(reader, latency_node)
        if capacity is None:
            continue
        count = _count(reader, fields, name)
        ordering_node = fields.get("ordering")
        ordering = "fifo"
        if ordering_node is not None:
            ordering = reader.choice(ordering_node, "ordering", ORDERINGS) or "fifo"
        span = reader.span(key_node)
        out.append(Channel(name, capacity, count, span, latency, ordering))
    return tuple(out)


def _properties(reader: Reader, node: yaml.Node | None) -> tuple[SystemProperty, ...]:
    out: list[SystemProperty] = []
    for item, name, kind, body in property_entries(reader, node):
        built = _property(reader, name, kind, body, item)
        if built is not None:
            out.append(built)
    return tuple(out)


def _property(
    reader: Reader, name: str, kind: str, body: yaml.Node, item: yaml.Node
) -> SystemProperty | None:
    if kind != "leads_to":
        condition = _parse(reader, body, f"the `{kind}` condition")
        return (
            None if condition is None else SystemProperty(name, kind, condition, reader.span(item))
        )
    fields = reader.mapping(body, "leads_to", ("from", "to"), ("from", "to"))
    if fields is None or "from" not in fields or "to" not in fields:
        return None
    from_node, to_node = fields.get("from"), fields.get("to")
    assert from_node is not None and to_node is not None
    source = _parse(reader, from_node, "the `from` condition")
    target = _parse(reader, to_node, "the `to` condition")
    if source is None or target is None:
        return None
    return SystemProperty(name, kind, source, reader.span(item), target)


def _parse(reader: Reader, node: yaml.Node, what: str) -> Expr | None:
    if not isinstance(node, yaml.ScalarNode) or reader.is_null(node):
        reader.error(codes.LD004, f"{what} must be a single value", node)
        return None
    parsed, problems = parse_expression(str(node.value), reader.locator(node))
    reader.extend(problems)
    return parsed
