"""The library API: verify and load specs from Python, the same way the CLI does.

For people who embed archctl in their own tools and tests. Everything here is re-exported
lazily by ``archctl/__init__.py`` (``archctl.verify_text``), so ``import archctl`` stays as
cheap as before and the loaders and z3 are imported on the first call.

Findings are values (:class:`~archctl.api_report.Report`); exceptions are for what stops the
call itself: :class:`LoadError` when ``load_text`` gets a spec that does not load (it has no
model to return), ``ConfigError`` for a broken config file, ``ValueError`` for an unknown
``format``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

from archctl.api_report import Report
from archctl.check import CheckOptions
from archctl.config import Config, load_config
from archctl.diagnostics import Diagnostic, Severity, sort_diagnostics
from archctl.load.frontends import FRONT_ENDS, by_name
from archctl.model.spec import LoadResult, Spec
from archctl.verify import VerifyOutcome, verify_loaded
from archctl.verify import verify_paths as _verify_paths

Format = Literal["yaml", "dsl", "bpmn", "scxml"]
PathLike = str | os.PathLike[str]


class LoadError(Exception):
    """The text does not load; ``diagnostics`` are the located load errors (LD codes)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        where = ""
        if first is not None and first.span is not None:
            where = f"{first.span.file}:{first.span.line}:{first.span.column}: "
        detail = f"{where}{first.code}: {first.message}" if first else "the spec does not load"
        more = len(self.diagnostics) - 1
        super().__init__(detail + (f" (and {more} more)" if more > 0 else ""))


def _read(text: str, format: str, source: str) -> LoadResult:
    front_end = by_name(format)
    if front_end is None:
        known = ", ".join(f.name for f in FRONT_ENDS)
        raise ValueError(f"unknown format {format!r}; expected one of {known}")
    return front_end.read(text, source=source)


def load_text(text: str, *, format: Format = "yaml", source: str = "<string>") -> list[Spec]:
    """The specs in ``text`` (a YAML file may hold several); :class:`LoadError` if it has errors.

    ``source`` names the text in diagnostics (use the file name if it came from one).
    """
    loaded = _read(text, format, source)
    problems = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if problems:
        raise LoadError(sort_diagnostics(problems))
    return list(loaded.specs)


def verify_text(
    text: str,
    *,
    format: Format = "yaml",
    source: str = "<string>",
    config: PathLike | Config | None = None,
    timeout_ms: int | None = None,
) -> Report:
    """Load and check the specs in ``text``; the findings and proofs as a :class:`Report`.

    Without ``config`` the defaults apply (no config file is searched for text).
    """
    settings = _config(config, search=False)
    loaded = _read(text, format, source)
    return _report(verify_loaded(loaded, _options(settings, timeout_ms), settings))


def verify_paths(
    paths: PathLike | Sequence[PathLike],
    *,
    config: PathLike | Config | None = None,
    timeout_ms: int | None = None,
) -> Report:
    """Load and check every spec under ``paths`` (files or folders), as ``archctl verify`` does.

    Without ``config`` the nearest ``archctl.toml`` / ``pyproject.toml`` is used, as by the CLI.
    """
    settings = _config(config, search=True)
    names = (
        [os.fspath(paths)]
        if isinstance(paths, (str, os.PathLike))
        else [os.fspath(path) for path in paths]
    )
    return _report(_verify_paths(names, _options(settings, timeout_ms), settings))


def _config(config: PathLike | Config | None, search: bool) -> Config:
    if isinstance(config, Config):
        return config
    if config is None and not search:
        return Config()
    return load_config(os.fspath(config) if config is not None else None)


def _options(config: Config, timeout_ms: int | None) -> CheckOptions:
    """The same precedence as the CLI: argument, then config, then the default."""
    return CheckOptions(
        timeout_ms=timeout_ms or config.timeout_ms or CheckOptions.timeout_ms,
        max_states=config.max_states or CheckOptions.max_states,
    )


def _report(outcome: VerifyOutcome) -> Report:
    return Report(
        diagnostics=tuple(outcome.diagnostics),
        proved=tuple(outcome.proved),
        files=outcome.files,
        specs=outcome.specs,
        load_failed=outcome.load_failed,
        sources=dict(outcome.sources),
    )
