"""The verify pipeline shared by the CLI and other commands: load, check, sort."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from archctl.check import CheckOptions, run_checks
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.load.loader import load_paths
from archctl.model.spec import Spec
from archctl.source import SourceFile


@dataclass
class VerifyOutcome:
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    files: int
    specs: int
    loaded: list[Spec] = field(default_factory=list)
    load_failed: bool = False


def verify_paths(paths: Sequence[str], options: CheckOptions | None = None) -> VerifyOutcome:
    """Load every spec under ``paths`` and check those whose file loaded without errors.

    A file with load errors is not checked further: findings on a half-read model would be
    misleading (a dropped transition would make its target look unreachable).
    """
    loaded = load_paths(paths)
    broken = {
        d.span.file
        for d in loaded.diagnostics
        if d.span is not None and d.severity is Severity.ERROR and d.code.startswith("LD")
    }
    checkable = [spec for spec in loaded.specs if spec.span.file not in broken]
    diagnostics = list(loaded.diagnostics) + run_checks(checkable, options)
    return VerifyOutcome(
        diagnostics=sort_diagnostics(diagnostics),
        sources=loaded.sources,
        files=len(loaded.files),
        specs=len(loaded.specs),
        loaded=loaded.specs,
        load_failed=bool(broken),
    )


def exit_code(outcome: VerifyOutcome, fail_on: str) -> int:
    """2 when input could not be loaded, 1 for findings at or above ``fail_on``, else 0."""
    if outcome.load_failed:
        return 2
    threshold = Severity(fail_on).rank
    if any(diagnostic.severity.rank >= threshold for diagnostic in outcome.diagnostics):
        return 1
    return 0
