"""SARIF 2.1.0 as GitHub code scanning wants it.

Stable ``ruleId`` (the code), one ``rules`` entry per code with short and full description
and help, repository-relative URIs, regions with start line and column, and
``partialFingerprints`` built from file, spec, code and subject so alerts are not duplicated
when lines move.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence

from archctl import __version__
from archctl.codes import CODES
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Evidence, JSONValue, Lasso, Trace

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def relative_uri(path: str, root: str) -> str:
    """Repository-relative, forward slashes; paths outside the root stay absolute."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:
        relative = absolute
    if relative.startswith(".."):
        return "file://" + absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def fingerprint(diagnostic: Diagnostic, uri: str) -> str:
    key = "\0".join((uri, diagnostic.spec or "", diagnostic.code, diagnostic.subject or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule(code: str) -> dict[str, JSONValue]:
    info = CODES[code]
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.doc},
        "help": {
            "text": f"{info.doc} Run `archctl explain {code}` for details.",
            "markdown": f"**{code} {info.name}**: {info.doc}\n\n`archctl explain {code}`",
        },
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"tags": [code[:2]]},
    }


def _result(diagnostic: Diagnostic, rule_index: dict[str, int], root: str) -> dict[str, JSONValue]:
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
        uri = relative_uri(span.file, root)
        region: dict[str, JSONValue] = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column + 1,
        }
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ]
        result["partialFingerprints"] = {"archctlFinding/v1": fingerprint(diagnostic, uri)}
    properties: dict[str, JSONValue] = {}
    if diagnostic.spec:
        properties["spec"] = diagnostic.spec
    if diagnostic.subject:
        properties["subject"] = diagnostic.subject
    if diagnostic.evidence is not None:
        properties["evidence"] = diagnostic.evidence.to_json()
        if isinstance(diagnostic.evidence, Trace):
            steps: list[JSONValue] = [step.to_json() for step in diagnostic.evidence.steps]
            properties["trace"] = steps
        flows = code_flows(diagnostic.evidence, root)
        if flows:
            result["codeFlows"] = flows
    if properties:
        result["properties"] = properties
    return result


def code_flows(evidence: Evidence, root: str) -> list[JSONValue]:
    """A system run as one code flow with a thread flow per component, so a viewer can step
    through the interleaving (``executionOrder``) or follow one component alone."""
    steps = evidence.steps if isinstance(evidence, Trace) else ()
    if isinstance(evidence, Lasso):
        steps = (*evidence.prefix, *evidence.loop)
    threads: dict[str, list[JSONValue]] = {}
    for order, step in enumerate(steps, 1):
        if step.location is None or step.component is None:
            continue
        span = step.location
        text = " ".join(
            part for part in (step.send, step.receive, f"-> {step.state}") if part is not None
        )
        threads.setdefault(step.component, []).append(
            {
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": relative_uri(span.file, root),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": span.line, "startColumn": span.column},
                    },
                    "message": {"text": f"{order}. {step.component}: {text}"},
                },
                "executionOrder": order,
            }
        )
    if not threads:
        return []
    thread_flows: list[JSONValue] = [
        {"id": name, "locations": threads[name]} for name in sorted(threads)
    ]
    return [{"threadFlows": thread_flows}]


def render_sarif(diagnostics: Sequence[Diagnostic], root: str | None = None) -> str:
    root = os.path.abspath(root or os.getcwd())
    codes = sorted({diagnostic.code for diagnostic in diagnostics if diagnostic.code in CODES})
    rule_index = {code: index for index, code in enumerate(codes)}
    results = [
        _result(diagnostic, rule_index, root)
        for diagnostic in diagnostics
        if diagnostic.code in rule_index
    ]
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
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
