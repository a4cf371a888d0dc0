"""Quick fixes: the suggestions the loader already computed, and "suppress on this line".

A fix is offered only where the diagnostic's help names the replacement exactly
(``did you mean 'x'?``, ``enum values are quoted: "x"``, ``5s or 5ms?``), so applying it
can never guess. Suppression appends ``# archctl: ignore[CODE]`` to the finding's line, or
adds the code to an ``ignore[...]`` comment already there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archctl.findings import SUPPRESSION

DID_YOU_MEAN = re.compile(r"""did you mean (['"])(.+?)\1\?""")
QUOTED_ENUM = re.compile(r'enum values are quoted: "([^"]+)"')
UNITS = re.compile(r"\b(\d+(?:\.\d+)?(?:ms|s|m|h|d)) or (\d+(?:\.\d+)?(?:ms|s|m|h|d))\?")


@dataclass(frozen=True)
class Edit:
    title: str
    line: int  # 0-based
    start: int
    end: int
    text: str


def fixes(help_text: str | None, line_text: str, line: int, start: int, end: int) -> list[Edit]:
    """Replacements for the diagnostic's range (0-based line, [start, end) columns)."""
    if not help_text:
        return []
    inside_double = _in_double_quotes(line_text, start)
    out: list[Edit] = []
    quoted = QUOTED_ENUM.search(help_text)
    if quoted:
        value = quoted.group(1)
        literal = f'\\"{value}\\"' if inside_double else f'"{value}"'
        out.append(Edit(f"quote the enum value: {literal}", line, start, end, literal))
    for match in DID_YOU_MEAN.finditer(help_text):
        quote, value = match.group(1), match.group(2)
        if quote == '"':
            value = f'\\"{value}\\"' if inside_double else f'"{value}"'
        out.append(Edit(f"replace with {value}", line, start, end, value))
    units = UNITS.search(help_text)
    if units:
        for option in units.groups():
            out.append(Edit(f"use {option}", line, start, end, option))
    return out


def suppression(code: str, line_text: str, line: int) -> Edit:
    existing = SUPPRESSION.search(line_text)
    if existing:
        at = existing.end(1)
        return Edit(f"suppress {code} on this line", line, at, at, f", {code}")
    at = len(line_text.rstrip())
    return Edit(
        f"suppress {code} on this line", line, at, len(line_text), f"  # archctl: ignore[{code}]"
    )


def _in_double_quotes(line_text: str, column: int) -> bool:
    count, escaped = 0, False
    for char in line_text[:column]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            count += 1
    return count % 2 == 1
