"""JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One testsuite per file, one testcase per spec and check, so the report shows what was
checked, not only what failed. A testcase is a failure when a finding at or above
``--fail-on`` belongs to it (an inconclusive x901 is an error by default, so "not proved"
fails like "disproved"); it is ``<skipped/>`` when the check did not run: its file did not
load, or its code was deselected. Never a pass for either. A passing check that an engine
proved carries the proof (engine and certificate) as its output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from archctl import codes as registry
from archctl.codes import CODES
from archctl.diagnostics import Code, Diagnostic, Severity
from archctl.model.spec import KindName, Spec, assert_never
from archctl.proof import Proof
from archctl.report.text import evidence_lines

#: Which code family checks each spec kind.


def checked_codes(kind: KindName) -> list[Code]:
    """The codes a spec of this kind is checked for: one JUnit test case each."""
    if kind == "petrinet":  # only the soundness checks (docs/pnml.md), not every WF code
        return [registry.WF103, registry.WF104, registry.WF105, registry.WF106, registry.WF901]
    family = code_family(kind)
    return sorted(code for code in CODES if code.startswith(family))


def code_family(kind: KindName) -> str:
    """The code prefix of a kind's checks.

    An exhaustive match, so a new kind is a type error here instead of an empty prefix
    that would list every code of every kind as its test cases.
    """
    match kind:
        case "statemachine":
            return "SM"
        case "workflow":
            return "WF"
        case "plugins":
            return "PL"
        case "policy":
            return "PO"
        case "system":
            return "SY"
        case "petrinet":  # nets report the workflow soundness codes (docs/pnml.md)
            return "WF"
        case _:
            assert_never(kind)


@dataclass(frozen=True)
class JUnitRun:
    """What the JUnit report needs besides the findings: what ran, how long, what held."""

    specs: Sequence[Spec]
    files: Sequence[str]
    fail_on: str = "error"
    broken_files: frozenset[str] = frozenset()
    active: Callable[[str], bool] = field(default=lambda code: True)
    proved: Sequence[Proof] = ()
    #: Seconds spent checking each (file, spec name).
    seconds: Mapping[tuple[str, str], float] = field(default_factory=dict)


def _failure_text(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    where = f"{span.file}:{span.line}:{span.column}: " if span else ""
    lines = [f"{where}{diagnostic.severity.value}[{diagnostic.code}] {diagnostic.message}"]
    lines += evidence_lines(diagnostic.evidence)
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    return "\n".join(lines)


def render_junit(
    diagnostics: Sequence[Diagnostic],
    specs: Sequence[Spec],
    files: Sequence[str],
    fail_on: str = "error",
    run: JUnitRun | None = None,
) -> str:
    """Findings at or above ``fail_on`` are failures; lower ones are reported as output."""
    run = run or JUnitRun(specs, files, fail_on)
    threshold = Severity(run.fail_on).rank
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_file[diagnostic.span.file if diagnostic.span else ""].append(diagnostic)
    specs_by_file: dict[str, list[Spec]] = defaultdict(list)
    for spec in run.specs:
        specs_by_file[spec.span.file].append(spec)
    proofs: dict[tuple[str, str], list[Proof]] = defaultdict(list)
    for proof in run.proved:
        proofs[(proof.spec, proof.check)].append(proof)
    root = ElementTree.Element("testsuites", name="archctl verify")
    totals = dict.fromkeys(("tests", "failures", "skipped"), 0)
    total_time = 0.0
    for file in sorted(set(run.files) | set(by_file)):
        suite = ElementTree.SubElement(root, "testsuite", name=file or "(no file)")
        counts = dict.fromkeys(("tests", "failures", "skipped"), 0)
        file_findings = by_file.get(file, [])
        load = [d for d in file_findings if d.code.startswith("LD")]
        case = _case(suite, file, "load", file, load, threshold, counts)
        case.set("time", "0.000")
        suite_time = 0.0
        for spec in specs_by_file.get(file, []):
            spec_findings = [d for d in file_findings if d.spec == spec.name]
            codes = checked_codes(spec.kind)
            seconds = run.seconds.get((file, spec.name), 0.0)
            suite_time += seconds
            share = f"{seconds / max(len(codes), 1):.3f}"
            for code in codes:
                name = f"{spec.name}: {code} {CODES[code].name}"
                classname = f"{file}.{spec.kind}.{spec.name}"
                matching = [d for d in spec_findings if d.code == code]
                case = _case(suite, classname, name, file, matching, threshold, counts)
                case.set("time", share)
                if file in run.broken_files:
                    _skip(case, "not checked: the file did not load (see the load testcase)")
                    counts["skipped"] += 1
                elif not run.active(code):
                    _skip(case, f"not checked: {code} is deselected (select/ignore)")
                    counts["skipped"] += 1
                elif not matching and proofs.get((spec.name, code)):
                    output = ElementTree.SubElement(case, "system-out")
                    output.text = "\n".join(_proof_text(p) for p in proofs[(spec.name, code)])
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", f"{suite_time:.3f}")
        suite.set("file", file)
        for key in totals:
            totals[key] += counts[key]
        total_time += suite_time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    root.set("time", f"{total_time:.3f}")
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _proof_text(proof: Proof) -> str:
    certificate = f": {proof.certificate}" if proof.certificate else ""
    return f"proved for {proof.subject} by {proof.engine}{certificate}"


def _skip(case: ElementTree.Element, message: str) -> None:
    ElementTree.SubElement(case, "skipped", message=message)


def _case(
    suite: ElementTree.Element,
    classname: str,
    name: str,
    file: str,
    findings: Sequence[Diagnostic],
    threshold: int,
    counts: dict[str, int],
) -> ElementTree.Element:
    case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name, file=file)
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
    return case
