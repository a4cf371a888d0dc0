"""SARIF 2.1.0 as GitHub code scanning wants it.

Stable ``ruleId`` (the code), one ``rules`` entry per code with descriptions, help and a
``helpUri`` to the code's section of the docs. URIs are relative to the project root and
resolved through ``originalUriBaseIds`` (``SRCROOT``), never absolute. Counterexample traces
become ``codeFlows`` (one location per step, on the state or node it names); cycle members
and the other elements a message names become ``relatedLocations``. ``partialFingerprints``
come from file, spec, code, subject and message (not the line), so alerts survive edits
elsewhere, and are unique per finding, so code scanning never merges two alerts.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from archctl import __version__
from archctl.codes import CODES
from archctl.diagnostics import Code, Diagnostic, Severity
from archctl.evidence import Cycle, JSONValue, Lasso, Trace, TraceStep
from archctl.model.spec import Spec
from archctl.report.jsonio import encode
from archctl.report.locate import NameIndex, name_index
from archctl.report.text import step_text
from archctl.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "https://github.com/archctl/archctl/blob/main/docs/checks.md"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECTION = {
    "LD": "load-ld",
    "SM": "state-machines-sm",
    "WF": "workflows-wf",
    "PL": "plugins-pl",
    "PO": "policies-po",
    "SY": "systems-sy",
}
#: Names in a message: quoted ('low-risk-deny') or bare words (audit, legacy-audit).
_NAMES = re.compile(r"'([^']+)'|([A-Za-z_][\w.-]*)")


def relative_uri(path: str, root: str) -> str | None:
    """Root-relative with forward slashes; None for a path outside the root."""
    return _relative_uri(path, root, os.getcwd())


@functools.lru_cache(maxsize=4096)
def _relative_uri(path: str, root: str, cwd: str) -> str | None:
    """Cached per file (a large report names a few files tens of thousands of times);
    ``cwd`` is part of the key because a relative path means something else elsewhere."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:
        return None
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def _artifact(path: str, root: str) -> dict[str, JSONValue]:
    uri, inside = _artifact_uri(path, root, os.getcwd())
    return {"uri": uri, "uriBaseId": "SRCROOT"} if inside else {"uri": uri}


@functools.lru_cache(maxsize=4096)
def _artifact_uri(path: str, root: str, cwd: str) -> tuple[str, bool]:
    """Per file, not per finding (pathlib's ``as_uri`` costs tens of microseconds)."""
    uri = _relative_uri(path, root, cwd)
    if uri is None:
        return Path(os.path.abspath(path)).as_uri(), False
    return uri, True


def project_uri(diagnostic: Diagnostic, root: str) -> str:
    """The finding's file as a root-relative URI (absolute outside the root; "" for none)."""
    span = diagnostic.span
    if span is None:
        return ""
    return relative_uri(span.file, root) or os.path.abspath(span.file)


def fingerprint(diagnostic: Diagnostic, uri: str, occurrence: int = 0) -> str:
    parts = (uri, diagnostic.spec or "", diagnostic.code, diagnostic.subject or "")
    key = "\0".join((*parts, diagnostic.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def fingerprints(diagnostics: Sequence[Diagnostic], root: str) -> list[str]:
    """One fingerprint per finding, unique even for two findings that read the same."""
    seen: Counter[str] = Counter()
    out = []
    for diagnostic in diagnostics:
        uri = project_uri(diagnostic, root)
        value = fingerprint(diagnostic, uri)
        out.append(fingerprint(diagnostic, uri, seen[value]) if seen[value] else value)
        seen[value] += 1
    return out


def help_uri(code: str) -> str:
    return f"{DOCS}#{_SECTION.get(code[:2], '')}"


def _rule(code: Code) -> dict[str, JSONValue]:
    info = CODES[code]
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.doc},
        "helpUri": help_uri(code),
        "help": {
            "text": f"{info.doc} Run `archctl explain {code}` for details.",
            "markdown": f"**{code} {info.name}**: {info.doc}\n\n`archctl explain {code}`",
        },
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"tags": [code[:2]]},
    }


def _location(span: Span, root: str, message: str | None = None) -> dict[str, JSONValue]:
    location: dict[str, JSONValue] = {
        "physicalLocation": {
            "artifactLocation": _artifact(span.file, root),
            "region": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column + 1,
            },
        }
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


