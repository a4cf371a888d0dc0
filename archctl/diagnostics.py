"""The one shape every problem takes, from a YAML typo to a failed proof.

Findings are values, not exceptions: loaders and checkers return lists of
:class:`Diagnostic` and the reporters turn them into text, JSON and CI formats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from archctl.evidence import Evidence
from archctl.source import Span


class Code(str):
    """A registered finding code such as ``SM102``.

    A subclass of ``str`` so that codes compare, hash, sort and serialise as the strings users
    write in config, baselines and ``--select``; a distinct type so that mypy rejects a bare
    string literal where a diagnostic's code is expected. The registered constants live in
    :mod:`archctl.codes` (``codes.SM102``). Codes that come from users (config, ``--select``,
    baselines, suppressions) stay plain strings and compare equal to these.
    """

    __slots__ = ()


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for ``--fail-on`` thresholds."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    code: Code
    severity: Severity
    message: str
    span: Span | None
    spec: str | None = None
    subject: str | None = None
    evidence: Evidence | None = None
    help: str | None = None
    notes: tuple[str, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Canonical order: file, line, column, code, subject, message."""
        if self.span is None:
            return ("", 0, 0, self.code, self.subject or "", self.message)
        return (
            self.span.file,
            self.span.line,
            self.span.column,
            self.code,
            self.subject or "",
            self.message,
        )


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort canonically and drop exact duplicates, so output is the same bytes every run."""
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.sort_key(), diagnostic.span, diagnostic.severity.value)
        unique.setdefault(key, diagnostic)
    return sorted(unique.values(), key=Diagnostic.sort_key)
