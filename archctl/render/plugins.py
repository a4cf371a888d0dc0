"""Plugin graphs laid out by load stage: what loads first on the left, dependants to the right.

Stages come from the ``requires`` edges alone: a plugin's stage is one more than the highest
stage of what it requires. Plugins on a dependency cycle share one stage (the cycle's strongly
connected component is layered as a unit) and the cycle's edges are drawn red. The algorithms
are the plugins checker's own (``model.graphs``), run on the declared graph, so the picture
never depends on a checker's state and never disagrees with its cycle findings.
"""

from __future__ import annotations

from archctl.model.graphs import cyclic_components, stages_through_cycles, strong_components
from archctl.model.plugins import Plugin, PluginSet
from archctl.render.graph import Cluster, DEdge, DiagramGraph, DNode, add_class


def requires_graph(plugins: PluginSet) -> dict[str, list[str]]:
    """Declared plugin -> the declared plugins any of its versions requires (sorted)."""
    declared = {plugin.name for plugin in plugins.plugins}
    out: dict[str, list[str]] = {}
    for plugin in plugins.plugins:
        needed = {
            requirement.name
            for version in plugin.versions
            for requirement in version.requires
            if requirement.name in declared
        }
        out[plugin.name] = sorted(needed)
    return out


def load_stages(graph: dict[str, list[str]]) -> dict[str, int]:
    """Stage of every plugin; a cycle's members share one (``model.graphs``)."""
    return stages_through_cycles(graph)


def cycle_members(graph: dict[str, list[str]]) -> set[str]:
    """Plugins on a requires cycle: a component of two or more, or one requiring itself."""
    return {node for component in cyclic_components(graph) for node in component}


def _component_of(graph: dict[str, list[str]]) -> dict[str, int]:
    return {
        node: number
        for number, component in enumerate(strong_components(graph))
        for node in component
    }


def _versions(plugin: Plugin) -> str:
    return " | ".join(version.text for version in plugin.versions)


def _constraints(plugin: Plugin, field: str, name: str) -> str:
    """The constraints on ``name``; per version when a plugin's candidates disagree."""
    per_version: list[tuple[str, str]] = []
    for version in plugin.versions:
        for requirement in getattr(version, field):
            if requirement.name == name:
                per_version.append((version.text, str(requirement.constraint)))
    distinct = sorted({constraint for _, constraint in per_version})
    if len(distinct) == 1 and len(per_version) == len(plugin.versions):
        return distinct[0]
    return "\n".join(f"{version}: {constraint}" for version, constraint in per_version)


def _targets(plugin: Plugin, field: str) -> list[str]:
    seen: list[str] = []
    for version in plugin.versions:
        for requirement in getattr(version, field):
            if requirement.name not in seen:
                seen.append(requirement.name)
    return seen


def build_plugins(plugins: PluginSet) -> DiagramGraph:
    """Plugins with their versions, grouped into load-stage clusters, roots drawn bold."""
    version = f" {plugins.version}" if plugins.version else ""
    title = f"plugins {plugins.name}{version}"
    if plugins.install is not None:
        title += f" (install roots in bold: {', '.join(plugins.install)})"
    graph = DiagramGraph(plugins.name, "plugins", direction="RL", title=title)
    requires = requires_graph(plugins)
    stages = load_stages(requires)
    cyclic = cycle_members(requires)
    component = _component_of(requires)
    roots = set(plugins.install or ())
    for plugin in plugins.plugins:
        node = graph.add_node(
            DNode(plugin.name, f"{plugin.name}\n{_versions(plugin)}", "box", plugin.span)
        )
        if plugin.name in roots:
            add_class(node.classes, "root")
    for stage in sorted(set(stages.values())):
        members = [p.name for p in plugins.plugins if stages[p.name] == stage]
        label = f"stage {stage}" + (": loads first" if stage == 0 else "")
        graph.clusters.append(Cluster(f"stage{stage}", label, members, same_rank=True))
    for plugin in plugins.plugins:
        for field, style, prefix in (
            ("requires", "solid", ""),
            ("optional", "dashed", "optional "),
            ("conflicts", "dotted", "conflicts "),
        ):
            for target in _targets(plugin, field):
                if graph.node(target) is None:
                    missing = graph.add_node(DNode(target, f"{target}\n(not declared)", "box"))
                    add_class(missing.classes, "missing")
                label = prefix + _constraints(plugin, field, target)
                edge = DEdge(plugin.name, target, label, style=style)
                edge.constraint = field == "requires"
                same = component.get(target) == component[plugin.name]
                if field == "requires" and plugin.name in cyclic and same:
                    add_class(edge.classes, "cycle")
                    edge.constraint = False
                graph.add_edge(edge)
    return graph
