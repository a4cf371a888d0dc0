"""The template-composed SARIF log is the bytes of the plain dict-and-``json.dumps`` one.

``report/jsontemplate.py`` against ``json.dumps(indent=2)`` on random values with random
holes, and ``render_sarif`` against the straightforward builder it replaced (kept here as
the oracle: one dict per result, every location built in full, encoded by the standard
library) on random findings with traces, lassos, system runs, cycles and unicode messages.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archctl.codes import CODES
from archctl.diagnostics import Code, Diagnostic, Severity
from archctl.evidence import Cycle, Evidence, JSONValue, Lasso, Trace, TraceStep, Witness
from archctl.load.loader import load_text
from archctl.model.spec import Spec
from archctl.report.anchors import artifact, fingerprints
from archctl.report.jsonio import encode
from archctl.report.jsontemplate import HOLE, Template, array_text, leaf_texts, objects
from archctl.report.locate import NameIndex, name_index
from archctl.report.sarif import SCHEMA, render_sarif, sarif_chunks, tool
from archctl.report.text import step_text
from archctl.source import Span
from tests.report.test_report_stream import _scalars, _values


def _holed(value: Any, rng: random.Random, holes: list[Any]) -> Any:
    """``value`` with random members (containers or leaves) made holes, originals kept."""
    if rng.random() < 0.3:
        holes.append(value)
        return HOLE
    if isinstance(value, dict):
        return {key: _holed(member, rng, holes) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return [_holed(member, rng, holes) for member in value]
    return value


@settings(max_examples=200, deadline=None)
@given(_values, st.integers(min_value=0, max_value=4), st.integers(0, 2**32))
def test_a_filled_template_is_json_dumps(value: Any, level: int, seed: int) -> None:
    holes: list[Any] = []
    template = Template(_holed(value, random.Random(seed), holes), level)
    assert len(template.levels) == len(holes)
    texts = [encode(hole, at) for hole, at in zip(holes, template.levels, strict=True)]
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert template.fill(*texts) == expected


def test_a_template_whose_text_holds_a_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="hole marker"):
        Template({"a": "\x000\x00", "b": HOLE})


def test_percent_signs_and_empty_arrays() -> None:
    template = Template({"p": "100% %s %%", "a": HOLE, "n": [HOLE, {"x": HOLE}]}, 1)
    members = array_text([], template.levels[0])
    expected = {"p": "100% %s %%", "a": [], "n": [3, {"x": "%d"}]}
    got = template.fill(members, 3, '"%d"')
    assert got == json.dumps(expected, indent=2).replace("\n", "\n  ")


_dicts = st.dictionaries(st.text(max_size=3) | st.integers(-2, 2), _values, max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(_dicts, max_size=8), st.integers(min_value=0, max_value=3), st.integers(1, 3))
def test_objects_in_batches_are_json_dumps(values: list[Any], level: int, batch: int) -> None:
    """Several dicts of a batch share key tuples, and members nest at random."""
    pad = "\n" + "  " * level
    expected = [json.dumps(v, indent=2, ensure_ascii=False).replace("\n", pad) for v in values]
    chunks = list(objects(values, level, batch))
    assert all(0 < len(chunk) <= batch for chunk in chunks)
    assert [text for chunk in chunks for text in chunk] == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_scalars, _scalars, _scalars), max_size=6))
def test_fill_rows_is_json_dumps(rows: list[tuple[Any, Any, Any]]) -> None:
    template = Template({"a": HOLE, "b": {"c": [HOLE, HOLE]}}, 1)
    expected = [
        json.dumps({"a": a, "b": {"c": [b, c]}}, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        for a, b, c in rows
    ]
    assert template.fill_rows(rows) == expected


def test_leaf_texts_refuse_a_container() -> None:
    """A container's own separators would be read as leaves: refused, never mis-split."""
    with pytest.raises(TypeError):
        leaf_texts(["a", ["b", "c"]])
    assert leaf_texts(["\x00", 1.5, None, True]) == ['"\\u0000"', "1.5", "null", "true"]


# --- SARIF: the oracle is the builder the templates replaced ----------------------------

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_STATES = ("idle", "busy", "done", "open-door", "s.1")
_MACHINE = (
    "kind: statemachine\nname: m\nstates: [idle, busy, done, open-door, s.1]\n"
    "initial: idle\nfinal: [done]\ntransitions:\n  - idle -> busy on go\n"
    "  - busy -> done on stop\n  - open-door -> s.1 on x\n"
)


