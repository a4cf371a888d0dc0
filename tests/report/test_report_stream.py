"""The fast report paths write the bytes of the slow ones they replace.

``report/jsonio.py`` against ``json.dumps(indent=2, ensure_ascii=False)`` on random JSON
values (the oracle is the standard library), and the text report's rich-free path against
rich itself, on findings whose text rich would change (tabs, control codes, emoji codes).
"""

from __future__ import annotations

import enum
import io
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from archctl.diagnostics import Diagnostic, Severity
from archctl.report import text as text_report
from archctl.report.json import json_chunks, render_json
from archctl.report.jsonio import encode
from archctl.source import SourceFile, Span

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers(min_value=-5, max_value=5) | st.booleans() | st.none()
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_values, st.integers(min_value=0, max_value=3))
def test_encode_is_json_dumps_indent_2(value: object, level: int) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    if level:  # a value nested at ``level`` is the same text, indented by the level
        expected = expected.replace("\n", "\n" + "  " * level)
    assert encode(value, level) == expected


class _Tag(str, enum.Enum):
    A = "a"


class _Level(enum.IntEnum):
    TWO = 2


def test_non_finite_floats_and_subclasses() -> None:
    value = {"a": [math.inf, -math.inf, 1e300, -0.0], "b": [_Tag.A, _Level.TWO], "c": {1: True}}
    assert encode(value) == json.dumps(value, indent=2, ensure_ascii=False)


def _finding(message: str, line: int = 1) -> Diagnostic:
    span = Span("m.yaml", line, 3, line, 5)
    return Diagnostic(
        "SM101",
        Severity.ERROR,
        message,
        span,
        spec="m",
        subject="s",
        notes=("a note",),
        help="do: this",
    )


def test_streamed_json_report_is_the_whole_report() -> None:
    found = [_finding("state 'é' :smile: is unreachable\t(x)", n) for n in (1, 2)]
    whole = render_json(found, 1, 1, [])
    assert "".join(json_chunks(found, 1, 1, [])) == whole
    assert json.loads(whole)["summary"]["errors"] == 2


def _render(diagnostics: list[Diagnostic], fast: bool, **console: bool) -> str:
    out = io.StringIO()
    sources = {"m.yaml": SourceFile("m.yaml", "states:\n  - a\n  - b\n")}
    original = text_report.write_plain
    if not fast:
        text_report.write_plain = lambda *_: False  # type: ignore[assignment]
    try:
        text_report.render_text(
            Console(file=out, width=80, **console), diagnostics, sources, 1, 1, "proved"
        )
    finally:
        text_report.write_plain = original
    return out.getvalue()


def test_text_without_rich_is_what_rich_writes() -> None:
    messages = [
        "state 'a' is unreachable: no run from 's0' gets there",
        "tab\there and a bell \x07 and a carriage return \r",
        "an emoji code :smile: and :thumbs_up-emoji: and 10:30:00",
        "markup-like [bold]text[/bold] and a back\\slash",
    ]
    for message in messages:
        found = [_finding(message, 2), _finding("plain", 3)]
        for emoji in (True, False):
            slow = _render(found, fast=False, emoji=emoji, color_system=None)
            assert _render(found, fast=True, emoji=emoji, color_system=None) == slow, message
