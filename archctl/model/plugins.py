"""Plugin dependency graphs: plugins, candidate versions, constraints and conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archctl.source import Span


@dataclass(frozen=True)
class Requirement:
    """``name: constraint``; ``matcher`` is a parsed npm-style range (semantic_version.NpmSpec)."""

    name: str
    constraint: str
    span: Span
    matcher: Any = None

    def allows(self, version: Any) -> bool:
        return bool(self.matcher.match(version))


@dataclass(frozen=True)
class PluginVersion:
    """One candidate version; plugin-level requires/optional/conflicts are merged in."""

    version: Any  # semantic_version.Version
    text: str
    span: Span
    requires: tuple[Requirement, ...] = ()
    optional: tuple[Requirement, ...] = ()
    conflicts: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Plugin:
    name: str
    span: Span
    versions: tuple[PluginVersion, ...]  # newest first
    description: str | None = None


@dataclass(frozen=True)
class PluginSet:
    name: str
    span: Span
    plugins: tuple[Plugin, ...]
    install: tuple[str, ...] | None = None
    install_spans: tuple[Span, ...] = ()
    version: str | None = None
    description: str | None = None
    kind: str = "plugins"

    def plugin(self, name: str) -> Plugin | None:
        for plugin in self.plugins:
            if plugin.name == name:
                return plugin
        return None

    @property
    def roots(self) -> tuple[str, ...]:
        """The install roots: ``install`` when given, else every plugin."""
        if self.install is not None:
            return self.install
        return tuple(plugin.name for plugin in self.plugins)
