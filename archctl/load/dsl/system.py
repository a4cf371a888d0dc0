"""Build a :class:`System` from a ``system NAME { ... }`` block.

    system two-phase-commit {
      component coordinator: coordinator
      component participant: participant count 3
      channel votes capacity 3 ordering bag
      channel decision capacity 1 count 3 latency uniform(5ms, 20ms)
      fairness weak
      never atomic: coordinator.state == "committed" and participant[1].state == "aborted"
      leads_to answered: client.state == "waiting" ~> client.state == "idle"
    }

Property expressions are parsed here and type-checked when systems are linked, as in YAML.
"""

from __future__ import annotations

from typing import Any

from archctl import codes
from archctl.load.dsl.common import Context, statements
from archctl.load.dsl.parse import child
from archctl.load.dsl.workflow import DIST_PARAMS, _distribution, _duration
from archctl.model.system import ORDERINGS, Channel, Component, System, SystemProperty
from archctl.model.workflow import Distribution
from archctl.source import Span

FAIRNESS = ("weak", "strong", "none")


def build_system(ctx: Context, tree: Any) -> System | None:
    name = ctx.spec_name(tree.children[0])
    seen: dict[str, Span] = {}
    version = description = None
    fairness = "weak"
    components: list[Component] = []
    channels: list[Channel] = []
    properties: list[SystemProperty] = []
    names: dict[str, dict[str, Span]] = {"component": {}, "channel": {}, "property": {}}
    for item in statements(tree):
        kind = item.data
        if kind in ("version", "description", "fairness") and not ctx.once(
            seen, kind, item, "a system"
        ):
            continue
        if kind == "version":
            version = ctx.text(item.children[0])
        elif kind == "description":
            description = ctx.text(item.children[0])
        elif kind == "fairness":
            fairness = _fairness(ctx, item)
        elif kind == "component":
            if _unique(ctx, names["component"], item):
                components.append(_component(ctx, item))
        elif kind == "channel":
            built = _channel(ctx, item)
            if built is not None and _unique(ctx, names["channel"], item):
                channels.append(built)
        elif _unique(ctx, names["property"], item):
            properties.append(_property(ctx, item))
    if not components:
        ctx.error(
            codes.LD003, "a system needs at least one `component NAME: MACHINE`", tree.children[0]
        )
    if name is None or not components:
        return None
    return System(
        name=name,
        span=ctx.header_span(tree),
        components=tuple(components),
        channels=tuple(channels),
        properties=tuple(properties),
        fairness=fairness,
        version=version,
        description=description,
    )


def _unique(ctx: Context, declared: dict[str, Span], item: Any) -> bool:
    name_item = item.children[1] if item.data == "sy_property" else item.children[0]
    name = ctx.name(name_item)
    what = {"component": "component", "channel": "channel"}.get(item.data, "property")
    if name in declared:
        ctx.error(
            codes.LD006,
            f"{what} '{name}' is declared twice",
            item,
            f"first declared at line {declared[name].line}",
        )
        return False
    declared[name] = ctx.span(item)
    return True


def _fairness(ctx: Context, item: Any) -> str:
    word = ctx.name(item.children[0])
    if word not in FAIRNESS:
        ctx.error(codes.LD004, f"fairness '{word}' is not one of {', '.join(FAIRNESS)}", item)
        return "weak"
    return word


def _count(ctx: Context, item: Any) -> int | None:
    tree = child(item, "count")
    if tree is None:
        return None
    text = str(tree.children[0])
    if not text.isdigit() or int(text) < 1:
        ctx.error(codes.LD004, f"count {text} must be a whole number of at least 1", tree)
        return None
    return int(text)


def _component(ctx: Context, item: Any) -> Component:
    name_tree, machine_tree = item.children[0], item.children[1]
    return Component(
        ctx.name(name_tree),
        ctx.name(machine_tree),
        _count(ctx, item),
        ctx.span(name_tree),
        ctx.span(machine_tree),
    )


def _channel(ctx: Context, item: Any) -> Channel | None:
    name_tree, capacity_token = item.children[0], item.children[1]
    text = str(capacity_token)
    if not text.isdigit():
        ctx.error(
            codes.LD004, f"capacity {text} must be a whole number (0: rendezvous)", capacity_token
        )
        return None
    latency: Distribution | None = None
    ordering = "fifo"
    for clause in item.children[2:]:
        data = getattr(clause, "data", None)
        if data == "ordering":
            ordering = _ordering(ctx, clause)
        elif data == "fixed":
            value = _duration(ctx, clause.children[0])
            latency = None if value is None else Distribution("fixed", value=float(value))
        elif data == "distribution" and str(clause.children[0]) in DIST_PARAMS:
            latency = _distribution(ctx, clause)
    span = ctx.span(name_tree)
    return Channel(ctx.name(name_tree), int(text), _count(ctx, item), span, latency, ordering)


def _ordering(ctx: Context, clause: Any) -> str:
    """``ordering fifo|bag``; anything else is a located LD004 (and FIFO, the default)."""
    value = ctx.name(clause.children[0])
    if value not in ORDERINGS:
        ctx.error(
            codes.LD004, f"ordering must be one of {', '.join(ORDERINGS)}; found '{value}'", clause
        )
        return "fifo"
    return value


def _property(ctx: Context, item: Any) -> SystemProperty:
    if item.data == "leads_to":
        name = ctx.name(item.children[0])
        source = ctx.untyped(item.children[1])
        target = ctx.untyped(item.children[2])
        return SystemProperty(name, "leads_to", source, ctx.span(item), target)
    kind = str(item.children[0])
    name = ctx.name(item.children[1])
    return SystemProperty(name, kind, ctx.untyped(item.children[2]), ctx.span(item))
