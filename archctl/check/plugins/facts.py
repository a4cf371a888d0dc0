"""The facts of a resolution problem and how they read as a PubGrub-style chain.

Every constraint the resolver asserts is one *fact* with a place in the spec: an install
root, one `requires`, `optional` or `conflicts` entry of one candidate version. The resolver
tracks each fact with its own assumption literal, so an unsat core is a set of facts, and
this module turns such a set into a short chain of sentences that name the spec lines, in
the order a reader follows them: roots first, then dependants before their dependencies,
then a conclusion naming the plugin where the requirements meet and cannot all hold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from archctl.check.plugins.index import Candidate, PluginIndex
from archctl.model.plugins import Requirement
from archctl.source import Span


@dataclass(frozen=True)
class Fact:
    """One tracked constraint. ``order`` is its creation rank (roots first, BFS order)."""

    order: int
    kind: str  # "root" | "requires" | "optional" | "conflict"
    span: Span
    plugin: str  # the root, or the plugin whose entry this is
    source: Candidate | None = None
    requirement: Requirement | None = None
    broken: bool = False  # a requires entry that matches no declared candidate

    @property
    def target(self) -> str | None:
        return self.requirement.name if self.requirement is not None else None


def _where(spans: list[Span]) -> str:
    lines = sorted({span.line for span in spans})
    if len(lines) == 1:
        return f"(line {lines[0]})"
    return "(lines " + ", ".join(str(line) for line in lines) + ")"


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _entry(fact: Fact) -> str:
    assert fact.requirement is not None
    return f"{fact.requirement.name} {fact.requirement.constraint} {_where([fact.span])}"


def chain(index: PluginIndex, facts: list[Fact]) -> list[str]:
    """The facts as sentences, grouped per candidate, ending with the conclusion."""
    ordered = sorted(facts, key=lambda fact: fact.order)
    out: list[str] = []
    roots = [fact for fact in ordered if fact.kind == "root"]
    if roots:
        names = _and([fact.plugin for fact in roots])
        verb = "is" if len(roots) == 1 else "are"
        how = "installed" if index.spec.install is not None else "declared, so installed"
        out.append(f"{names} {verb} {how} {_where([fact.span for fact in roots])}")
    groups: dict[Candidate, list[Fact]] = {}
    for fact in ordered:
        if fact.source is not None:
            groups.setdefault(fact.source, []).append(fact)
    for source, group in groups.items():
        parts: list[str] = []
        requires = [f for f in group if f.kind == "requires"]
        optional = [f for f in group if f.kind == "optional"]
        conflicts = [f for f in group if f.kind == "conflict"]
        if requires:
            parts.append("requires " + _and([_entry(f) for f in requires]))
        if optional:
            parts.append("accepts, when present, only " + _and([_entry(f) for f in optional]))
        if conflicts:
            parts.append("conflicts with " + _and([_entry(f) for f in conflicts]))
        out.append(f"{index.label(source)} " + " and ".join(parts))
    out.append(conclusion(index, ordered))
    return out


def focus(facts: list[Fact]) -> str | None:
    """The plugin where the facts clash: most constrained, and itself constraining nothing."""
    sources = {fact.source[0] for fact in facts if fact.source is not None}
    counts: Counter[str] = Counter(
        fact.target for fact in facts if fact.target is not None and fact.target not in sources
    )
    if not counts:
        counts = Counter(fact.target for fact in facts if fact.target is not None)
    if not counts:
        return None
    best = max(counts.values())
    return min(name for name, count in counts.items() if count == best)


def conclusion(index: PluginIndex, facts: list[Fact]) -> str:
    """The last link: which plugin no version of fits, or which plugins cannot coexist."""
    conflicts = [fact for fact in facts if fact.kind == "conflict"]
    name = focus(facts)
    if conflicts and not any(fact.kind in ("requires", "optional") for fact in facts):
        # one line per declared entry (a plugin-level entry is a fact per version)
        pairs = list(dict.fromkeys(f"{fact.plugin} and {fact.target}" for fact in conflicts))
        if len(pairs) == 1:
            return f"so {pairs[0]} cannot both be selected, yet both are needed"
        return "so every selection breaks one of the conflicts: " + " or ".join(pairs)
    if name is None or name not in index.plugins:
        return "so these requirements cannot all hold together"
    versions = ", ".join(version.text for version in index.plugins[name].versions)
    return f"so no version of {name} fits (candidates: {versions})"
