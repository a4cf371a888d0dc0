"""PO106/PO107: band levels that overlap, or leave values of the attribute uncovered.

Small questions (levels are few), each on a fresh Z3 constant of the band's attribute type
with its declared range, so an int attribute only counts integer values: ``[0, 3]`` and
``[4, 9]`` leave no gap over an int, but do over a real.
"""

from __future__ import annotations

from typing import Any

import z3

from archctl.check.po_encode import display_number, level_term, request_from
from archctl.check.po_report import Reporter
from archctl.check.smt import Outcome, declare, new_solver, solve, value_of
from archctl.evidence import Witness
from archctl.model.policy import Band


def check_bands(report: Reporter, timeout_ms: int) -> None:
    policy = report.policy
    types = {attribute.name: attribute.type for attribute in policy.attributes}
    for band in policy.bands:
        var = declare(f"{band.over}!band", types[band.over])
        kind = var.type.kind
        solver = new_solver(timeout_ms)
        solver.add(*var.domain())
        inside = [level_term(band, i, var.term, kind) for i in range(len(band.levels))]
        for second in range(len(band.levels)):
            for first in range(second):
                solver.push()
                solver.add(inside[first], inside[second])
                outcome = solve(solver)
                value = _value(solver, var) if outcome is Outcome.SAT else None
                solver.pop()
                _overlap(report, band, first, second, outcome, value)
        solver.push()
        solver.add(z3.Not(z3.Or(*inside)))
        outcome = solve(solver)
        value = _value(solver, var) if outcome is Outcome.SAT else None
        solver.pop()
        if outcome is Outcome.UNKNOWN:
            report.add(
                "PO901", f"could not prove that band '{band.name}' has no gap", band.span, band.name
            )
        elif outcome is Outcome.SAT:
            low, high = band.levels[0], band.levels[-1]
            report.add(
                "PO107",
                f"band '{band.name}' has a gap: {band.over} = {_show(value)} is in no level "
                f"(levels span {low.text} .. {high.text})",
                band.span,
                band.name,
                _witness(report, band, value),
                help_text=f"extend a level so the levels cover the range of '{band.over}'",
            )


def _value(solver: Any, var: Any) -> Any:
    return value_of(solver.model(), var)


def _show(value: Any) -> str:
    witness = Witness({"v": display_number(value)}).to_json()["values"]
    assert isinstance(witness, dict)
    return str(witness["v"])


def _witness(report: Reporter, band: Band, value: Any) -> Witness:
    request = request_from(report.policy, {band.over: value})
    values = {band.over: display_number(value)}
    level = request.env.get(band.name)
    if isinstance(level, str):
        values[band.name] = level
    return Witness(values)


def _overlap(
    report: Reporter, band: Band, first: int, second: int, outcome: Outcome, value: Any
) -> None:
    a, b = band.levels[first], band.levels[second]
    if outcome is Outcome.UNKNOWN:
        report.add(
            "PO901",
            f"could not prove that levels '{a.name}' and '{b.name}' of band "
            f"'{band.name}' are disjoint",
            b.span,
            band.name,
        )
    elif outcome is Outcome.SAT:
        report.add(
            "PO106",
            f"levels '{a.name}' {a.text} and '{b.name}' {b.text} of band '{band.name}' overlap: "
            f"{band.over} = {_show(value)} is in both",
            b.span,
            band.name,
            _witness(report, band, value),
            notes=(f"in expressions the value counts as '{a.name}' (the first level listed)",),
            help_text="make one of the interval ends open",
        )
