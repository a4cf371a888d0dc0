"""The verify pipeline shared by the CLI and other commands: load, check, apply policy.

Order matters and is fixed here: load -> check -> project policy (select/ignore/severity)
-> inline suppressions -> baseline -> sort. Reporters only ever see the final list.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from archctl.check import CheckOptions
from archctl.config import Config
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.findings import (
    BaselineKey,
    apply_baseline,
    apply_policy,
    apply_suppressions,
    read_baseline,
)
from archctl.kinds import check_specs
from archctl.load.loader import load_paths
from archctl.model.spec import LoadResult, Spec
from archctl.proof import Proof, sort_proofs
from archctl.source import SourceFile


@dataclass
class VerifyOutcome:
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    files: int
    specs: int
    loaded: list[Spec] = field(default_factory=list)
    load_failed: bool = False
    file_names: list[str] = field(default_factory=list)
    baseline_known: int = 0
    baseline_stale: list[BaselineKey] = field(default_factory=list)
    proved: list[Proof] = field(default_factory=list)


def verify_paths(
    paths: Sequence[str],
    options: CheckOptions | None = None,
    config: Config | None = None,
    baseline: str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    specs_only: bool = False,
) -> VerifyOutcome:
    """Load every spec under ``paths`` and check those whose file loaded without errors.

    A file with load errors is not checked further: findings on a half-read model would be
    misleading (a dropped transition would make its target look unreachable).
    Raises :class:`archctl.findings.BaselineError` for an unusable baseline file.
    """
    config = config or Config()
    known = read_baseline(baseline) if baseline else None
    loaded = load_paths(paths, lambda path: _excluded(path, config), specs_only)
    return verify_loaded(loaded, options, config, known, select, ignore)


def verify_loaded(
    loaded: LoadResult,
    options: CheckOptions | None = None,
    config: Config | None = None,
    known: Counter[BaselineKey] | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> VerifyOutcome:
    """Check what was loaded (from files, or from text by the library API) and apply policy."""
    config = config or Config()
    broken = {
        d.span.file
        for d in loaded.diagnostics
        if d.span is not None and d.severity is Severity.ERROR and d.code.startswith("LD")
    }
    checkable = [spec for spec in loaded.specs if spec.span.file not in broken]
    proved: list[Proof] = []
    found = list(loaded.diagnostics) + check_specs(checkable, options, proved)
    found = apply_policy(
        found, [*config.select, *select], [*config.ignore, *ignore], config.severity
    )
    found = apply_suppressions(found, loaded.sources)
    outcome = VerifyOutcome(
        diagnostics=[],
        sources=loaded.sources,
        files=len(loaded.files),
        specs=len(loaded.specs),
        loaded=loaded.specs,
        load_failed=bool(broken),
        file_names=list(loaded.files),
        proved=sort_proofs(proved),
    )
    if known is not None:
        result = apply_baseline(sort_diagnostics(found), known)
        found = result.new
        outcome.baseline_known = result.known
        outcome.baseline_stale = result.stale
    outcome.diagnostics = sort_diagnostics(found)
    return outcome


def _excluded(path: str, config: Config) -> bool:
    if not config.exclude:
        return False
    candidates = {path}
    with contextlib.suppress(ValueError):  # another drive on Windows: no relative path
        candidates.add(os.path.relpath(os.path.abspath(path), config.root).replace(os.sep, "/"))
    return any(
        fnmatch.fnmatch(candidate, pattern)
        or fnmatch.fnmatch(candidate, pattern.rstrip("/") + "/*")
        for candidate in candidates
        for pattern in config.exclude
    )


def exit_code(outcome: VerifyOutcome, fail_on: str) -> int:
    """2 when input could not be loaded, 1 for findings at or above ``fail_on``, else 0."""
    if outcome.load_failed:
        return 2
    threshold = Severity(fail_on).rank
    if any(diagnostic.severity.rank >= threshold for diagnostic in outcome.diagnostics):
        return 1
    return 0
