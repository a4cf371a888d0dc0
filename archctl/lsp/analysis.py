"""Load and check one open buffer exactly as ``archctl verify FILE`` would.

The buffer's text replaces the file on disk and goes through ``verify``'s own pipeline
(:func:`archctl.verify.verify_loaded`): project config (select, extend-select, ignore,
per-file ignores, severity, timeouts), inline suppressions and the project context a check
may need (a subprocess workflow, a component machine) apply exactly as in ``verify``.
``deep=False`` stops after loading: load errors are cheap and shown on every keystroke,
proofs wait for a save or a pause.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archctl.check import CheckOptions
from archctl.config import Config, ConfigError, load_config
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.load.loader import load_file, load_text, spec_extensions
from archctl.model.spec import LoadResult, Spec
from archctl.verify import verify_loaded


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
    """The buffer's findings through ``verify``'s own pipeline (config, selection,
    per-file ignores, suppressions, project context); without ``deep``, no checks run and
    suppressions are not judged (a load error is never suppressed anyway)."""
    config, config_error = project_config(path)
    loaded = load_text(path, text)
    options = CheckOptions(
        timeout_ms=config.timeout_ms or CheckOptions.timeout_ms,
        max_states=config.max_states or CheckOptions.max_states,
    )
    if deep:
        found = verify_loaded(loaded, options, config).diagnostics
    else:
        only_load = LoadResult(diagnostics=list(loaded.diagnostics), files=list(loaded.files))
        found = verify_loaded(only_load, options, config).diagnostics
    return Analysis(path, version, loaded, sort_diagnostics(found), deep, config_error)
