"""SARIF 2.1.0 as GitHub code scanning wants it.

Stable ``ruleId`` (the code), one ``rules`` entry per code with descriptions, help and a
``helpUri`` to the code's section of the docs. URIs are relative to the project root and
resolved through ``originalUriBaseIds`` (``SRCROOT``), never absolute. Counterexample traces
become ``codeFlows`` and the elements a message names ``relatedLocations``
(report/sarifresult.py). ``partialFingerprints`` come from file, spec, code, subject and
message, not the line (report/anchors.py), so alerts survive edits elsewhere, and are unique
per finding, so code scanning never merges two alerts.

The log is the bytes of ``json.dumps(indent=2, ensure_ascii=False)``, composed from
templates so a log of tens of thousands of results costs little more than writing it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from archctl import __version__
from archctl.codes import CODES
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import JSONValue
from archctl.gcpause import gc_paused
from archctl.model.spec import Spec
from archctl.report.anchors import fingerprints
from archctl.report.jsonio import array_chunks
from archctl.report.jsontemplate import HOLE, Template
from archctl.report.locate import name_index
from archctl.report.sarifresult import LEVEL, ResultWriter

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "https://github.com/archctl/archctl/blob/main/docs/checks.md"
_SECTION = {
    "LD": "load-ld",
    "SM": "state-machines-sm",
    "WF": "workflows-wf",
    "PL": "plugins-pl",
    "PO": "policies-po",
    "SY": "systems-sy",
}


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
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {"tags": [code[:2]]},
    }


def tool(codes: Sequence[Code]) -> dict[str, JSONValue]:
    """The log's ``tool``: archctl, and a rule per code the log's results use."""
    return {
        "driver": {
            "name": "archctl",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": "https://github.com/archctl/archctl",
            "rules": [_rule(code) for code in codes],
        }
    }


def render_sarif(
    diagnostics: Sequence[Diagnostic], root: str | None = None, specs: Sequence[Spec] = ()
) -> str:
    """The SARIF log; ``root`` is the project root (``SRCROOT``), ``specs`` locate names."""
    return "".join(sarif_chunks(diagnostics, root, specs))


def sarif_chunks(
    diagnostics: Sequence[Diagnostic],
    root: str | None = None,
    specs: Sequence[Spec] = (),
    batch: int = 512,
) -> Iterator[str]:
    """The SARIF log in pieces of ``batch`` results, to write as they are made: a large log
    is never one string (33,333 results are 50 MB, and every fresh copy of that size cost
    a tenth of a second in page faults, more than composing the results)."""
    root = os.path.abspath(root or os.getcwd())
    codes = sorted({diagnostic.code for diagnostic in diagnostics if diagnostic.code in CODES})
    rule_index = {code: index for index, code in enumerate(codes)}
    shown = [diagnostic for diagnostic in diagnostics if diagnostic.code in rule_index]
    base = Path(root).as_uri().rstrip("/") + "/"
    document = Template(
        {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": tool(codes),
                    "originalUriBaseIds": {"SRCROOT": {"uri": base}},
                    "columnKind": "unicodeCodePoints",
                    "results": HOLE,
                }
            ],
        }
    )
    (level,) = document.levels
    before, after = document.pieces
    # tens of thousands of results allocate millions of short-lived acyclic strings and
    # tuples; automatic collections would re-walk the loaded model each time
    with gc_paused():
        writer = ResultWriter(root, name_index(specs), rule_index)
        prints = fingerprints(shown, root)

    def batches() -> Iterator[list[str]]:
        for start in range(0, len(shown), batch):
            pairs = zip(shown[start : start + batch], prints[start : start + batch], strict=True)
            with gc_paused():
                results = [writer.result(found, print_, level + 1) for found, print_ in pairs]
            yield results

    yield before
    yield from array_chunks(batches(), level)
    yield after + "\n"
