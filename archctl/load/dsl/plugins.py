"""Build a :class:`PluginSet` from a ``plugins NAME { ... }`` block.

As in YAML, missing plugins, unsatisfiable constraints and cycles are checker findings, not
load errors; only malformed versions and constraints and duplicate names are reported here.
"""

from __future__ import annotations

from typing import Any

from archctl import codes
from archctl.load.dsl.common import Context, statements
from archctl.load.dsl.parse import child, is_tree, token
from archctl.load.values import parse_constraint, parse_version
from archctl.model.plugins import Plugin, PluginSet, PluginVersion, Requirement, newest_first
from archctl.source import Span

_KINDS = ("requires", "optional", "conflicts")


def build_plugins(ctx: Context, tree: Any) -> PluginSet | None:
    name = ctx.spec_name(tree.children[0])
    seen: dict[str, Span] = {}
    version = description = None
    plugins: list[Plugin] = []
    declared: dict[str, Span] = {}
    install_item: Any = None
    for item in statements(tree):
        kind = item.data
        if kind != "plugin" and not ctx.once(seen, kind, item, "a plugins spec"):
            continue
        if kind == "version":
            version = ctx.text(item.children[0])
        elif kind == "description":
            description = ctx.text(item.children[0])
        elif kind == "install":
            install_item = item
        else:
            plugin_name = ctx.name(item.children[0])
            if plugin_name in declared:
                ctx.error(
                    codes.LD006,
                    f"duplicate key '{plugin_name}' in plugins",
                    item.children[0],
                    f"first defined at line {declared[plugin_name].line}",
                )
                continue
            plugin = _plugin(ctx, plugin_name, item)
            declared[plugin_name] = ctx.span(item.children[0])
            if plugin is not None:
                plugins.append(plugin)
    install = None
    install_spans: tuple[Span, ...] = ()
    if install_item is not None:
        kept = []
        for name_tree in install_item.children[0].children:
            root = ctx.resolve("plugin", declared, ctx.name(name_tree), name_tree)
            if root is not None:
                kept.append((root, ctx.span(name_tree)))
        install = tuple(root for root, _ in kept)
        install_spans = tuple(span for _, span in kept)
    if name is None:
        return None
    return PluginSet(
        name=name,
        span=ctx.header_span(tree),
        plugins=tuple(plugins),
        install=install,
        install_spans=install_spans,
        version=version,
        description=description,
    )


def _plugin(ctx: Context, name: str, item: Any) -> Plugin | None:
    """``plugin NAME VERSION clauses`` or ``plugin NAME clauses { VERSION clauses ... }``."""
    single = token(item, "VERSION")
    block = child(item, "versions")
    head_end = [part for part in item.children if not is_tree(part, "versions")][-1]
    span = ctx.span_over(item, head_end)
    if (single is None) == (block is None):
        ctx.error(
            codes.LD003 if single is None else codes.LD004,
            f"plugin '{name}' needs exactly one version or a {{ block }} of versions",
            span,
        )
        return None
    shared = _requirements(ctx, item)
    description = None
    desc = child(item, "desc")
    if desc is not None:
        description = ctx.text(desc.children[0])
    versions: list[PluginVersion] = []
    entries = [(single, shared)] if single is not None else []
    for version_tree in block.children if block is not None else []:
        own = _requirements(ctx, version_tree)
        merged = {kind: shared[kind] + own[kind] for kind in _KINDS}
        entries.append((version_tree.children[0], merged))
    seen: set[str] = set()
    for version_token, requirements in entries:
        try:
            parsed = parse_version(str(version_token))
        except ValueError as error:
            ctx.error(codes.LD004, str(error), version_token)
            continue
        if str(parsed) in seen:
            ctx.error(
                codes.LD006, f"version {parsed} of plugin '{name}' is listed twice", version_token
            )
            continue
        seen.add(str(parsed))
        versions.append(
            PluginVersion(
                parsed,
                str(parsed),
                ctx.span(version_token),
                requirements["requires"],
                requirements["optional"],
                requirements["conflicts"],
            )
        )
    if not versions:
        return None
    return Plugin(name, span, newest_first(versions), description)


def _requirements(ctx: Context, item: Any) -> dict[str, tuple[Requirement, ...]]:
    out: dict[str, tuple[Requirement, ...]] = {kind: () for kind in _KINDS}
    for clause in item.children:
        if not is_tree(clause, "requirement_clause"):
            continue
        kind = str(clause.children[0])
        found = []
        for requirement in clause.children[1:]:
            target = ctx.name(requirement.children[0])
            constraint = requirement.children[1] if len(requirement.children) > 1 else None
            text = "*" if constraint is None else ctx.text(constraint)
            try:
                matcher = parse_constraint(text)
            except ValueError as error:
                ctx.error(codes.LD004, str(error), constraint)
                continue
            found.append(Requirement(target, text, ctx.span(requirement), matcher))
        out[kind] = out[kind] + tuple(found)
    return out
