"""Where a finding is for a code host: its file as a project-relative URI, and a fingerprint.

SARIF and GitLab Code Quality both name files relative to the project root and both want a
stable identity per finding, so an alert survives edits elsewhere and two alerts that read
the same are never merged. The fingerprint comes from file, spec, code, subject and message
(not the line), with an occurrence number when two findings read the same.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from archctl.diagnostics import Diagnostic
from archctl.evidence import JSONValue


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


def artifact(path: str, root: str, cwd: str | None = None) -> dict[str, JSONValue]:
    """A SARIF ``artifactLocation``: relative to ``SRCROOT`` inside the root, else absolute."""
    uri, inside = _artifact_uri(path, root, cwd or os.getcwd())
    return {"uri": uri, "uriBaseId": "SRCROOT"} if inside else {"uri": uri}


@functools.lru_cache(maxsize=4096)
def _artifact_uri(path: str, root: str, cwd: str) -> tuple[str, bool]:
    """Per file, not per finding (pathlib's ``as_uri`` costs tens of microseconds)."""
    uri = _relative_uri(path, root, cwd)
    if uri is None:
        return Path(os.path.abspath(path)).as_uri(), False
    return uri, True


def project_uri(diagnostic: Diagnostic, root: str, cwd: str | None = None) -> str:
    """The finding's file as a root-relative URI (absolute outside the root; "" for none);
    ``cwd`` saves asking the system once per finding."""
    span = diagnostic.span
    if span is None:
        return ""
    uri = _relative_uri(span.file, root, cwd or os.getcwd())
    return uri or os.path.abspath(span.file)


def fingerprint(diagnostic: Diagnostic, uri: str, occurrence: int = 0) -> str:
    parts = (uri, diagnostic.spec or "", diagnostic.code, diagnostic.subject or "")
    key = "\0".join((*parts, diagnostic.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def fingerprints(diagnostics: Sequence[Diagnostic], root: str) -> list[str]:
    """One fingerprint per finding, unique even for two findings that read the same."""
    seen: Counter[str] = Counter()
    out = []
    cwd = os.getcwd()
    for diagnostic in diagnostics:
        uri = project_uri(diagnostic, root, cwd)
        value = fingerprint(diagnostic, uri)
        out.append(fingerprint(diagnostic, uri, seen[value]) if seen[value] else value)
        seen[value] += 1
    return out
