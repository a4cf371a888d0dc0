"""Data-driven check cases: every file under tests/cases/ states what verify must find.

A case file carries its expectations as comments, one finding per line:

    # expect: SM102 frozen          (code and subject)
    # expect: WF103 join line=12    (optionally the line the finding points at)
    # expect: none                  (the file must verify with no findings at all)

The comparison is exact: every finding must be expected and every expectation found, so a
case documents both what a checker reports and what it must not report.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from archctl.verify import verify_paths
from tests.conftest import CASES

EXPECT = re.compile(r"^\s*(?:#|//)\s*expect:\s*(.+?)\s*$")
CASE_SUFFIXES = {".yaml", ".yml", ".arch", ".bpmn"}


def case_files() -> list[Path]:
    return sorted(p for p in CASES.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())


def expectations(path: Path) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], int]]:
    wanted: Counter[tuple[str, str]] = Counter()
    lines: dict[tuple[str, str], int] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(text)
        if not match or match.group(1) == "none":
            continue
        parts = match.group(1).split()
        code, subject = parts[0], parts[1] if len(parts) > 1 and "=" not in parts[1] else ""
        wanted[(code, subject)] += 1
        for part in parts[1:]:
            if part.startswith("line="):
                lines[(code, subject)] = int(part[5:])
    return wanted, lines


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)))
def test_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert EXPECT.search(text) or any(EXPECT.match(line) for line in text.splitlines()), (
        f"{path} has no '# expect:' line"
    )
    wanted, lines = expectations(path)
    outcome = verify_paths([str(path)])
    found: Counter[tuple[str, str]] = Counter(
        (d.code, d.subject or "") for d in outcome.diagnostics
    )
    for key, subject_less in list(wanted.items()):
        if key[1] == "" and key not in found:
            # an expectation without subject matches the code alone
            matches = [k for k in found if k[0] == key[0]]
            if matches:
                found[key] += subject_less
                for k in matches[:subject_less]:
                    found[k] -= 1
    found = +found
    report = "\n".join(
        f"  {d.code} {d.subject} line {d.span.line if d.span else '?'}: {d.message}"
        for d in outcome.diagnostics
    )
    assert found == wanted, f"findings differ from expectations:\n{report}"
    for key, line in lines.items():
        hits = [d for d in outcome.diagnostics if (d.code, d.subject or "") == key]
        assert any(d.span is not None and d.span.line == line for d in hits), (
            f"{key} expected at line {line}:\n{report}"
        )
