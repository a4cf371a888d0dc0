"""Load and check one open buffer exactly as ``archctl verify FILE`` would.

The buffer's text replaces the file on disk; the other spec files of its folder give the
context a check may need (a subprocess workflow, a component machine), but only the
buffer's own findings are returned. Project config (select, ignore, severity, timeouts)
and inline suppressions apply as in ``verify``. ``deep=False`` stops after loading: load
errors are cheap and shown on every keystroke, proofs wait for a save or a pause.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archctl.check import CheckContext, CheckOptions
from archctl.check.budget import Budget, spending
from archctl.config import Config, ConfigError, load_config
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.findings import apply_policy, apply_suppressions
from archctl.kinds import checker_of
from archctl.load.loader import load_file, load_text, spec_extensions
from archctl.model.spec import LoadResult, Spec


@dataclass
class Analysis:
    path: str
    version: int
    loaded: LoadResult
    diagnostics: list[Diagnostic] = field(default_factory=list)
    deep: bool = False
    config_error: str | None = None

    @property
    def specs(self) -> list[Spec]:
        return self.loaded.specs


def project_config(path: str) -> tuple[Config, str | None]:
    """The config ``verify`` would use for this file (searched from its folder)."""
    try:
        return load_config(None, start=Path(path).resolve().parent), None
    except ConfigError as error:
        return Config(), str(error)


def sibling_specs(path: str) -> list[Spec]:
    """Specs of the other spec files in the buffer's folder, read from disk."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    extensions = spec_extensions()
    out: list[Spec] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return out
    mine = os.path.abspath(path)
    for name in names:
        other = os.path.join(folder, name)
        if other == mine or not name.endswith(extensions) or not os.path.isfile(other):
            continue
        loaded = load_file(other)
        if not any(d.severity is Severity.ERROR for d in loaded.diagnostics):
            out.extend(loaded.specs)
    return out


def analyse(path: str, text: str, version: int = 0, *, deep: bool) -> Analysis:
    config, config_error = project_config(path)
    loaded = load_text(path, text)
    found: list[Diagnostic] = list(loaded.diagnostics)
    broken = any(
        d.severity is Severity.ERROR and d.code.startswith("LD") for d in loaded.diagnostics
    )
    if deep and not broken:
        found.extend(_check(loaded.specs, sibling_specs(path), config))
    found = apply_policy(found, config.select, config.ignore, config.severity)
    found = apply_suppressions(found, loaded.sources) if deep else found
    return Analysis(path, version, loaded, sort_diagnostics(found), deep, config_error)


def _check(mine: Sequence[Spec], others: Sequence[Spec], config: Config) -> list[Diagnostic]:
    names = {spec.name for spec in mine}
    context = CheckContext(
        [*mine, *(spec for spec in others if spec.name not in names)],
        CheckOptions(
            timeout_ms=config.timeout_ms or CheckOptions.timeout_ms,
            max_states=config.max_states or CheckOptions.max_states,
        ),
    )
    out: list[Diagnostic] = []
    for spec in mine:
        with spending(Budget(context.options.timeout_ms)):  # --timeout: per spec, as in verify
            out.extend(checker_of(spec)(spec, context))
    return out
