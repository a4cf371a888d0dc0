"""Reporters: the human text report and the JSON contract, golden-tested."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import pytest
from rich.console import Console

from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Cycle, Explanation, Trace, TraceStep, Witness
from archctl.report.json import render_json
from archctl.report.text import render_text
from archctl.source import SourceFile, Span
from archctl.verify import verify_paths
from tests.conftest import CASES, ROOT
from tests.golden_util import assert_golden

GOLDEN = ROOT / "tests" / "golden" / "report"
CASE = CASES / "load" / "several-errors.yaml"


def text_report(diagnostics: list[Diagnostic], sources: dict[str, SourceFile]) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None, highlight=False)
    render_text(console, diagnostics, sources, 1, 1)
    return buffer.getvalue()


def relative_outcome() -> tuple[list[Diagnostic], dict[str, SourceFile]]:
    outcome = verify_paths([str(CASE.relative_to(ROOT))])
    return outcome.diagnostics, outcome.sources


def test_text_report_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    diagnostics, sources = relative_outcome()
    assert_golden(GOLDEN / "several-errors.txt", text_report(diagnostics, sources))


def test_json_report_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    diagnostics, _ = relative_outcome()
    output = render_json(diagnostics, 1, 0)
    assert_golden(GOLDEN / "several-errors.json", output)
    document = json.loads(output)
    assert set(document) == {"version", "summary", "diagnostics"}
    assert document["summary"] == {"files": 1, "specs": 0, "errors": 6, "warnings": 0, "infos": 0}
    first = document["diagnostics"][0]
    for key in (
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "spec",
        "subject",
    ):
        assert key in first


SOURCE = SourceFile("m.yaml", "kind: statemachine\nstates: [a, b]\n  - a -> b on go\n")
SPAN = Span("m.yaml", 3, 5, 3, 15)


def test_evidence_rendering() -> None:
    diagnostics = [
        Diagnostic(
            "SM102",
            Severity.ERROR,
            "state 'b' is a deadlock",
            SPAN,
            "m",
            "b",
            Trace(
                (
                    TraceStep(state="a", values={"n": 0}),
                    TraceStep(state="b", event="go", values={"n": Fraction(1, 2)}),
                )
            ),
            help="add a transition out of 'b'",
        ),
        Diagnostic(
            "PO201",
            Severity.ERROR,
            "assertion fails",
            SPAN,
            "p",
            "x",
            Witness({"src": "10.0.0.7", "mfa": False}),
        ),
        Diagnostic("PL102", Severity.ERROR, "cycle", SPAN, "p", "a", Cycle(("a", "b"))),
        Diagnostic(
            "PL104",
            Severity.ERROR,
            "unresolvable",
            SPAN,
            "p",
            "a",
            Explanation(("a requires b ^1", "b 2.0.0 is the only b")),
        ),
    ]
    text = text_report(diagnostics, {"m.yaml": SOURCE})
    assert_golden(GOLDEN / "evidence.txt", text)
    assert "1. a  n=0" in text
    assert "2. --go--> b  n=0.5" in text
    assert "cycle: a -> b -> a" in text
    document = json.loads(render_json(diagnostics, 1, 1))
    trace = document["diagnostics"][0]["evidence"]
    assert trace == {
        "kind": "trace",
        "steps": [
            {"state": "a", "values": {"n": 0}},
            {"event": "go", "state": "b", "values": {"n": 0.5}},
        ],
    }
    assert document["diagnostics"][2]["evidence"] == {"kind": "cycle", "path": ["a", "b"]}
