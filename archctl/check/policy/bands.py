"""PO106/PO107: band levels that overlap, or leave values of the attribute uncovered.

Level intervals are exact interval arithmetic (``po_exact``), met with the attribute's
declared range, so an int attribute only counts integer values: ``[0, 3]`` and ``[4, 9]``
leave no gap over an int, but do over a real. No solver is needed for one dimension.
"""

from __future__ import annotations

from archctl import codes
from archctl.check.policy.exact import Dom, complement, full, integral, interval, meet, point
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import display_number, request_from
from archctl.evidence import Value, Witness
from archctl.model.policy import Band

ENGINE = "interval arithmetic"


def check_bands(report: Reporter) -> None:
    types = {attribute.name: attribute.type for attribute in report.policy.attributes}
    for band in report.policy.bands:
        var_type = types[band.over]
        whole = integral(var_type)
        inside: list[Dom | None] = []
        for level in band.levels:
            made = interval(level.low, level.low_closed, level.high, level.high_closed, whole)
            inside.append(None if made is None else meet(made, full(var_type), whole))
        overlaps = 0
        for second in range(len(band.levels)):
            for first in range(second):
                a, b = inside[first], inside[second]
                both = None if a is None or b is None else meet(a, b, whole)
                if both is not None:
                    overlaps += 1
                    _overlap(report, band, first, second, point(both, var_type))
        if not overlaps:
            count = len(band.levels)
            report.proved(codes.PO106, ENGINE, f"{count} levels pairwise disjoint", band.name)
        holes = complement([dom for dom in inside if dom is not None], var_type)
        if not holes:
            cover = f"levels cover {band.over}: {var_type.describe()}"
            report.proved(codes.PO107, ENGINE, cover, band.name)
        else:
            value = point(holes[0], var_type)
            shown = _show(value)
            low, high = band.levels[0], band.levels[-1]
            report.add(
                codes.PO107,
                f"band '{band.name}' has a gap: {band.over} = {shown} is in no level "
                f"(levels {low.text} .. {high.text}, {band.over} is {var_type.describe()})",
                band.span,
                band.name,
                _witness(report, band, value),
                help_text=f"extend a level so the levels cover the range of '{band.over}'",
            )


def _show(value: object) -> str:
    shown = Witness({"v": display_number(value)}).to_json()["values"]  # type: ignore[arg-type]
    assert isinstance(shown, dict)
    return str(shown["v"])


def _witness(report: Reporter, band: Band, value: object) -> Witness:
    number: Value = display_number(value)  # type: ignore[arg-type]
    request = request_from(report.policy, {band.over: value})  # type: ignore[dict-item]
    values: dict[str, Value] = {band.over: number}
    level = request.env.get(band.name)
    if isinstance(level, str):
        values[band.name] = level
    return Witness(values)


def _overlap(report: Reporter, band: Band, first: int, second: int, value: object) -> None:
    a, b = band.levels[first], band.levels[second]
    report.add(
        codes.PO106,
        f"levels '{a.name}' {a.text} and '{b.name}' {b.text} of band '{band.name}' overlap: "
        f"{band.over} = {_show(value)} is in both",
        b.span,
        band.name,
        _witness(report, band, value),
        notes=(f"in expressions the value counts as '{a.name}' (the first level listed)",),
        help_text="make one of the interval ends open",
    )
