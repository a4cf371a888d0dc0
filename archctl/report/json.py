"""The JSON output contract of checks.md, exactly (``archctl verify --format json``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from archctl.codes import code_name
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import JSONValue
from archctl.proof import Proof


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, JSONValue]:
    span = diagnostic.span
    out: dict[str, JSONValue] = {
        "code": diagnostic.code,
        "name": code_name(diagnostic.code),
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": span.file if span else None,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "spec": diagnostic.spec,
        "subject": diagnostic.subject,
    }
    if diagnostic.evidence is not None:
        out["evidence"] = diagnostic.evidence.to_json()
    if diagnostic.help:
        out["help"] = diagnostic.help
    if diagnostic.notes:
        out["notes"] = list(diagnostic.notes)
    return out


def summary(diagnostics: Sequence[Diagnostic], files: int, specs: int) -> dict[str, int]:
    count = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        count[diagnostic.severity] += 1
    return {
        "files": files,
        "specs": specs,
        "errors": count[Severity.ERROR],
        "warnings": count[Severity.WARNING],
        "infos": count[Severity.INFO],
    }


def render_json(
    diagnostics: Sequence[Diagnostic],
    files: int,
    specs: int,
    proved: Sequence[Proof] | None = None,
) -> str:
    """The report; ``proved`` (what was proved, checks.md 1.1) is added when given."""
    document: dict[str, JSONValue] = {
        "version": 1,
        "summary": dict(summary(diagnostics, files, specs)),
        "diagnostics": [diagnostic_json(diagnostic) for diagnostic in diagnostics],
    }
    if proved is not None:
        document["proved"] = [dict(proof.to_json()) for proof in proved]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
