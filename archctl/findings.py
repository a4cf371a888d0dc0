"""What happens to findings between the checkers and the reporters.

Project policy is applied here, in one place: ``select``/``ignore`` and per-code severity from
the configuration, inline ``# archctl: ignore[CODE]`` suppressions (unused ones are reported
as LD011), and baselines keyed by file, spec, code and subject (not by line, so an edit
elsewhere in a file does not churn the baseline).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from archctl import __version__
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic, Severity
from archctl.source import SourceFile, Span

SUPPRESSION = re.compile(r"archctl:\s*ignore\[([A-Za-z0-9_,\s]+)\]")
#: Load errors make a file unusable; no policy may hide them.
UNFILTERABLE = frozenset(
    {"LD001", "LD002", "LD003", "LD004", "LD005", "LD006", "LD007", "LD008", "LD010"}
)
BASELINE_FORMAT = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message says why."""


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(pattern) for pattern in patterns)


def apply_policy(
    diagnostics: Sequence[Diagnostic],
    select: Sequence[str],
    ignore: Sequence[str],
    severity: Mapping[str, Severity],
) -> list[Diagnostic]:
    """Filter by code (prefixes allowed) and override severities."""
    out = []
    for diagnostic in diagnostics:
        code = diagnostic.code
        if code not in UNFILTERABLE:
            if select and not _matches(code, select):
                continue
            if ignore and _matches(code, ignore):
                continue
        if code in severity and code not in UNFILTERABLE:
            diagnostic = replace(diagnostic, severity=severity[code])
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
    diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]
) -> list[Diagnostic]:
    """Drop findings suppressed on their own line; report suppressions that matched nothing."""
    by_line: dict[tuple[str, int, str], Suppression] = {}
    for path in sorted(sources):
        for item in suppressions(sources[path]):
            by_line[(path, item.span.line, item.code)] = item
    used: set[tuple[str, int, str]] = set()
    kept = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        key = (span.file, span.line, diagnostic.code) if span else None
        if key is not None and key in by_line and diagnostic.code not in UNFILTERABLE:
            used.add(key)
            continue
        kept.append(diagnostic)
    for key, item in sorted(by_line.items()):
        if key not in used:
            kept.append(
                Diagnostic(
                    "LD011",
                    default_severity("LD011"),
                    f"suppression of {item.code} matches no finding on this line",
                    item.span,
                    subject=item.code,
                    help="remove the code from the `archctl: ignore[...]` comment",
                )
            )
    return kept


# -- baselines --------------------------------------------------------------------------------
BaselineKey = tuple[str, str, str, str]


def baseline_key(diagnostic: Diagnostic) -> BaselineKey:
    file = diagnostic.span.file if diagnostic.span else ""
    return (file, diagnostic.spec or "", diagnostic.code, diagnostic.subject or "")


def write_baseline(path: str, diagnostics: Sequence[Diagnostic]) -> None:
    entries = sorted((baseline_key(d), d.message) for d in diagnostics)
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
    diagnostics: Sequence[Diagnostic], known: Counter[BaselineKey]
) -> BaselineResult:
    remaining = Counter(known)
    new = []
    skipped = 0
    for diagnostic in diagnostics:
        key = baseline_key(diagnostic)
        if remaining[key] > 0:
            remaining[key] -= 1
            skipped += 1
        else:
            new.append(diagnostic)
    stale = sorted(key for key, count in remaining.items() if count > 0)
    return BaselineResult(new, skipped, stale)
