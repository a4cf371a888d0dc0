"""The JSON output contract of checks.md, exactly (``archctl verify --format json``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archctl.codes import code_name
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import JSONValue
from archctl.proof import Proof
from archctl.report.jsonio import array_chunks, document
from archctl.report.jsontemplate import objects


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
    return "".join(json_chunks(diagnostics, files, specs, proved))


def json_chunks(
    diagnostics: Sequence[Diagnostic],
    files: int,
    specs: int,
    proved: Sequence[Proof] | None = None,
) -> Iterator[str]:
    """The report in pieces, a batch of findings at a time (the bytes of
    ``json.dumps(indent=2)``; the batches are encoded by report/jsontemplate.py)."""
    fields: list[tuple[str, object]] = [
        ("version", 1),
        ("summary", summary(diagnostics, files, specs)),
        ("diagnostics", array_chunks(objects(map(diagnostic_json, diagnostics), 2), 1)),
    ]
    if proved is not None:
        fields.append(("proved", array_chunks(objects((p.to_json() for p in proved), 2), 1)))
    yield from document(fields)
    yield "\n"
