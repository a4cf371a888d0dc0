"""Plugin dependency graphs: plugins, candidate versions, constraints and conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from archctl.model.semver import Range, Version
from archctl.source import Span


@dataclass(frozen=True)
class Requirement:
    """``name: constraint``; ``matcher`` is its npm range (:mod:`archctl.model.semver`)."""

    name: str
    constraint: str
    span: Span
    matcher: Range

    def allows(self, version: Version) -> bool:
        return self.matcher.match(version)


@dataclass(frozen=True)
class PluginVersion:
    """One candidate version; plugin-level requires/optional/conflicts are merged in."""

    version: Version
    text: str
    span: Span
    requires: tuple[Requirement, ...] = ()
    optional: tuple[Requirement, ...] = ()
    conflicts: tuple[Requirement, ...] = ()


def newest_first(versions: list[PluginVersion]) -> tuple[PluginVersion, ...]:
    """Candidates by SemVer precedence, newest first; versions that differ only in build
    metadata have equal precedence and are ordered by their text, so the order is fixed."""
    by_text = sorted(versions, key=lambda candidate: candidate.text)
    return tuple(sorted(by_text, key=lambda candidate: candidate.version.key, reverse=True))


@dataclass(frozen=True)
class Plugin:
    name: str
    span: Span
    versions: tuple[PluginVersion, ...]  # newest first (see newest_first)
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
    kind: Literal["plugins"] = "plugins"

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
