"""Build a :class:`PluginSet` from a composed YAML document.

Missing plugins, unsatisfiable constraints and cycles are checker findings (PL1xx), not load
errors: the file is well-formed, the graph it describes is what is wrong.
"""

from __future__ import annotations

import functools

import yaml

from archctl import codes
from archctl.load import values
from archctl.load.yaml.common import HEADER_KEYS, header
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.plugins import Plugin, PluginSet, PluginVersion, Requirement, newest_first
from archctl.model.semver import Version
from archctl.source import Span

# Versions and constraints are immutable values, and registries repeat the same few texts
# hundreds of thousands of times: parse each text once.
parse_constraint = functools.lru_cache(maxsize=65_536)(values.parse_constraint)


@functools.lru_cache(maxsize=65_536)
def parse_version(text: str) -> tuple[Version, str]:
    """The parsed version and its canonical text."""
    version = values.parse_version(text)
    return version, str(version)


_NULL_TAG = "tag:yaml.org,2002:null"

KEYS = (*HEADER_KEYS, "plugins", "install")
PLUGIN_KEYS = ("version", "versions", "requires", "optional", "conflicts", "description")
VERSION_KEYS = ("requires", "optional", "conflicts")


def build_plugins(reader: Reader, fields: Fields) -> PluginSet | None:
    name, version, description = header(reader, fields)
    plugins: list[Plugin] = []
    plugins_node = fields.get("plugins")
    if plugins_node is not None:
        entries = reader.mapping(plugins_node, "plugins", None)
        if entries is not None:
            for plugin_name, (key_node, value_node) in entries.entries.items():
                plugin = _plugin(reader, plugin_name, key_node, value_node)
                if plugin is not None:
                    plugins.append(plugin)
    install = None
    install_spans: tuple[Span, ...] = ()
    install_node = fields.get("install")
    if install_node is not None:
        roots = reader.names(install_node, "an install root")
        declared = {plugin.name for plugin in plugins}
        kept = []
        for root, where in roots:
            if root not in declared and plugins_node is not None:
                from archctl.load.resolve import Names

                Names(reader.error, "plugin", {p.name: p.span for p in plugins}).resolve(
                    root, where
                )
                continue
            kept.append((root, reader.span(where)))
        install = tuple(root for root, _ in kept)
        install_spans = tuple(span for _, span in kept)
    if name is None or plugins_node is None:
        return None
    return PluginSet(
        name=name,
        span=reader.span(fields.node),
        plugins=tuple(plugins),
        install=install,
        install_spans=install_spans,
        version=version,
        description=description,
    )


def _plugin(reader: Reader, name: str, key_node: yaml.Node, node: yaml.Node) -> Plugin | None:
    what = f"plugin '{name}'"
    fields = reader.mapping(node, what, PLUGIN_KEYS)
    if fields is None:
        return None
    get = fields.get
    shared = {key: _requirements(reader, get(key), key) for key in VERSION_KEYS}
    has_one, has_many = "version" in fields, "versions" in fields
    if has_one == has_many:
        reader.error(
            codes.LD003 if not has_one else codes.LD004,
            f"{what} needs exactly one of `version` or `versions`",
            key_node,
        )
        return None
    versions: list[PluginVersion] = []
    if has_one:
        version_node = fields.get("version")
        assert version_node is not None
        parsed = _version(reader, version_node)
        if parsed is not None:
            versions.append(
                PluginVersion(
                    parsed[0],
                    parsed[1],
                    reader.span(version_node),
                    shared["requires"],
                    shared["optional"],
                    shared["conflicts"],
                )
            )
    else:
        versions_node = fields.get("versions")
        assert versions_node is not None
        entries = reader.mapping(versions_node, f"the versions of {what}", None)
        seen: dict[str, yaml.Node] = {}
        for text, (version_key, version_value) in entries.entries.items() if entries else []:
            parsed = _version(reader, version_key)
            if parsed is None:
                continue
            if parsed[1] in seen:
                reader.error(
                    codes.LD006, f"version {parsed[1]} of {what} is listed twice", version_key
                )
                continue
            seen[parsed[1]] = version_key
            own: dict[str, tuple[Requirement, ...]] = {key: () for key in VERSION_KEYS}
            if not reader.is_null(version_value):
                details = reader.mapping(version_value, f"{what} {text}", VERSION_KEYS)
                if details is not None:
                    own = {
                        key: _requirements(reader, details.get(key), key) for key in VERSION_KEYS
                    }
            versions.append(
                PluginVersion(
                    parsed[0],
                    parsed[1],
                    reader.span(version_key),
                    shared["requires"] + own["requires"],
                    shared["optional"] + own["optional"],
                    shared["conflicts"] + own["conflicts"],
                )
            )
    if not versions:
        return None
    description = None
    desc_node = fields.get("description")
    if desc_node is not None:
        description = reader.text(desc_node, "description")
    return Plugin(name, reader.span(key_node), newest_first(versions), description)


def _version(reader: Reader, node: yaml.Node) -> tuple[Version, str] | None:
    """The parsed version and its text, or None after LD004."""
    text = reader.text(node, "a version")
    if text is None:
        return None
    try:
        return parse_version(text)
    except ValueError as error:
        reader.error(codes.LD004, str(error), node)
        return None


def _requirements(reader: Reader, node: yaml.Node | None, what: str) -> tuple[Requirement, ...]:
    if node is None:
        return ()
    if isinstance(node, yaml.SequenceNode):
        # `requires: [core, auth]` means any version of each
        out = []
        for item in node.value:
            name = reader.text(item, f"a `{what}` entry")
            if name is not None:
                out.append(Requirement(name, "*", reader.span(item), parse_constraint("*")))
        return tuple(out)
    fields = reader.mapping(node, f"`{what}`", None)
    if fields is None:
        return ()
    out = []
    across = reader.span_across
    for name, (key_node, value_node) in fields.entries.items():
        # reader.is_null / reader.text inlined for the usual scalar (400,000 calls each)
        if isinstance(value_node, yaml.ScalarNode):
            null = value_node.tag == _NULL_TAG and not value_node.style
            text: str | None = "*" if null else str(value_node.value)
        else:
            null = False
            text = reader.text(value_node, "a constraint")
        if text is None:
            continue
        try:
            matcher = parse_constraint(text)
        except ValueError as error:
            reader.error(codes.LD004, str(error), value_node)
            continue
        # the entry's span runs from the name to the end of its constraint, if written
        span = reader.span(key_node) if null else across(key_node, value_node)
        out.append(Requirement(name, text, span, matcher))
    return tuple(out)