def _location(span: Span, root: str, message: str | None = None) -> dict[str, JSONValue]:
    location: dict[str, JSONValue] = {
        "physicalLocation": {
            "artifactLocation": artifact(span.file, root),
            "region": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column + 1,
            },
        }
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


def _flows(diagnostic: Diagnostic, span: Span, names: NameIndex, root: str) -> list[JSONValue]:
    evidence = diagnostic.evidence
    steps: tuple[TraceStep, ...] = ()
    if isinstance(evidence, Trace):
        steps = evidence.steps
    elif isinstance(evidence, Lasso):
        steps = (*evidence.prefix, *evidence.loop)
    if not steps:
        return []
    if any(step.component is not None for step in steps):
        threads: dict[str, list[JSONValue]] = {}
        for order, step in enumerate(steps, 1):
            if step.component is None:
                continue
            moved = f"-> {step.state}" if step.state is not None else None
            text = " ".join(p for p in (step.send, step.receive, moved) if p is not None)
            location = _location(step.location or span, root, f"{order}. {step.component}: {text}")
            threads.setdefault(step.component, []).append(
                {"location": location, "executionOrder": order}
            )
        return [{"threadFlows": [{"id": n, "locations": threads[n]} for n in sorted(threads)]}]
    spec = diagnostic.spec or ""
    locations: list[JSONValue] = []
    for number, step in enumerate(steps, 1):
        element = step.node or step.state
        where = names.get((spec, element), span) if element else span
        locations.append({"location": _location(where, root, f"{number}. {step_text(step)}")})
    return [{"threadFlows": [{"locations": locations}]}]


def _related(diagnostic: Diagnostic, names: NameIndex, root: str) -> list[JSONValue]:
    import re

    found = re.findall(r"'([^']+)'|([A-Za-z_][\w.-]*)", diagnostic.message)
    mentioned = [quoted or bare for quoted, bare in found]
    if isinstance(diagnostic.evidence, Cycle):
        mentioned += list(diagnostic.evidence.path)
    seen: set[str] = set()
    out: list[JSONValue] = []
    for name in mentioned:
        span = names.get((diagnostic.spec or "", name))
        if span is None or name in seen or span == diagnostic.span:
            continue
        seen.add(name)
        location = _location(span, root, name)
        location["id"] = len(out)
        out.append(location)
    return out


def _result(
    diagnostic: Diagnostic, index: dict[Code, int], root: str, names: NameIndex, print_: str
) -> dict[str, JSONValue]:
    message = diagnostic.message + (f" (help: {diagnostic.help})" if diagnostic.help else "")
    result: dict[str, JSONValue] = {
        "ruleId": diagnostic.code,
        "ruleIndex": index[diagnostic.code],
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": message},
    }
    if diagnostic.span is not None:
        result["locations"] = [_location(diagnostic.span, root)]
        flows = _flows(diagnostic, diagnostic.span, names, root)
        if flows:
            result["codeFlows"] = flows
        related = _related(diagnostic, names, root)
        if related:
            result["relatedLocations"] = related
    result["partialFingerprints"] = {"archctlFinding/v1": print_}
    properties: dict[str, JSONValue] = {}
    if diagnostic.spec:
        properties["spec"] = diagnostic.spec
    if diagnostic.subject:
        properties["subject"] = diagnostic.subject
    if diagnostic.evidence is not None:
        properties["evidence"] = diagnostic.evidence.to_json()
    if properties:
        result["properties"] = properties
    return result


