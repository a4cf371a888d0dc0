"""One pass over a plugin set that both `verify` and `plan` use.

The order matters: findings that no selection can avoid (PL101, PL103) come first, then the
resolver picks versions (or explains why none fit: PL104, PL105, PL901), then the graph of
the selection (or of the dependencies every candidate agrees on) is checked for cycles
(PL102), and only a selection without cycles gets load stages. `verify` keeps the findings;
`plan` also shows the selection and the stages.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class PluginPlan:
    """The outcome for one plugin set; ``selected``/``stages`` are None when not established."""

    spec: PluginSet
    diagnostics: list[Diagnostic]
    selected: dict[str, str] | None
    stages: list[list[str]] | None

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
    return PluginPlan(spec, sort_diagnostics(diagnostics), selected, stages)
