"""GitLab Code Quality: the Code Climate JSON subset GitLab reads (``--format gitlab``).

GitLab shows these in the merge request widget and the diff. It reads ``description``,
``check_name``, ``fingerprint`` (unique per finding, stable when lines move),
``severity`` (info, minor, major, critical, blocker) and ``location.path`` with
``location.lines.begin``; paths are relative to the project root.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from archctl.codes import code_name
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import JSONValue
from archctl.report.anchors import fingerprints, project_uri
from archctl.report.jsonio import encode

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(diagnostics: Sequence[Diagnostic], root: str | None = None) -> str:
    root = os.path.abspath(root or os.getcwd())
    issues: list[JSONValue] = []
    for diagnostic, print_ in zip(diagnostics, fingerprints(diagnostics, root), strict=True):
        span = diagnostic.span
        issues.append(
            {
                "description": f"{diagnostic.code} {diagnostic.message}",
                "check_name": f"{diagnostic.code} {code_name(diagnostic.code)}",
                "fingerprint": print_,
                "severity": _SEVERITY[diagnostic.severity],
                "location": {
                    "path": project_uri(diagnostic, root),
                    "lines": {
                        "begin": span.line if span else 1,
                        "end": span.end_line if span else 1,
                    },
                },
            }
        )
    return encode(issues) + "\n"
