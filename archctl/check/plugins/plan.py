"""One pass over a plugin set that both `verify` and `plan` use.

The order matters: findings that no selection can avoid (PL101, PL103) come first, then the
resolver picks versions (or explains why none fit: PL104, PL105, PL901), then the graph of
the selection (or of the dependencies every candidate agrees on) is checked for cycles
(PL102), and only a selection without cycles gets load stages. `verify` keeps the findings;
`plan` also shows the selection and the stages.

What a clean part rests on is recorded as proofs: no PL101/PL103 after every `requires`
entry was looked up; resolvable (PL104) and conflict-free (PL105) when a selection was
established, by the newest-closure search or by Z3; no cycle (PL102) when that selection's
load graph was ordered into stages. Nothing is recorded for a part that was not decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archctl import codes
from archctl.check.plugins.graph import (
    cycles_and_stages,
    edges_of_selection,
    edges_without_selection,
)
from archctl.check.plugins.index import build_index
from archctl.check.plugins.resolve import resolve
from archctl.check.plugins.static import static_findings
from archctl.diagnostics import Diagnostic, sort_diagnostics
from archctl.gcpause import gc_paused
from archctl.model.plugins import PluginSet
from archctl.proof import Proof

#: Up to this many plugins a resolution proof lists the selection; beyond, its size.
SHOWN_SELECTION = 10


@dataclass
class PluginPlan:
    """The outcome for one plugin set; ``selected``/``stages`` are None when not established."""

    spec: PluginSet
    diagnostics: list[Diagnostic]
    selected: dict[str, str] | None
    stages: list[list[str]] | None
    proofs: list[Proof] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diagnostics and self.stages is not None


def analyse(spec: PluginSet, timeout_ms: int = 10_000) -> PluginPlan:
    """Check the plugin set and, when it is sound, compute the selection and load stages."""
    with gc_paused():
        return _analyse(spec, timeout_ms)


def _analyse(spec: PluginSet, timeout_ms: int) -> PluginPlan:
    index = build_index(spec)
    diagnostics = static_findings(index)
    resolution = resolve(index, timeout_ms)
    diagnostics.extend(resolution.diagnostics)
    if resolution.selected is not None:
        edges = edges_of_selection(index, resolution.selected)
    else:
        edges = edges_without_selection(index)
    cycles, stages = cycles_and_stages(index, edges)
    diagnostics.extend(cycles)
    selected = None
    if resolution.selected is None:
        stages = None
    else:
        selected = {
            name: index.plugins[name].versions[number].text
            for name, number in sorted(resolution.selected.items())
        }
    proofs = _proofs(spec, diagnostics, selected, stages, resolution.engine)
    return PluginPlan(spec, sort_diagnostics(diagnostics), selected, stages, proofs)


def _proofs(
    spec: PluginSet,
    diagnostics: list[Diagnostic],
    selected: dict[str, str] | None,
    stages: list[list[str]] | None,
    engine: str,
) -> list[Proof]:
    found = {diagnostic.code for diagnostic in diagnostics}
    entries = sum(len(v.requires) for plugin in spec.plugins for v in plugin.versions)
    out = []
    if codes.PL101 not in found:
        what = f"each of {entries} requires entries names a declared plugin"
        out.append(Proof(spec.name, codes.PL101, spec.name, "lookup", what))
    if codes.PL103 not in found:
        what = f"each of {entries} requires entries matches a candidate version"
        out.append(Proof(spec.name, codes.PL103, spec.name, "lookup", what))
    if selected is None:
        return out
    if len(selected) <= SHOWN_SELECTION:
        chosen = ", ".join(f"{name} {version}" for name, version in selected.items())
        what = f"selection of {len(selected)} plugins: {chosen}"
    else:
        what = f"selection of {len(selected)} plugins (archctl plan lists it)"
    out.append(Proof(spec.name, codes.PL104, spec.name, engine, what))
    out.append(
        Proof(
            spec.name, codes.PL105, spec.name, engine, what + ", which breaks no `conflicts` entry"
        )
    )
    if stages is not None:
        what = f"load order of {len(selected)} plugins in {len(stages)} stages"
        out.append(Proof(spec.name, codes.PL102, spec.name, "graph", what))
    return out
