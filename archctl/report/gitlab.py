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
from archctl.report.anchors import fingerprints, project_uri
from archctl.report.jsontemplate import HOLE, Template, array_text

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


#: an issue's shape; every finding fills the same leaves (report/jsontemplate.py)
_ISSUE = {
    "description": HOLE,
    "check_name": HOLE,
    "fingerprint": HOLE,
    "severity": HOLE,
    "location": {"path": HOLE, "lines": {"begin": HOLE, "end": HOLE}},
}


def render_gitlab(diagnostics: Sequence[Diagnostic], root: str | None = None) -> str:
    root = os.path.abspath(root or os.getcwd())
    cwd = os.getcwd()
    rows = []
    for diagnostic, print_ in zip(diagnostics, fingerprints(diagnostics, root), strict=True):
        span = diagnostic.span
        rows.append(
            (
                f"{diagnostic.code} {diagnostic.message}",
                f"{diagnostic.code} {code_name(diagnostic.code)}",
                print_,
                _SEVERITY[diagnostic.severity],
                project_uri(diagnostic, root, cwd),
                span.line if span else 1,
                span.end_line if span else 1,
            )
        )
    return array_text(Template(_ISSUE, 1).fill_rows(rows), 0) + "\n"
