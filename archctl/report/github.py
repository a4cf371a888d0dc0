"""GitHub Actions: annotations on the pull request, and a Markdown job summary.

GitHub shows only the first 10 error (and 10 warning) annotations of a step, so the most
severe findings come first and every finding, with its counterexample, also goes to the
job summary (``$GITHUB_STEP_SUMMARY``), where nothing is cut. An annotation's title says
what is wrong (code and name), not only the code.
"""

from __future__ import annotations

from collections.abc import Sequence

from archctl.codes import code_name
from archctl.diagnostics import Diagnostic, Severity
from archctl.proof import Proof
from archctl.report.text import evidence_lines

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def by_severity(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Most severe first; the canonical order within one severity (a stable sort)."""
    return sorted(diagnostics, key=lambda d: -d.severity.rank)


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for diagnostic in by_severity(diagnostics):
        properties = []
        span = diagnostic.span
        if span is not None:
            properties += [
                f"file={_escape_property(span.file)}",
                f"line={span.line}",
                f"col={span.column}",
                f"endLine={span.end_line}",
                f"endColumn={span.end_column}",
            ]
        title = f"{diagnostic.code} {code_name(diagnostic.code)}"
        properties.append(f"title={_escape_property(title)}")
        message = diagnostic.message
        if diagnostic.help:
            message += f"\nhelp: {diagnostic.help}"
        lines.append(
            f"::{_COMMAND[diagnostic.severity]} {','.join(properties)}::{_escape_data(message)}"
        )
    return "".join(line + "\n" for line in lines)


def _cell(text: str) -> str:
    """Table cell text: pipes and newlines would break the row; HTML is shown as written."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\n", " ")
    )


def render_step_summary(
    diagnostics: Sequence[Diagnostic],
    files: int,
    specs: int,
    proved: Sequence[Proof],
    proof_line: str,
) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: every finding with its trace, then the proofs."""
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    out = [
        "## archctl verify",
        "",
        f"{files} file(s), {specs} spec(s): {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info(s). {proof_line}",
        "",
    ]
    if diagnostics:
        out += ["| severity | code | where | message |", "| --- | --- | --- | --- |"]
        for diagnostic in by_severity(diagnostics):
            span = diagnostic.span
            where = f"`{span.file}:{span.line}:{span.column}`" if span else ""
            title = f"{diagnostic.code} {code_name(diagnostic.code)}"
            out.append(
                f"| {diagnostic.severity.value} | {title} | {where} | {_cell(diagnostic.message)} |"
            )
        out.append("")
        for diagnostic in by_severity(diagnostics):
            evidence = evidence_lines(diagnostic.evidence)
            if not evidence:
                continue
            span = diagnostic.span
            where = f" at {span.file}:{span.line}" if span else ""
            out += [
                "<details>",
                f"<summary>{diagnostic.code}{_cell(where)}: {_cell(diagnostic.message)}</summary>",
                "",
                "```text",
                *evidence,
                "```",
                "</details>",
                "",
            ]
    if proved:
        out += ["<details>", f"<summary>proved ({len(proved)})</summary>", ""]
        for proof in proved:
            certificate = f": {proof.certificate}" if proof.certificate else ""
            out.append(
                f"- {_cell(proof.spec)} {proof.check} {_cell(proof.subject)} "
                f"({_cell(proof.engine)}){_cell(certificate)}"
            )
        out += ["", "</details>", ""]
    return "\n".join(out) + "\n"
