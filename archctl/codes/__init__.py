"""Registry of stable finding codes, as typed constants.

Codes are a contract: users put them in config, baselines and CI filters, so they are never
renumbered. Each code is a :class:`~archctl.diagnostics.Code` constant here (``codes.SM102``),
so a code that is not registered is a mypy error where it is used instead of a string that
would silently never match; its name, default severity and the paragraph ``archctl explain``
prints live in the family modules beside this one (``_statemachine.py`` and so on), whose rows
feed ``explain``, the SARIF rules and docs/checks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from archctl.codes import _loading, _plugins, _policy, _statemachine, _system, _workflow
from archctl.diagnostics import Code, Severity


@dataclass(frozen=True)
class CodeInfo:
    code: Code
    name: str
    severity: Severity
    summary: str
    doc: str


LD001: Final = Code("LD001")
LD002: Final = Code("LD002")
LD003: Final = Code("LD003")
LD004: Final = Code("LD004")
LD005: Final = Code("LD005")
LD006: Final = Code("LD006")
LD007: Final = Code("LD007")
LD008: Final = Code("LD008")
LD009: Final = Code("LD009")
LD010: Final = Code("LD010")
LD011: Final = Code("LD011")
PL101: Final = Code("PL101")
PL102: Final = Code("PL102")
PL103: Final = Code("PL103")
PL104: Final = Code("PL104")
PL105: Final = Code("PL105")
PL901: Final = Code("PL901")
PO101: Final = Code("PO101")
PO102: Final = Code("PO102")
PO103: Final = Code("PO103")
PO104: Final = Code("PO104")
PO105: Final = Code("PO105")
PO106: Final = Code("PO106")
PO107: Final = Code("PO107")
PO201: Final = Code("PO201")
PO901: Final = Code("PO901")
SM101: Final = Code("SM101")
SM102: Final = Code("SM102")
SM103: Final = Code("SM103")
SM104: Final = Code("SM104")
SM105: Final = Code("SM105")
SM106: Final = Code("SM106")
SM107: Final = Code("SM107")
SM201: Final = Code("SM201")
SM202: Final = Code("SM202")
SM203: Final = Code("SM203")
SM901: Final = Code("SM901")
SY101: Final = Code("SY101")
SY102: Final = Code("SY102")
SY103: Final = Code("SY103")
SY104: Final = Code("SY104")
SY105: Final = Code("SY105")
SY107: Final = Code("SY107")
SY108: Final = Code("SY108")
SY201: Final = Code("SY201")
SY202: Final = Code("SY202")
SY203: Final = Code("SY203")
SY901: Final = Code("SY901")
WF101: Final = Code("WF101")
WF102: Final = Code("WF102")
WF103: Final = Code("WF103")
WF104: Final = Code("WF104")
WF105: Final = Code("WF105")
WF106: Final = Code("WF106")
WF107: Final = Code("WF107")
WF108: Final = Code("WF108")
WF109: Final = Code("WF109")
WF110: Final = Code("WF110")
WF111: Final = Code("WF111")
WF112: Final = Code("WF112")
WF113: Final = Code("WF113")
WF114: Final = Code("WF114")
WF901: Final = Code("WF901")


def _constant(text: str) -> Code:
    """The constant above for a row's code: a row without one fails at import, not later."""
    value = globals()[text]
    assert isinstance(value, Code)
    return value


CODES: dict[Code, CodeInfo] = {
    _constant(row[0]): CodeInfo(_constant(row[0]), *row[1:])
    for family in (_loading, _plugins, _policy, _statemachine, _system, _workflow)
    for row in family.ROWS
}


def lookup(code: str) -> CodeInfo | None:
    return CODES.get(Code(code.upper()))


def code_name(code: str) -> str:
    info = CODES.get(Code(code))
    return info.name if info else "unknown"


def default_severity(code: Code) -> Severity:
    return CODES[code].severity