def _code_flows(diagnostic: Diagnostic, span: Span, names: NameIndex, root: str) -> list[JSONValue]:
    """A trace (or a lasso's prefix then loop) as one thread flow, a step per location; a
    system run as one thread flow per component, so a viewer can step through the
    interleaving (``executionOrder``) or follow one component alone."""
    evidence = diagnostic.evidence
    steps: tuple[TraceStep, ...] = ()
    if isinstance(evidence, Trace):
        steps = evidence.steps
    elif isinstance(evidence, Lasso):
        steps = (*evidence.prefix, *evidence.loop)
    if not steps:
        return []
    if any(step.component is not None for step in steps):
        return _component_flows(steps, span, root)
    spec = diagnostic.spec or ""
    locations: list[JSONValue] = []
    for number, step in enumerate(steps, 1):
        element = step.node or step.state
        where = names.get((spec, element), span) if element else span
        locations.append({"location": _location(where, root, f"{number}. {step_text(step)}")})
    return [{"threadFlows": [{"locations": locations}]}]


def _component_flows(steps: tuple[TraceStep, ...], span: Span, root: str) -> list[JSONValue]:
    threads: dict[str, list[JSONValue]] = {}
    for order, step in enumerate(steps, 1):
        if step.component is None:
            continue
        where = step.location or span
        moved = f"-> {step.state}" if step.state is not None else None
        text = " ".join(part for part in (step.send, step.receive, moved) if part is not None)
        location = _location(where, root, f"{order}. {step.component}: {text}")
        threads.setdefault(step.component, []).append(
            {"location": location, "executionOrder": order}
        )
    thread_flows: list[JSONValue] = [
        {"id": name, "locations": threads[name]} for name in sorted(threads)
    ]
    return [{"threadFlows": thread_flows}]


def _related(diagnostic: Diagnostic, names: NameIndex, root: str) -> list[JSONValue]:
    spec = diagnostic.spec or ""
    mentioned = [quoted or bare for quoted, bare in _NAMES.findall(diagnostic.message)]
    if isinstance(diagnostic.evidence, Cycle):
        mentioned += list(diagnostic.evidence.path)
    seen: set[str] = set()
    out: list[JSONValue] = []
    for name in mentioned:
        span = names.get((spec, name))
        if span is None or name in seen or span == diagnostic.span:
            continue
        seen.add(name)
        location = _location(span, root, name)
        location["id"] = len(out)
        out.append(location)
    return out


def _result(
    diagnostic: Diagnostic,
    rule_index: dict[Code, int],
    root: str,
    names: NameIndex,
    print_: str,
) -> dict[str, JSONValue]:
    span = diagnostic.span
    message = diagnostic.message
    if diagnostic.help:
        message += f" (help: {diagnostic.help})"
    result: dict[str, JSONValue] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index[diagnostic.code],
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": message},
    }
    if span is not None:
        result["locations"] = [_location(span, root)]
        flows = _code_flows(diagnostic, span, names, root)
        if flows:
            result["codeFlows"] = flows
        related = _related(diagnostic, names, root)
        if related:
            result["relatedLocations"] = related
    result["partialFingerprints"] = {"archctlFinding/v1": print_}
    properties: dict[str, JSONValue] = {}
    if diagnostic.spec:
        properties["spec"] = diagnostic.spec
    if diagnostic.subject:
        properties["subject"] = diagnostic.subject
    if diagnostic.evidence is not None:
        properties["evidence"] = diagnostic.evidence.to_json()
    if properties:
        result["properties"] = properties
    return result


def render_sarif(
    diagnostics: Sequence[Diagnostic], root: str | None = None, specs: Sequence[Spec] = ()
) -> str:
    """The SARIF log; ``root`` is the project root (``SRCROOT``), ``specs`` locate names."""
    root = os.path.abspath(root or os.getcwd())
    names = name_index(specs)
    codes = sorted({diagnostic.code for diagnostic in diagnostics if diagnostic.code in CODES})
    rule_index = {code: index for index, code in enumerate(codes)}
    shown = [diagnostic for diagnostic in diagnostics if diagnostic.code in rule_index]
    results: list[JSONValue] = [
        _result(diagnostic, rule_index, root, names, print_)
        for diagnostic, print_ in zip(shown, fingerprints(shown, root), strict=True)
    ]
    base = Path(root).as_uri().rstrip("/") + "/"
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archctl",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/archctl/archctl",
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": base}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return encode(document) + "\n"