def _oracle(diagnostics: list[Diagnostic], specs: list[Spec]) -> str:
    root = os.getcwd()
    names = name_index(specs)
    codes = sorted({d.code for d in diagnostics if d.code in CODES})
    index = {code: number for number, code in enumerate(codes)}
    shown = [d for d in diagnostics if d.code in index]
    prints = fingerprints(shown, root)
    run = {
        "tool": tool(codes),  # the rules are plain dicts, encoded as they were
        "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + root.rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index, root, names, p) for d, p in zip(shown, prints, strict=True)],
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_names = st.sampled_from(_STATES)
_maybe_name = st.none() | _names
_spans = st.builds(
    Span,
    st.sampled_from(("m.yaml", "sub/ü n%.yaml", "/elsewhere/x.yaml")),
    st.integers(1, 400),
    st.integers(1, 80),
    st.integers(1, 400),
    st.integers(1, 80),
)
_steps = st.builds(
    TraceStep,
    state=_maybe_name,
    event=st.none() | st.sampled_from(("go", "stop")),
    node=st.none() | _names,
    component=st.none() | st.sampled_from(("client", "server")),
    send=st.none() | st.just("q!1"),
    receive=st.none() | st.just("q?1"),
    location=st.none() | _spans,
    values=st.dictionaries(st.sampled_from("xy"), st.integers(-3, 3), max_size=2),
)
_evidence: st.SearchStrategy[Evidence | None] = st.one_of(
    st.none(),
    st.builds(Trace, st.tuples(_steps, _steps) | st.tuples(_steps)),
    st.builds(Lasso, st.just("weak"), st.tuples(_steps), st.tuples() | st.tuples(_steps)),
    st.builds(Cycle, st.lists(_names, max_size=4).map(tuple)),
    st.builds(Witness, st.dictionaries(st.sampled_from("ab"), st.booleans(), max_size=2)),
)
_words = st.lists(
    _names.map(lambda name: f"'{name}'") | _names | st.text(max_size=8), min_size=1, max_size=6
).map(" ".join)
_findings = st.builds(
    Diagnostic,
    st.sampled_from(("SM101", "SM102", "WF101", "PO102", "PL105", "SY101", "XX999")).map(Code),
    st.sampled_from(tuple(Severity)),
    _words,
    st.none() | _spans,
    spec=st.sampled_from((None, "", "m", "other")),
    subject=st.none() | _names,
    help=st.none() | st.text(max_size=6),
    evidence=_evidence,
)


@pytest.fixture(scope="module")
def machine() -> list[Spec]:
    loaded = load_text("m.yaml", _MACHINE)
    assert loaded.specs and not loaded.diagnostics
    return list(loaded.specs)


_HERE = Span("m.yaml", 3, 5, 3, 9)
#: one finding per optional member, drawn every run (the random ones may miss some)
_EVERY_MEMBER = [
    Diagnostic(
        Code("SY101"),
        Severity.ERROR,
        "client and 'server' wait: 100% stuck",
        _HERE,
        spec="m",
        subject="idle",
        help="send first",
        evidence=Trace(
            (
                TraceStep(state="busy", component="client", send="q!1"),
                TraceStep(component="server", receive="q?1", location=_HERE),
                TraceStep(state="done"),
            )
        ),
    ),
    Diagnostic(
        Code("SM102"),
        Severity.WARNING,
        "cycle through busy",
        _HERE,
        spec="m",
        evidence=Cycle(("busy", "done", "idle")),
    ),
    Diagnostic(
        Code("WF101"),
        Severity.INFO,
        "s.1 loops",
        _HERE,
        spec="m",
        evidence=Lasso("weak", (TraceStep(node="busy"),), (TraceStep(state="s.1"),)),
    ),
    Diagnostic(Code("PO102"), Severity.ERROR, "no span, no spec", None),
]


@example(_EVERY_MEMBER, 2)
@settings(max_examples=120, deadline=None)
@given(st.lists(_findings, max_size=6), st.integers(1, 4))
def test_sarif_is_the_plain_builders_bytes(
    machine: list[Spec], findings: list[Diagnostic], batch: int
) -> None:
    """Streamed in batches of results, or whole."""
    expected = _oracle(findings, machine)
    assert "".join(sarif_chunks(findings, None, machine, batch)) == expected
    assert render_sarif(findings, None, machine) == expected


def test_the_explicit_example_has_every_optional_member(machine: list[Spec]) -> None:
    results = json.loads(render_sarif(_EVERY_MEMBER, None, machine))["runs"][0]["results"]
    members = {member for result in results for member in result}
    assert {"locations", "codeFlows", "relatedLocations", "properties"} <= members
    threads = [len(flow["threadFlows"]) for r in results for flow in r.get("codeFlows", [])]
    assert threads == [2, 1]  # a system run's two components, a lasso's one thread
    assert "locations" not in results[-1]
