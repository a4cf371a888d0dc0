"""Build a :class:`Policy` from a ``policy NAME { ... }`` block."""

from __future__ import annotations

from typing import Any

from archctl import codes
from archctl.load.dsl.common import Context, statements
from archctl.load.dsl.parse import child, token
from archctl.load.expr.types import TypeChecker
from archctl.load.values import parse_interval
from archctl.model.policy import Assertion, Band, BandLevel, Policy, Rule
from archctl.model.types import TypeKind, VarType, enum_type
from archctl.source import Span

_SINGLE = ("version", "description", "combine", "default")


def build_policy(ctx: Context, tree: Any) -> Policy | None:
    name = ctx.spec_name(tree.children[0])
    seen: dict[str, Span] = {}
    settings: dict[str, str] = {"combine": "deny-overrides", "default": "deny"}
    version = description = None
    decls: list[Any] = []
    band_items: list[Any] = []
    rule_items: list[Any] = []
    assert_items: list[Any] = []
    for item in statements(tree):
        kind = item.data
        if kind in _SINGLE and not ctx.once(seen, kind, item, "a policy"):
            continue
        if kind == "version":
            version = ctx.text(item.children[0])
        elif kind == "description":
            description = ctx.text(item.children[0])
        elif kind in ("combine", "default"):
            settings[kind] = str(item.children[0])
        elif kind in ("var_decl", "attr_decl"):
            if kind == "var_decl":
                ctx.error(codes.LD004, "a policy declares attributes with `attr`", item)
                continue
            decls.append(item)
        elif kind == "band":
            band_items.append(item)
        elif kind == "rule":
            rule_items.append(item)
        else:
            assert_items.append(item)
    attributes = ctx.declarations(decls, "attributes")
    scope: dict[str, VarType] = {attribute.name: attribute.type for attribute in attributes}
    bands = tuple(band for band in (_band(ctx, item, scope) for item in band_items) if band)
    for band in bands:
        if band.name in scope:
            ctx.error(codes.LD006, f"band '{band.name}' has the name of an attribute", band.span)
            continue
        scope[band.name] = enum_type(tuple(level.name for level in band.levels))
    checker = TypeChecker(scope, frozenset(band.name for band in bands))
    rules = _rules(ctx, rule_items, checker)
    asserts = _asserts(ctx, assert_items, checker)
    if name is None:
        return None
    return Policy(
        name=name,
        span=ctx.header_span(tree),
        attributes=attributes,
        bands=bands,
        combine=settings["combine"],
        default=settings["default"],
        rules=rules,
        asserts=asserts,
        version=version,
        description=description,
    )


def _band(ctx: Context, item: Any, scope: dict[str, VarType]) -> Band | None:
    """``band NAME over ATTRIBUTE { LEVEL [low, high] ... }``."""
    band_name = ctx.name(item.children[0])
    over_tree = item.children[1]
    span = ctx.span_over(item, over_tree)
    attributes = {name: ctx.span(over_tree) for name in scope}
    over = ctx.resolve("attribute", attributes, ctx.name(over_tree), over_tree)
    if over is not None and scope[over].kind not in (TypeKind.INT, TypeKind.REAL):
        ctx.error(
            codes.LD004,
            f"band '{band_name}' is over '{over}', which is not numeric ({scope[over].describe()})",
            over_tree,
            "bands partition an int or real attribute",
        )
        over = None
    levels = []
    names: set[str] = set()
    for level in item.children[2:]:
        level_name = ctx.name(level.children[0])
        low_tree, low, high, high_tree = level.children[1:]
        text = f"{low_tree.children[0]}{low}, {high}{high_tree.children[0]}"
        if level_name in names:
            ctx.error(codes.LD006, f"duplicate key '{level_name}' in the levels of band", level)
            continue
        names.add(level_name)
        try:
            bounds = parse_interval(text)
        except ValueError as error:
            ctx.error(codes.LD004, str(error), level)
            continue
        levels.append(BandLevel(level_name, *bounds, ctx.span(level)))
    if not levels and len(item.children) == 2:
        ctx.error(codes.LD004, f"band '{band_name}' needs at least one level", span)
    if over is None or not levels:
        return None
    return Band(band_name, over, tuple(levels), span)


def _rules(ctx: Context, items: list[Any], checker: TypeChecker) -> tuple[Rule, ...]:
    out = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        rule_id = ctx.name(item.children[0])
        effect = str(token(item, "EFFECT"))
        if effect == "none":
            ctx.error(codes.LD004, "effect must be one of allow, deny; found 'none'", item)
            continue
        when_tree = child(item, "when")
        when = ctx.expression(when_tree.children[0], checker) if when_tree is not None else None
        if rule_id in seen:
            ctx.error(
                codes.LD006,
                f"rule id '{rule_id}' is used twice",
                item.children[0],
                f"first used at line {seen[rule_id]}",
            )
            continue
        if when_tree is not None and when is None:
            continue
        seen[rule_id] = ctx.span(item).line
        desc = child(item, "desc")
        description = ctx.text(desc.children[0]) if desc is not None else None
        out.append(Rule(index, rule_id, effect, when, ctx.span(item), description))
    return tuple(out)


def _asserts(ctx: Context, items: list[Any], checker: TypeChecker) -> tuple[Assertion, ...]:
    out = []
    seen: set[str] = set()
    for item in items:
        name = ctx.name(item.children[0])
        kind = str(item.children[1].children[0])
        effect = str(item.children[2])
        when_tree = child(item, "when")
        when = ctx.expression(when_tree.children[0], checker) if when_tree is not None else None
        if name in seen:
            ctx.error(codes.LD006, f"assertion '{name}' is declared twice", item)
            continue
        if when_tree is not None and when is None:
            continue
        seen.add(name)
        out.append(Assertion(name, kind, effect, when, ctx.span(item)))
    return tuple(out)
