"""The plugin set as the analyses need it: reachable plugins and, per requirement, the
candidate versions it allows.

Every PL analysis (missing plugins, unmatched constraints, resolution, cycles, load order)
asks the same questions over and over: which plugins can the install roots reach, and which
candidate versions of a target does a constraint allow. Both are computed once here, with
constraint matches cached by (constraint text, version text), because generated and real
registries repeat the same few constraints hundreds of thousands of times and
matching a range costs microseconds each.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from archctl.model.plugins import Plugin, PluginSet, PluginVersion, Requirement

#: (plugin name, index into Plugin.versions; 0 is the newest)
Candidate = tuple[str, int]


@dataclass
class PluginIndex:
    """Plugins by name, the plugins reachable from the roots, and constraint matches."""

    spec: PluginSet
    plugins: dict[str, Plugin]
    roots: tuple[str, ...]
    reachable: list[str]
    _matches: dict[tuple[str, str], bool] = field(default_factory=dict)
    #: (constraint text, the target's version texts) -> allowed indices: targets share their
    #: candidate lists with many others, so this small table answers nearly every question
    #: (a table per (target, constraint) was larger than it saved)
    _by_texts: dict[tuple[str, tuple[str, ...]], tuple[int, ...]] = field(default_factory=dict)
    _texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Set by :func:`~archctl.check.plugins.static.static_findings`, which asks ``allowed`` of
    #: every requirement anyway: True when every `requires` entry of every plugin's newest
    #: version allows its target's newest version, so the resolver's fast path need not ask
    #: again (None: not established).
    newest_requires_hold: bool | None = None

    def version(self, candidate: Candidate) -> PluginVersion:
        name, index = candidate
        return self.plugins[name].versions[index]

    def label(self, candidate: Candidate) -> str:
        """``name 1.2.0``, the way facts and messages name a candidate."""
        return f"{candidate[0]} {self.version(candidate).text}"

    def allowed(self, requirement: Requirement) -> tuple[int, ...]:
        """Indices of the target's versions that the constraint allows, ascending (so 0, the
        newest, comes first when allowed); empty if the target is undeclared."""
        texts = self._texts.get(requirement.name)
        if texts is None:
            target = self.plugins.get(requirement.name)
            if target is None:
                return ()
            texts = self._texts[requirement.name] = tuple(v.text for v in target.versions)
        key = (requirement.constraint, texts)
        found = self._by_texts.get(key)
        if found is None:
            found = self._by_texts[key] = self._match(requirement, self.plugins[requirement.name])
        return found

    def _match(self, requirement: Requirement, target: Plugin) -> tuple[int, ...]:
        out: list[int] = []
        for index, candidate in enumerate(target.versions):
            match_key = (requirement.constraint, candidate.text)
            hit = self._matches.get(match_key)
            if hit is None:
                hit = requirement.allows(candidate.version)
                self._matches[match_key] = hit
            if hit:
                out.append(index)
        return tuple(out)

    def allows(self, requirement: Requirement, index: int) -> bool:
        return index in self.allowed(requirement)


def build_index(spec: PluginSet) -> PluginIndex:
    """Index a plugin set; reachability follows the `requires` of every candidate version.

    Optional dependencies and conflicts never pull a plugin in, so they do not extend the
    reachable set. The walk is an explicit queue: chains of any depth are fine.
    """
    plugins: dict[str, Plugin] = {}
    for plugin in spec.plugins:
        plugins.setdefault(plugin.name, plugin)
    roots = tuple(dict.fromkeys(root for root in spec.roots if root in plugins))
    seen = set(roots)
    order = list(roots)
    queue = deque(roots)
    while queue:
        plugin = plugins[queue.popleft()]
        for version in plugin.versions:
            for requirement in version.requires:
                target = requirement.name
                if target not in seen and target in plugins:
                    seen.add(target)
                    order.append(target)
                    queue.append(target)
    return PluginIndex(spec, plugins, roots, order)
