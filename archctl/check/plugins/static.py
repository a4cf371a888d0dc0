"""Requirements that can never hold, whatever the resolver picks: PL101 and PL103.

Both are checked on every declared plugin, not only on those the install roots reach: a
`requires` entry naming a plugin that does not exist, or a constraint that no candidate
matches, is a defect of the spec itself and would bite as soon as the plugin is installed.

Subjects: a PL101 finding is about the *missing* name (that is what the user must add or
correct, and the did-you-mean hint is about it); a PL103 finding is about the plugin whose
versions the constraint misses. Both point at the `requires` entry that says it. Optional
dependencies and conflicts may name undeclared plugins freely (they only matter when
present), so they are never PL101.
"""

from __future__ import annotations

import difflib

from archctl import codes
from archctl.check.plugins.index import PluginIndex
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.model.plugins import Plugin, Requirement
from archctl.source import Span


def static_findings(index: PluginIndex) -> list[Diagnostic]:
    """PL101 for undeclared targets, PL103 for constraints that match no candidate."""
    out: list[Diagnostic] = []
    seen: set[Span] = set()
    names: list[str] | None = None
    cache: dict[str, str | None] = {}
    newest_hold = True
    allowed = index.allowed
    for plugin in index.spec.plugins:
        newest = plugin.versions[0]
        for version in plugin.versions:
            for requirement in version.requires:
                found = allowed(requirement)  # empty when the target is undeclared
                if version is newest and (not found or found[0] != 0):
                    newest_hold = False
                if found:
                    continue
                if requirement.span in seen:
                    continue  # plugin-level requires are shared by every version
                seen.add(requirement.span)
                target = index.plugins.get(requirement.name)
                if target is None:
                    if names is None:
                        names = sorted(index.plugins)
                    out.append(_missing(index, plugin, requirement, names, cache))
                else:
                    out.append(_unmatched(index, plugin, requirement, target))
    index.newest_requires_hold = newest_hold
    return out


def _owner(plugin: Plugin, requirement: Requirement) -> str:
    """``auth`` or ``auth 2.0.0`` when the entry belongs to one candidate version."""
    owners = [v.text for v in plugin.versions if requirement in v.requires]
    if len(plugin.versions) > 1 and len(owners) == 1:
        return f"'{plugin.name}' {owners[0]}"
    return f"'{plugin.name}'"


#: Above this many plugins, did-you-mean only compares names of similar length.
_FULL_SEARCH = 2_000


def _closest(missing: str, names: list[str], cache: dict[str, str | None]) -> str | None:
    """The declared name closest to ``missing`` (difflib ratio >= 0.6), cached per name.

    difflib over 60,000 names costs about half a second per missing name; a ratio of 0.6
    needs lengths within a factor of two anyway, and on large sets the candidates are cut
    further to names whose length is within 3 of the missing one.
    """
    if missing in cache:
        return cache[missing]
    candidates = names
    if len(names) > _FULL_SEARCH:
        candidates = [name for name in names if abs(len(name) - len(missing)) <= 3]
    close = difflib.get_close_matches(missing, candidates, n=1, cutoff=0.6)
    cache[missing] = close[0] if close else None
    return cache[missing]


def _missing(
    index: PluginIndex,
    plugin: Plugin,
    requirement: Requirement,
    names: list[str],
    cache: dict[str, str | None],
) -> Diagnostic:
    found = _closest(requirement.name, names, cache)
    close = [found] if found else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return Diagnostic(
        codes.PL101,
        default_severity(codes.PL101),
        f"{_owner(plugin, requirement)} requires plugin '{requirement.name}', "
        f"which is not declared{hint}",
        requirement.span,
        spec=index.spec.name,
        subject=requirement.name,
        help=(
            f"declare '{requirement.name}' under `plugins:`, or fix the name"
            if not close
            else f"write '{close[0]}' if that is the plugin meant"
        ),
    )


def _unmatched(
    index: PluginIndex, plugin: Plugin, requirement: Requirement, target: Plugin
) -> Diagnostic:
    candidates = ", ".join(version.text for version in target.versions)
    return Diagnostic(
        codes.PL103,
        default_severity(codes.PL103),
        f"{_owner(plugin, requirement)} requires {requirement.name} '{requirement.constraint}', "
        f"but no candidate version matches (candidates: {candidates})",
        requirement.span,
        spec=index.spec.name,
        subject=requirement.name,
        help="relax the constraint or declare a matching version under `versions:`",
    )
