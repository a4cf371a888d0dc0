"""The finding-code registry: typed constants, one row each, and no bare literals left.

Codes are a contract (config, baselines, CI filters), so the registry is checked from three
sides: every constant has its documentation row, every row has its constant, and the code
under ``archctl/`` names codes only through the constants, so an unregistered code cannot
creep back in as a string that mypy would not catch.
"""

from __future__ import annotations

import re
from pathlib import Path

from archctl import codes
from archctl.diagnostics import Code

ROOT = Path(__file__).resolve().parent.parent
LITERAL = re.compile(r'(?<![\w.\'"])"((?:LD|SM|WF|PL|PO|SY)\d{3})"')


def _constants() -> dict[str, Code]:
    return {
        name: value
        for name, value in vars(codes).items()
        if re.fullmatch(r"[A-Z]{2}\d{3}", name) and isinstance(value, Code)
    }


def test_every_constant_is_registered_under_its_own_name() -> None:
    constants = _constants()
    assert constants, "no code constants found"
    for name, value in constants.items():
        assert value == name
        assert codes.CODES[value].code == name
    assert set(constants) == set(codes.CODES)


def test_registry_rows_are_complete_and_unique() -> None:
    seen: set[tuple[str, str]] = set()
    for code, info in codes.CODES.items():
        assert info.code is code
        assert info.name and info.summary and info.doc, code
        assert (code[:2], info.name) not in seen, f"{code}: name {info.name} repeats in its family"
        seen.add((code[:2], info.name))


def test_codes_behave_as_the_strings_users_write() -> None:
    assert codes.SM102 == "SM102"
    assert {"SM102": 1}[codes.SM102] == 1
    assert codes.lookup("PO000") is None
    assert codes.lookup("wf101") is codes.CODES[codes.WF101]


def test_no_code_literal_outside_the_registry() -> None:
    offenders = []
    for path in sorted((ROOT / "archctl").rglob("*.py")):
        if path.parent == ROOT / "archctl" / "codes":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LITERAL.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use archctl.codes constants:\n" + "\n".join(offenders)


def test_checks_doc_lists_every_code() -> None:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    missing = [code for code in codes.CODES if code not in text]
    assert missing == []
