"""The `plan` pipeline: load one file, pick its plugin set, resolve it, order its loading.

Shared by the CLI and tests so that `archctl plan` stays a thin shell. The plan itself is
computed by :func:`archctl.check.plugins.plan.analyse`, the same pass `verify` runs, so a file
that verifies clean always has a plan and a plan is never shown for a file with findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archctl.check import CheckOptions
from archctl.check.plugins.plan import PluginPlan, analyse
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.load.loader import load_paths
from archctl.model.plugins import PluginSet
from archctl.source import SourceFile


@dataclass
class PlanOutcome:
    """Exactly one of: a usage ``error``, load failure, findings, or a finished plan."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    plan: PluginPlan | None = None
    error: str | None = None
    load_failed: bool = False

    @property
    def exit_code(self) -> int:
        """2 usage error or unloadable file, 1 findings (warnings count), 0 a plan."""
        if self.error is not None or self.load_failed:
            return 2
        if self.plan is None or not self.plan.ok:
            return 1
        if any(d.severity.rank >= Severity.WARNING.rank for d in self.diagnostics):
            return 1
        return 0


def plan_file(path: str, spec_name: str | None, options: CheckOptions) -> PlanOutcome:
    """Plan the plugin set named ``spec_name`` in ``path`` (or its only plugin set)."""
    loaded = load_paths([path])
    outcome = PlanOutcome(sources=loaded.sources)
    if any(d.severity is Severity.ERROR for d in loaded.diagnostics):
        outcome.diagnostics = sort_diagnostics(list(loaded.diagnostics))
        outcome.load_failed = True
        return outcome
    sets = [spec for spec in loaded.specs if isinstance(spec, PluginSet)]
    names = ", ".join(sorted(spec.name for spec in sets))
    if not sets:
        outcome.error = f"{path} holds no `kind: plugins` spec"
        return outcome
    if spec_name is None:
        if len(sets) > 1:
            outcome.error = f"{path} holds several plugin specs ({names}); choose one with --spec"
            return outcome
        chosen = sets[0]
    else:
        found = [spec for spec in sets if spec.name == spec_name]
        if not found:
            outcome.error = f"no plugin spec named '{spec_name}' in {path} (found: {names})"
            return outcome
        chosen = found[0]
    outcome.plan = analyse(chosen, options.timeout_ms)
    outcome.diagnostics = sort_diagnostics(list(loaded.diagnostics) + outcome.plan.diagnostics)
    return outcome
