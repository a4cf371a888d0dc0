"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One testsuite per file, one testcase per spec and check: a check with no finding on a spec
is a passing testcase, so the report also shows what was proved, not only what failed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Sequence

from archctl.codes import CODES
from archctl.diagnostics import Diagnostic, Severity
from archctl.model.spec import Spec
from archctl.report.text import evidence_lines

#: Which code family checks each spec kind.
FAMILY = {"statemachine": "SM", "workflow": "WF", "plugins": "PL", "policy": "PO"}


def _failure_text(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    where = f"{span.file}:{span.line}:{span.column}: " if span else ""
    lines = [f"{where}{diagnostic.severity.value}[{diagnostic.code}] {diagnostic.message}"]
    lines += evidence_lines(diagnostic)
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    return "\n".join(lines)


def render_junit(
    diagnostics: Sequence[Diagnostic],
    specs: Sequence[Spec],
    files: Sequence[str],
    fail_on: str = "error",
) -> str:
    """Findings at or above ``fail_on`` are failures; lower ones are reported as output."""
    threshold = Severity(fail_on).rank
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_file[diagnostic.span.file if diagnostic.span else ""].append(diagnostic)
    specs_by_file: dict[str, list[Spec]] = defaultdict(list)
    for spec in specs:
        specs_by_file[spec.span.file].append(spec)
    root = ElementTree.Element("testsuites", name="archctl verify")
    totals = {"tests": 0, "failures": 0}
    for file in sorted(set(files) | set(by_file)):
        suite = ElementTree.SubElement(root, "testsuite", name=file or "(no file)")
        counts = {"tests": 0, "failures": 0}
        file_findings = by_file.get(file, [])
        load = [d for d in file_findings if d.code.startswith("LD")]
        _case(suite, file, "load", load, threshold, counts)
        for spec in specs_by_file.get(file, []):
            family = FAMILY.get(spec.kind, "")
            spec_findings = [d for d in file_findings if d.spec == spec.name]
            for code in sorted(c for c in CODES if c.startswith(family)):
                name = f"{spec.name}: {code} {CODES[code].name}"
                matching = [d for d in spec_findings if d.code == code]
                _case(suite, f"{file}.{spec.kind}.{spec.name}", name, matching, threshold, counts)
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        totals["tests"] += counts["tests"]
        totals["failures"] += counts["failures"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _case(
    suite: ElementTree.Element,
    classname: str,
    name: str,
    findings: Sequence[Diagnostic],
    threshold: int,
    counts: dict[str, int],
) -> None:
    case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name)
    counts["tests"] += 1
    failing = [d for d in findings if d.severity.rank >= threshold]
    if failing:
        counts["failures"] += 1
        failure = ElementTree.SubElement(
            case,
            "failure",
            message="; ".join(d.message for d in failing),
            type=failing[0].code,
        )
        failure.text = "\n\n".join(_failure_text(d) for d in failing)
    others = [d for d in findings if d.severity.rank < threshold]
    if others:
        output = ElementTree.SubElement(case, "system-out")
        output.text = "\n\n".join(_failure_text(d) for d in others)
