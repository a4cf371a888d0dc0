"""Build a :class:`Policy` from a composed YAML document."""

from __future__ import annotations

import yaml

from archctl import codes
from archctl.load.expr.types import TypeChecker
from archctl.load.resolve import Names
from archctl.load.values import parse_interval
from archctl.load.yaml.common import HEADER_KEYS, declarations, header
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.policy import Assertion, Band, BandLevel, Policy, Rule
from archctl.model.types import TypeKind, VarType, enum_type

KEYS = (*HEADER_KEYS, "attributes", "bands", "combine", "default", "rules", "assert")
COMBINE = ("deny-overrides", "permit-overrides", "first-applicable")
DEFAULTS = ("allow", "deny", "none")
RULE_KEYS = ("id", "effect", "when", "description")
ASSERT_KEYS = ("name", "always", "never", "when", "description")


def build_policy(reader: Reader, fields: Fields) -> Policy | None:
    name, version, description = header(reader, fields)
    attributes = declarations(reader, fields.get("attributes"), "attributes")
    scope: dict[str, VarType] = {attribute.name: attribute.type for attribute in attributes}
    bands = _bands(reader, fields.get("bands"), scope)
    for band in bands:
        if band.name in scope:
            reader.error(codes.LD006, f"band '{band.name}' has the name of an attribute", band.span)
            continue
        scope[band.name] = enum_type(tuple(level.name for level in band.levels))
    checker = TypeChecker(scope, frozenset(band.name for band in bands))
    combine = "deny-overrides"
    combine_node = fields.get("combine")
    if combine_node is not None:
        combine = reader.choice(combine_node, "combine", COMBINE) or combine
    default = "deny"
    default_node = fields.get("default")
    if default_node is not None:
        default = reader.choice(default_node, "default", DEFAULTS) or default
    rules = _rules(reader, fields.get("rules"), checker)
    asserts = _asserts(reader, fields.get("assert"), checker)
    if name is None:
        return None
    return Policy(
        name=name,
        span=reader.span(fields.node),
        attributes=attributes,
        bands=bands,
        combine=combine,
        default=default,
        rules=rules,
        asserts=asserts,
        version=version,
        description=description,
    )


def _bands(reader: Reader, node: yaml.Node | None, scope: dict[str, VarType]) -> tuple[Band, ...]:
    if node is None:
        return ()
    fields = reader.mapping(node, "bands", None)
    if fields is None:
        return ()
    names = Names(reader.error, "attribute", {name: reader.span(node) for name in scope})
    out = []
    for band_name, (key_node, value_node) in fields.entries.items():
        band_fields = reader.mapping(
            value_node,
            f"band '{band_name}'",
            ("over", "levels", "description"),
            ("over", "levels"),
        )
        if band_fields is None or "over" not in band_fields or "levels" not in band_fields:
            continue
        over_node = band_fields.get("over")
        assert over_node is not None
        over = names.resolve(reader.text(over_node, "over"), over_node)
        if over is not None and scope[over].kind not in (TypeKind.INT, TypeKind.REAL):
            reader.error(
                codes.LD004,
                f"band '{band_name}' is over '{over}', which is not numeric "
                f"({scope[over].describe()})",
                over_node,
                "bands partition an int or real attribute",
            )
            over = None
        levels_node = band_fields.get("levels")
        assert levels_node is not None
        levels = _levels(reader, levels_node, band_name)
        if over is not None and levels:
            out.append(Band(band_name, over, levels, reader.span(key_node)))
    return tuple(out)


def _levels(reader: Reader, node: yaml.Node, band: str) -> tuple[BandLevel, ...]:
    fields = reader.mapping(node, f"the levels of band '{band}'", None)
    if fields is None:
        return ()
    out = []
    for level_name, (key_node, value_node) in fields.entries.items():
        text = reader.text(value_node, f"level '{level_name}'")
        if text is None:
            continue
        try:
            low, low_closed, high, high_closed = parse_interval(text)
        except ValueError as error:
            reader.error(codes.LD004, str(error), value_node)
            continue
        out.append(BandLevel(level_name, low, low_closed, high, high_closed, reader.span(key_node)))
    if not out and not fields.entries:
        reader.error(codes.LD004, f"band '{band}' needs at least one level", node)
    return tuple(out)


def _rules(reader: Reader, node: yaml.Node | None, checker: TypeChecker) -> tuple[Rule, ...]:
    if node is None:
        return ()
    items = reader.sequence(node, "rules")
    if items is None:
        return ()
    out = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        fields = reader.mapping(item, "a rule", RULE_KEYS, ("id", "effect"))
        if fields is None:
            continue
        id_node, effect_node = fields.get("id"), fields.get("effect")
        rule_id = reader.text(id_node, "the rule id") if id_node is not None else None
        effect = None
        if effect_node is not None:
            effect = reader.choice(effect_node, "effect", ("allow", "deny"))
        when = None
        when_node = fields.get("when")
        if when_node is not None:
            when = reader.expression(when_node, "the rule condition", checker)
        if rule_id is not None and rule_id in seen:
            assert id_node is not None
            reader.error(
                codes.LD006,
                f"rule id '{rule_id}' is used twice",
                id_node,
                f"first used at line {seen[rule_id]}",
            )
            continue
        if rule_id is None or effect is None or (when_node is not None and when is None):
            continue
        seen[rule_id] = reader.span(item).line
        description = None
        desc_node = fields.get("description")
        if desc_node is not None:
            description = reader.text(desc_node, "description")
        out.append(Rule(index, rule_id, effect, when, reader.span(item), description))
    return tuple(out)


def _asserts(reader: Reader, node: yaml.Node | None, checker: TypeChecker) -> tuple[Assertion, ...]:
    if node is None:
        return ()
    items = reader.sequence(node, "assert")
    if items is None:
        return ()
    out = []
    seen: set[str] = set()
    for item in items:
        fields = reader.mapping(item, "an assertion", ASSERT_KEYS, ("name",))
        if fields is None:
            continue
        kinds = [key for key in ("always", "never") if key in fields]
        if len(kinds) != 1:
            reader.error(
                codes.LD003 if not kinds else codes.LD004,
                "an assertion needs exactly one of `always` or `never`",
                item,
            )
            continue
        kind = kinds[0]
        effect_node = fields.get(kind)
        assert effect_node is not None
        effect = reader.choice(effect_node, f"the `{kind}` effect", ("allow", "deny", "none"))
        when = None
        when_node = fields.get("when")
        if when_node is not None:
            when = reader.expression(when_node, "the assertion condition", checker)
        name_node = fields.get("name")
        name = reader.text(name_node, "the assertion name") if name_node is not None else None
        if name is not None and name in seen:
            reader.error(codes.LD006, f"assertion '{name}' is declared twice", item)
            continue
        if name is None or effect is None or (when_node is not None and when is None):
            continue
        seen.add(name)
        out.append(Assertion(name, kind, effect, when, reader.span(item)))
    return tuple(out)
