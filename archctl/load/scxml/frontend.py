"""SCXML front end: parse (hardened), read the chart, flatten it into one statemachine.

Each stage collects all of its problems; a later stage runs only when the earlier ones left
no error, so a chart is never half-imported.
"""

from __future__ import annotations

from archctl.load.scxml.flatten import flatten
from archctl.load.scxml.read import read_chart
from archctl.load.scxml.xml import parse_xml
from archctl.model.spec import LoadResult
from archctl.source import SourceFile


def load_scxml_text(path: str, text: str) -> LoadResult:
    source = SourceFile(path, text)
    result = LoadResult(sources={path: source}, files=[path])
    root, problems = parse_xml(source)
    result.diagnostics.extend(problems)
    if root is None:
        return result
    chart, problems = read_chart(source, root)
    result.diagnostics.extend(problems)
    if chart is None:
        return result
    machine, problems = flatten(chart)
    result.diagnostics.extend(problems)
    if machine is not None:
        result.specs.append(machine)
    return result
