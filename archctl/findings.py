"""What happens to findings between the checkers and the reporters.

Project policy is applied here, in one place: ``select``/``ignore`` and per-code severity from
the configuration, inline ``# archctl: ignore[CODE]`` suppressions (unused ones are reported
as LD011), and baselines keyed by file, spec, code and subject (not by line, so an edit
elsewhere in a file does not churn the baseline).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from archctl import __version__, codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic, Severity
from archctl.source import SourceFile, Span

SUPPRESSION = re.compile(r"archctl:\s*ignore\[([A-Za-z0-9_,\s]+)\]")
#: Load errors make a file unusable; no policy may hide them.
UNFILTERABLE = frozenset(
    {
        codes.LD001,
        codes.LD002,
        codes.LD003,
        codes.LD004,
        codes.LD005,
        codes.LD006,
        codes.LD007,
        codes.LD008,
        codes.LD010,
    }
)
BASELINE_FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message says why."""


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(pattern) for pattern in patterns)


def is_active(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether findings of ``code`` survive ``select``/``ignore`` (both take prefixes)."""
    if code in UNFILTERABLE:
        return True
    if select and not _matches(code, select):
        return False
    return not (ignore and _matches(code, ignore))


def severity_for(code: str, severity: Mapping[str, Severity]) -> Severity | None:
    """The override for ``code``: the longest matching key wins (``WF1`` over ``WF``)."""
    best = max((key for key in severity if code.startswith(key)), key=len, default=None)
    return severity[best] if best is not None else None


def apply_policy(
    diagnostics: Sequence[Diagnostic],
    select: Sequence[str],
    ignore: Sequence[str],
    severity: Mapping[str, Severity],
) -> list[Diagnostic]:
    """Filter by code and override severities (codes or prefixes everywhere)."""
    out = []
    for diagnostic in diagnostics:
        code = diagnostic.code
        if not is_active(code, select, ignore):
            continue
        level = severity_for(code, severity) if code not in UNFILTERABLE else None
        if level is not None and level is not diagnostic.severity:
            diagnostic = replace(diagnostic, severity=level)
        out.append(diagnostic)
    return out


@dataclass(frozen=True)
class Suppression:
    code: str
    span: Span


def suppressions(source: SourceFile) -> list[Suppression]:
    out = []
    for number, line in enumerate(source.text.splitlines(), 1):
        for match in SUPPRESSION.finditer(line):
            start = match.start(1)
            for part in re.finditer(r"[A-Za-z0-9_]+", match.group(1)):
                column = start + part.start() + 1
                span = Span(source.path, number, column, number, column + len(part.group()) - 1)
                out.append(Suppression(part.group().upper(), span))
    return out


def apply_suppressions(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    active: Callable[[str], bool] = lambda code: True,
) -> list[Diagnostic]:
    """Drop findings suppressed on their own line; report suppressions that matched nothing.

    Run before ``select``/``ignore`` so a suppressed finding counts as used whatever the
    selection; a suppression of a code that is not ``active`` (deselected or ignored) is
    not reported as unused, since its check was switched off rather than passed.
    """
    by_line: dict[tuple[str, int, str], Suppression] = {}
    for path in sorted(sources):
        for item in suppressions(sources[path]):
            by_line[(path, item.span.line, item.code)] = item
    used: set[tuple[str, int, str]] = set()
    kept = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        key: tuple[str, int, str] | None = (span.file, span.line, diagnostic.code) if span else None
        if key is not None and key in by_line and diagnostic.code not in UNFILTERABLE:
            used.add(key)
            continue
        kept.append(diagnostic)
    for key, item in sorted(by_line.items()):
        if key not in used and active(item.code):
            kept.append(
                Diagnostic(
                    codes.LD011,
                    default_severity(codes.LD011),
                    f"suppression of {item.code} matches no finding on this line",
                    item.span,
                    subject=item.code,
                    help="remove the code from the `archctl: ignore[...]` comment",
                )
            )
    return kept


# -- baselines --------------------------------------------------------------------------------
BaselineKey = tuple[str, str, str, str]


def project_path(path: str, root: str | None) -> str:
    """``path`` relative to the project ``root`` with forward slashes, however it was typed.

    Baselines store these, so an absolute path, ``./specs/x.yaml`` or a run from a
    subfolder all name the same entry. Paths outside the root (or on another drive) stay
    as given, normalised.
    """
    if root is None or not path:
        return path.replace(os.sep, "/")
    try:
        relative = os.path.relpath(os.path.abspath(path), root)
    except ValueError:
        return os.path.normpath(path).replace(os.sep, "/")
    if relative == ".." or relative.startswith(".." + os.sep):
        return os.path.normpath(os.path.abspath(path)).replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def baseline_key(diagnostic: Diagnostic, root: str | None = None) -> BaselineKey:
    file = project_path(diagnostic.span.file, root) if diagnostic.span else ""
    return (file, diagnostic.spec or "", diagnostic.code, diagnostic.subject or "")


def write_baseline(path: str, diagnostics: Sequence[Diagnostic], root: str | None = None) -> None:
    """Record ``diagnostics`` with file paths relative to the project ``root``."""
    entries = sorted((baseline_key(d, root), d.message) for d in diagnostics)
    document = {
        "archctl-baseline": BASELINE_FORMAT,
        "archctl-version": __version__,
        "findings": [
            {"file": f, "spec": s, "code": c, "subject": subject, "message": message}
            for (f, s, c, subject), message in entries
        ],
    }
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def read_baseline(path: str) -> Counter[BaselineKey]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: the baseline is not valid JSON ({error})") from None
    if not isinstance(document, dict) or "archctl-baseline" not in document:
        raise BaselineError(f"{path}: not an archctl baseline (no 'archctl-baseline' key)")
    if document["archctl-baseline"] != BASELINE_FORMAT:
        raise BaselineError(
            f"{path}: baseline format {document['archctl-baseline']!r} is not supported "
            f"(this archctl writes format {BASELINE_FORMAT}); regenerate it with "
            "--write-baseline"
        )
    findings = document.get("findings")
    keys: Counter[BaselineKey] = Counter()
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    for index, entry in enumerate(findings):
        fields = ("file", "spec", "code", "subject")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in fields):
            raise BaselineError(f"{path}: entry {index} needs string file, spec, code, subject")
        keys[(entry["file"], entry["spec"], entry["code"], entry["subject"])] += 1
    return keys


@dataclass(frozen=True)
class BaselineResult:
    new: list[Diagnostic]
    known: int
    stale: list[BaselineKey]


def apply_baseline(
    diagnostics: Sequence[Diagnostic], known: Counter[BaselineKey], root: str | None = None
) -> BaselineResult:
    remaining = Counter(known)
    new = []
    skipped = 0
    for diagnostic in diagnostics:
        key = baseline_key(diagnostic, root)
        if remaining[key] > 0:
            remaining[key] -= 1
            skipped += 1
        else:
            new.append(diagnostic)
    stale = sorted(key for key, count in remaining.items() if count > 0)
    return BaselineResult(new, skipped, stale)
