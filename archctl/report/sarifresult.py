"""The results of a SARIF log, composed from templates (see report/jsontemplate.py).

A result holds ``locations`` (the finding's span); ``codeFlows`` for a trace or a lasso (one
location per step, on the state or node it names; a system run as one thread flow per
component, so a viewer can step through the interleaving by ``executionOrder`` or follow
one component alone); ``relatedLocations`` for the cycle members and the other elements the
message names; ``partialFingerprints``; ``properties`` (spec, subject, evidence).

Results of one shape (the same optional members) share one template at the results' level,
and a file's ``artifactLocation`` is encoded once per file and level: a result costs a few
string encodings and one ``%`` format instead of a walk over its dozen nested objects, which
was most of the time of a log with tens of thousands of results. Every location is built
from :func:`location_shape`, the one description of a SARIF location here.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence

from archctl.diagnostics import Code, Diagnostic, Severity
from archctl.evidence import Cycle, JSONValue, Lasso, Trace, TraceStep
from archctl.report.anchors import artifact
from archctl.report.jsonio import encode, encode_basestring
from archctl.report.jsontemplate import HOLE, Template, array_text
from archctl.report.locate import NameIndex
from archctl.report.text import step_text
from archctl.source import Span

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_LEVEL_TEXT = {severity: encode_basestring(level) for severity, level in LEVEL.items()}
#: Names in a message: quoted ('low-risk-deny') or bare words (audit, legacy-audit).
_NAMES = re.compile(r"'([^']+)'|([A-Za-z_][\w.-]*)")
_REGION = ("startLine", "startColumn", "endLine", "endColumn")
_HOLES = (HOLE, HOLE, HOLE, HOLE)
#: a located element's holes: its artifactLocation's text, then the four region numbers
_Where = tuple[str, int, int, int, int]


def location_shape(
    artifact_location: object, region: Sequence[object], message: object | None
) -> dict[str, object]:
    """A SARIF location (``region`` in :data:`_REGION` order, the end column exclusive)."""
    region_members = dict(zip(_REGION, region, strict=True))
    location: dict[str, object] = {
        "physicalLocation": {"artifactLocation": artifact_location, "region": region_members}
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


@functools.cache
def _related_location(level: int) -> Template:
    """A related location: where, a message (the element's name), and its ``id``."""
    shape = location_shape(HOLE, _HOLES, HOLE)
    shape["id"] = HOLE
    return Template(shape, level)


@functools.cache
def _step(level: int, ordered: bool) -> Template:
    """A thread flow location: a step's location, and its ``executionOrder`` if ``ordered``."""
    shape: dict[str, object] = {"location": location_shape(HOLE, _HOLES, HOLE)}
    if ordered:
        shape["executionOrder"] = HOLE
    return Template(shape, level)


@functools.cache
def _flows(level: int) -> Template:
    return Template([{"threadFlows": [{"locations": HOLE}]}], level)


@functools.cache
def _component_flows(level: int) -> Template:
    return Template([{"threadFlows": HOLE}], level)


@functools.cache
def _thread(level: int) -> Template:
    return Template({"id": HOLE, "locations": HOLE}, level)


@functools.cache
def _result(level: int, located: bool, flows: bool, related: bool, props: str) -> Template:
    """A result's template; ``props`` lists its properties by initial (spec, subject, evidence)."""
    shape: dict[str, object] = {
        "ruleId": HOLE,
        "ruleIndex": HOLE,
        "level": HOLE,
        "message": {"text": HOLE},
    }
    if located:
        shape["locations"] = [location_shape(HOLE, _HOLES, None)]
    if flows:
        shape["codeFlows"] = HOLE
    if related:
        shape["relatedLocations"] = HOLE
    shape["partialFingerprints"] = {"archctlFinding/v1": HOLE}
    names = {"s": "spec", "u": "subject", "e": "evidence"}
    if props:
        shape["properties"] = {names[initial]: HOLE for initial in props}
    return Template(shape, level)


def _steps(diagnostic: Diagnostic) -> tuple[TraceStep, ...]:
    evidence = diagnostic.evidence
    if isinstance(evidence, Trace):
        return evidence.steps
    if isinstance(evidence, Lasso):
        return (*evidence.prefix, *evidence.loop)
    return ()


class ResultWriter:
    """The results of one log: the project root, the name index, the rules' indexes."""

    def __init__(self, root: str, names: NameIndex, rule_index: Mapping[Code, int]) -> None:
        self.root = root
        self.names = names
        self.rule_index = rule_index
        self.cwd = os.getcwd()
        self._artifacts: dict[tuple[str, int], str] = {}

    def _where(self, span: Span, level: int) -> _Where:
        """A span's holes, its file's ``artifactLocation`` encoded at ``level``."""
        key = (span.file, level)
        text = self._artifacts.get(key)
        if text is None:
            location: JSONValue = artifact(span.file, self.root, self.cwd)
            text = self._artifacts[key] = encode(location, level)
        return text, span.line, span.column, span.end_line, span.end_column + 1

    def result(self, diagnostic: Diagnostic, print_: str, level: int) -> str:
        """One result, encoded at ``level`` (the results array's members)."""
        span = diagnostic.span
        steps = _steps(diagnostic) if span is not None else ()
        mentioned = self._mentioned(diagnostic) if span is not None else []
        evidence = diagnostic.evidence
        props = "".join(
            initial
            for initial, present in (
                ("s", diagnostic.spec),
                ("u", diagnostic.subject),
                ("e", evidence is not None),
            )
            if present
        )
        template = _result(level, span is not None, bool(steps), bool(mentioned), props)
        levels = template.levels
        message = diagnostic.message
        if diagnostic.help:
            message += f" (help: {diagnostic.help})"
        holes: list[str | int] = [
            encode_basestring(diagnostic.code),
            self.rule_index[diagnostic.code],
            _LEVEL_TEXT[diagnostic.severity],
            encode_basestring(message),
        ]
        if span is not None:
            holes += self._where(span, levels[len(holes)])
            if steps:
                holes.append(self._code_flows(diagnostic, steps, span, levels[len(holes)]))
            if mentioned:
                holes.append(self._related(mentioned, levels[len(holes)]))
        holes.append(encode_basestring(print_))
        if diagnostic.spec:
            holes.append(encode_basestring(diagnostic.spec))
        if diagnostic.subject:
            holes.append(encode_basestring(diagnostic.subject))
        if evidence is not None:
            holes.append(encode(evidence.to_json(), levels[len(holes)]))
        return template.fill(*holes)

    def _mentioned(self, diagnostic: Diagnostic) -> list[tuple[str, Span]]:
        """The elements the message (or a cycle) names, each once, but the finding's own."""
        spec = diagnostic.spec or ""
        mentioned = [quoted or bare for quoted, bare in _NAMES.findall(diagnostic.message)]
        if isinstance(diagnostic.evidence, Cycle):
            mentioned += list(diagnostic.evidence.path)
        seen: set[str] = set()
        out: list[tuple[str, Span]] = []
        for name in mentioned:
            span = self.names.get((spec, name))
            if span is None or name in seen or span == diagnostic.span:
                continue
            seen.add(name)
            out.append((name, span))
        return out

    def _related(self, mentioned: list[tuple[str, Span]], level: int) -> str:
        template = _related_location(level + 1)
        at = template.levels[0]
        members = [
            template.fill(*self._where(span, at), encode_basestring(name), number)
            for number, (name, span) in enumerate(mentioned)
        ]
        return array_text(members, level)

    def _code_flows(
        self, diagnostic: Diagnostic, steps: tuple[TraceStep, ...], span: Span, level: int
    ) -> str:
        """A trace (or a lasso's prefix then loop) as one thread flow, a step per location."""
        if any(step.component is not None for step in steps):
            return self._component_flows(steps, span, level)
        outer = _flows(level)
        (inner,) = outer.levels
        template = _step(inner + 1, False)
        at = template.levels[0]
        spec = diagnostic.spec or ""
        members = []
        for number, step in enumerate(steps, 1):
            element = step.node or step.state
            where = self.names.get((spec, element), span) if element else span
            text = encode_basestring(f"{number}. {step_text(step)}")
            members.append(template.fill(*self._where(where, at), text))
        return outer.fill(array_text(members, inner))

    def _component_flows(self, steps: tuple[TraceStep, ...], span: Span, level: int) -> str:
        """A system run: one thread flow per component, steps numbered across all of them."""
        outer = _component_flows(level)
        (threads_level,) = outer.levels
        thread = _thread(threads_level + 1)
        steps_level = thread.levels[1]
        template = _step(steps_level + 1, True)
        at = template.levels[0]
        threads: dict[str, list[str]] = {}
        for order, step in enumerate(steps, 1):
            if step.component is None:
                continue
            where = step.location or span
            moved = f"-> {step.state}" if step.state is not None else None
            text = " ".join(part for part in (step.send, step.receive, moved) if part is not None)
            message = encode_basestring(f"{order}. {step.component}: {text}")
            threads.setdefault(step.component, []).append(
                template.fill(*self._where(where, at), message, order)
            )
        members = [
            thread.fill(encode_basestring(name), array_text(threads[name], steps_level))
            for name in sorted(threads)
        ]
        return outer.fill(array_text(members, threads_level))
