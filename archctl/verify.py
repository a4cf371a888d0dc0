"""The verify pipeline shared by the CLI and other commands: load, check, apply policy.

Order matters and is fixed here: load -> check -> inline suppressions -> project policy
(select/ignore/severity, per-file ignores) -> baseline -> sort. Reporters only ever see the
final list. Suppressions come before the policy so that a suppression of a deselected code
is not called unused, and so that LD011 itself can be ignored or re-graded.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from archctl.check import CheckOptions
from archctl.config import Config
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.findings import (
    BaselineKey,
    apply_baseline,
    apply_policy,
    apply_suppressions,
    is_active,
    project_path,
    read_baseline,
)
from archctl.load.loader import duplicate_specs, load_bytes, load_paths
from archctl.model.spec import LoadResult, Spec
from archctl.proof import Proof, sort_proofs
from archctl.source import SourceFile
from archctl.verify_context import context_specs
from archctl.verify_jobs import CheckJob, InProcess, Workers, check_chunk, prepare

#: The path that means "read the spec from standard input".
STDIN = "-"


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
    #: Files whose load errors kept their specs from being checked (JUnit: skipped).
    broken_files: set[str] = field(default_factory=set)
    #: Whether a code's check ran and is reported (False: deselected by select/ignore).
    active: Callable[[str], bool] = field(default=lambda code: True)
    #: Seconds spent checking each spec, keyed by (file, spec name).
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Every finding before the baseline was applied (what --write-baseline records).
    unbaselined: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    """What to report: codes or prefixes, and severity overrides (command line and config)."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def resolve(self, config: Config) -> tuple[list[str], list[str], dict[str, Severity]]:
        """``--select`` replaces the config's selection, ``--extend-select`` adds (ruff)."""
        base = list(self.select or config.select)
        select = [*base, *config.extend_select, *self.extend_select] if base else []
        severity = {**config.severity, **self.severity}
        return select, [*config.ignore, *self.ignore], severity


def verify_paths(
    paths: Sequence[str],
    options: CheckOptions | None = None,
    config: Config | None = None,
    baseline: str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    specs_only: bool = False,
    *,
    selection: Selection | None = None,
    stdin: tuple[str, bytes] | None = None,
    respect_gitignore: bool = True,
    workers: Workers | None = None,
) -> VerifyOutcome:
    """Load every spec under ``paths`` and check those whose file loaded without errors.

    A file with load errors is not checked further: findings on a half-read model would be
    misleading (a dropped transition would make its target look unreachable). A spec name
    defined in two files is an LD006 on the second, but both files are still checked, so
    the duplicate does not hide the second file's own findings. ``stdin`` is the
    (file name, bytes) read for the path ``-``. ``workers`` check specs in parallel
    (:mod:`archctl.verify_jobs`); the outcome is the same as a sequential run's.
    Raises :class:`archctl.findings.BaselineError` for an unusable baseline file.
    """
    config = config or Config()
    known = read_baseline(baseline) if baseline else None
    loaded = load_paths(
        [path for path in paths if path != STDIN],
        lambda path: _excluded(path, config),
        specs_only,
        duplicates=False,
        ignored=_gitignore(config) if respect_gitignore else None,
    )
    if stdin is not None and STDIN in paths:
        loaded.extend(load_bytes(stdin[0], stdin[1]))
    chosen = selection or Selection(tuple(select), (), tuple(ignore))
    return verify_loaded(loaded, options, config, known, selection=chosen, workers=workers)


def verify_loaded(
    loaded: LoadResult,
    options: CheckOptions | None = None,
    config: Config | None = None,
    known: Counter[BaselineKey] | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    *,
    selection: Selection | None = None,
    workers: Workers | None = None,
) -> VerifyOutcome:
    """Check what was loaded (from files, or from text by the library API) and apply policy.

    Names a spec needs but that were not loaded (a subprocess in an unstaged file) are
    looked up in the project (:mod:`archctl.verify_context`); ``loaded`` must not hold the
    cross-file LD006 findings yet (they are added here, without hiding either file).
    """
    config = config or Config()
    root = str(config.root)
    chosen = selection or Selection(tuple(select), (), tuple(ignore))
    select_codes, ignore_codes, severity = chosen.resolve(config)
    broken = {
        d.span.file
        for d in loaded.diagnostics
        if d.span is not None and d.severity is Severity.ERROR and d.code.startswith("LD")
    }
    duplicates = duplicate_specs(loaded)
    loaded.diagnostics.extend(duplicates)
    checkable = [spec for spec in loaded.specs if spec.span.file not in broken]
    roots = [os.path.join(root, path) for path in config.paths]
    context = context_specs(checkable, loaded.files, roots, lambda p: _excluded(p, config))
    proved: list[Proof] = []
    seconds: dict[tuple[str, str], float] = {}
    found = list(loaded.diagnostics)
    job = CheckJob(checkable, context, options)
    prepare(checkable)
    checked = (workers or InProcess()).map(check_chunk, job, range(len(checkable)))
    for spec, one in zip(checkable, checked, strict=True):
        found += one.diagnostics
        proved += one.proved
        seconds[(spec.span.file, spec.name)] = one.seconds

    def active(code: str) -> bool:
        return is_active(code, select_codes, ignore_codes)

    found = apply_suppressions(found, loaded.sources, active)
    found = apply_policy(found, select_codes, ignore_codes, severity)
    found = _per_file_ignores(found, config)
    outcome = VerifyOutcome(
        diagnostics=[],
        sources=loaded.sources,
        files=len(loaded.files),
        specs=len(loaded.specs),
        loaded=loaded.specs,
        load_failed=bool(broken or duplicates),
        file_names=list(loaded.files),
        proved=sort_proofs(proved),
        broken_files=broken,
        active=active,
        seconds=seconds,
    )
    found = sort_diagnostics(found)
    outcome.unbaselined = found
    if known is not None:
        result = apply_baseline(found, known, root)
        found = result.new
        outcome.baseline_known = result.known
        outcome.baseline_stale = result.stale
    outcome.diagnostics = found
    return outcome


def _gitignore(config: Config) -> Callable[[str, bool], bool]:
    from archctl.load.gitignore import GitIgnore

    return GitIgnore(config.root)


def _candidates(path: str, config: Config) -> set[str]:
    candidates = {path}
    with contextlib.suppress(ValueError):  # another drive on Windows: no relative path
        candidates.add(project_path(path, str(config.root)))
    return candidates


def _glob(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*")


def _excluded(path: str, config: Config) -> bool:
    if not config.exclude:
        return False
    candidates = _candidates(path, config)
    return any(_glob(c, pattern) for c in candidates for pattern in config.exclude)


def _per_file_ignores(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """Drop codes ignored for the files matching a ``per-file-ignores`` glob."""
    if not config.per_file_ignores:
        return found
    kept = []
    for diagnostic in found:
        span = diagnostic.span
        if span is not None and not is_active(diagnostic.code, [], _ignored_in(span.file, config)):
            continue
        kept.append(diagnostic)
    return kept


def _ignored_in(file: str, config: Config) -> list[str]:
    candidates = _candidates(file, config)
    return [
        code
        for pattern, codes in config.per_file_ignores
        if any(_glob(c, pattern) for c in candidates)
        for code in codes
    ]


def exit_code(outcome: VerifyOutcome, fail_on: str) -> int:
    """2 when input could not be loaded, 1 for findings at or above ``fail_on``, else 0."""
    if outcome.load_failed:
        return 2
    threshold = Severity(fail_on).rank
    if any(diagnostic.severity.rank >= threshold for diagnostic in outcome.diagnostics):
        return 1
    return 0
