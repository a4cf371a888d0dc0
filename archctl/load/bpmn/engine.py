"""Engine extensions archctl can use: who does a user task, how often a job is retried, and
which variables a Zeebe task writes.

Camunda 7 (``camunda:assignee``, ``camunda:failedJobRetryTimeCycle`` "R5/PT5M") and Camunda 8
/ Zeebe (``zeebe:assignmentDefinition assignee``, ``zeebe:taskDefinition retries``) write them
as vendor attributes and extension elements; both engines count retries as total attempts.
"""

from __future__ import annotations

import re
from fractions import Fraction

from archctl.load.bpmn.xml import XElement
from archctl.load.values import MAX_DIGITS, attempts_problem
from archctl.model.workflow import RetryPolicy
from archctl.source import Span

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ISO = re.compile(rf"^P(?:{_NUMBER}D)?(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$")
_CYCLE = re.compile(r"^R(\d+)/(P\S+)$")


def iso_duration_ms(text: str) -> int | None:
    """Milliseconds of an ISO 8601 duration with days, hours, minutes, seconds (``PT5M``)."""
    match = _ISO.match(text.strip())
    if match and any(len(group or "") > MAX_DIGITS for group in match.groups()):
        return None
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = [Fraction(g.replace(",", ".")) if g else Fraction(0) for g in match.groups()]
    days, hours, minutes, seconds = parts
    return int(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000)


def _extensions(element: XElement, ns: str, tag: str) -> list[XElement]:
    return [
        item
        for extension in element.bpmn_children("extensionElements")
        for item in extension.children
        if item.ns == ns and item.tag == tag
    ]


def assignee(element: XElement) -> str | None:
    found = element.attrs.get(f"{{{CAMUNDA}}}assignee")
    for definition in _extensions(element, ZEEBE, "assignmentDefinition"):
        found = found or definition.attrs.get("assignee")
    return found.strip() or None if found else None


def retry(element: XElement, span: Span) -> tuple[RetryPolicy | None, str | None]:
    """The retry policy the engine applies to the activity's job, or why it cannot be read."""
    cycle = element.attrs.get(f"{{{CAMUNDA}}}failedJobRetryTimeCycle")
    for item in _extensions(element, CAMUNDA, "failedJobRetryTimeCycle"):
        cycle = cycle or item.text.strip()
    if cycle:
        match = _CYCLE.match(cycle.strip())
        delay = iso_duration_ms(match.group(2)) if match else None
        count = match.group(1) if match else ""
        if match is None or delay is None or len(count) > MAX_DIGITS or int(count) < 1:
            return None, f"retry cycle {cycle!r} is not R<n>/<ISO duration>; no retry modelled"
        problem = attempts_problem(int(count))
        if problem is not None:
            return None, f"{problem}; no retry modelled"
        return RetryPolicy(int(count), delay, 1.0, None, span), None
    for definition in _extensions(element, ZEEBE, "taskDefinition"):
        retries = definition.attrs.get("retries", "").strip()
        if retries.isdigit() and len(retries) <= MAX_DIGITS and int(retries) >= 1:
            problem = attempts_problem(int(retries))
            if problem is not None:
                return None, f"{problem}; no retry modelled"
            return RetryPolicy(int(retries), 0, 1.0, None, span), None
        if retries:
            return None, f"retries {retries!r} is not a whole number; no retry modelled"
    return None, None


def written(element: XElement) -> tuple[str, ...] | None:
    """The process variables a Zeebe activity writes, when its output mappings say so.

    With output mappings (``zeebe:ioMapping/zeebe:output target``), Zeebe merges into the
    process only the mapped targets; a job's other variables stay local to the task. Without
    them any variable may be written (``None``). Camunda 7 output parameters do not bound
    what a delegate writes, so they are not read.
    """
    mappings = _extensions(element, ZEEBE, "ioMapping")
    targets = [
        output.attrs["target"].strip()
        for mapping in mappings
        for output in mapping.children
        if output.ns == ZEEBE and output.tag == "output" and output.attrs.get("target")
    ]
    return tuple(dict.fromkeys(targets)) if targets else None
