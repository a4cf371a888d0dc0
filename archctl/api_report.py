"""The result of a library ``verify_*`` call: findings, what was proved, and the report formats.

A value, not a printer: embedders (test suites, editors, bots) read ``diagnostics`` and
``proved`` directly, or ask for the very report the CLI would print (``to_json`` is
byte-for-byte ``archctl verify --format json``), so nothing embeds a second renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from archctl.diagnostics import Diagnostic, Severity
from archctl.proof import Proof
from archctl.source import SourceFile


@dataclass(frozen=True)
class Report:
    """What ``verify_text`` / ``verify_paths`` found, in canonical order."""

    diagnostics: tuple[Diagnostic, ...]
    proved: tuple[Proof, ...]
    files: int
    specs: int
    #: True when some input did not load (the CLI's exit code 2): nothing of it was checked.
    load_failed: bool
    sources: Mapping[str, SourceFile] = field(default_factory=dict, repr=False, compare=False)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        """Loaded and no finding of severity error (inconclusive checks are errors)."""
        return not self.load_failed and not self.errors

    def exit_code(self, fail_on: str = "error") -> int:
        """The CLI's exit code for this report: 2 unloadable, 1 findings at ``fail_on``, 0."""
        if self.load_failed:
            return 2
        threshold = Severity(fail_on).rank
        return 1 if any(d.severity.rank >= threshold for d in self.diagnostics) else 0

    def to_json(self) -> str:
        """The JSON report of checks.md, as ``archctl verify --format json`` prints it."""
        from archctl.report.json import render_json

        return render_json(list(self.diagnostics), self.files, self.specs, list(self.proved))

    def to_text(self) -> str:
        """The plain-text report (no colour), as ``archctl verify --output FILE`` writes it."""
        from archctl.report.text import render_plain

        return render_plain(list(self.diagnostics), self.sources, self.files, self.specs)
