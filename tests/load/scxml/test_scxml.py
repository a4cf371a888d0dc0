"""The SCXML front end: flattening semantics, located problems, and the statemachine paths.

Fixtures are in tests/cases/scxml/; player.scxml touches every construct that is imported
(parallel regions, history, data conditions, In(), event lists and prefixes, eventless
transitions, raised and done.state events), unsupported.scxml every kind of LD009.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.diagnostics import Diagnostic, Severity
from archctl.load.loader import load_file, load_text
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.expr import to_source
from archctl.model.statemachine import StateMachine
from tests.conftest import CASES, run_archctl
from tests.load.scxml.scxml_oracle import FlatRun

PLAYER = CASES / "scxml" / "player.scxml"
UNSUPPORTED = CASES / "scxml" / "unsupported.scxml"
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"'


def machine_of(text: str, path: str = "chart.scxml") -> StateMachine:
    loaded = load_text(path, text)
    assert not [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    spec = loaded.specs[0]
    assert isinstance(spec, StateMachine)
    return spec


def problems(text: str) -> list[tuple[str, int, int]]:
    loaded = load_text("chart.scxml", text)
    assert not loaded.specs
    return sorted((d.code, d.span.line, d.span.column) for d in loaded.diagnostics if d.span)


def player() -> StateMachine:
    spec = load_file(str(PLAYER)).specs[0]
    assert isinstance(spec, StateMachine)
    return spec


def test_parallel_regions_flatten_into_named_product_states() -> None:
    machine = player()
    names = {state.name for state in machine.states}
    assert machine.initial == "off"
    assert {"stopped+empty+sound", "stopped+loaded+sound", "playing+loaded+sound"} <= names
    # the internal queue is part of a flat state while it is not empty
    assert "stopped+empty+sound@stop" in names
    # a history no transition targets is never recorded: no '#resume=' states
    assert not [name for name in names if "#" in name]
    assert machine.final == ()
    assert machine.events == (
        "done.state.on", "eject", "finished", "insert", "mute", "pause", "play", "power",
        "power.off", "stop", "vol",
    )  # fmt: skip


def test_runs_follow_scxml_macrosteps() -> None:
    run = FlatRun(player())
    assert run.configuration == ["off"]
    run.send("power")
    assert run.configuration == ["empty", "sound", "stopped"]
    run.send("play")  # In('loaded') is false: discarded
    assert run.configuration == ["empty", "sound", "stopped"]
    run.send("insert")
    run.send("play")
    assert run.configuration == ["loaded", "playing", "sound"]
    run.send("vol.up")  # 'vol.*' matches vol.up; the internal transition keeps 'sound'
    run.send("vol.down")
    assert run.data == {"volume": 4, "worn_out": 0}
    run.send("pause")
    run.send("play")  # entering 'playing' again sets worn_out; the eventless step ends it
    assert run.configuration == ["loaded", "sound", "worn"]
    run.send("eject")  # raises 'stop', consumed in the same macrostep
    assert run.configuration == ["empty", "sound", "worn"]
    run.send("power.off")
    assert run.configuration == ["off"]


def test_priority_is_encoded_in_guards_so_one_state_never_overlaps() -> None:
    machine = player()
    playing = [t for t in machine.transitions if t.source == "playing+loaded+sound"]
    eventless = [t for t in playing if t.event is None]
    assert len(eventless) == 1 and eventless[0].target == "worn+loaded+sound@done.state.playback"
    # an external event is taken only when no eventless transition is enabled
    vol = next(t for t in playing if t.event == "vol")
    assert vol.guard is not None
    assert "not" in repr(vol.guard) and "worn_out" in repr(vol.guard)


def test_document_order_and_descendants_preempt() -> None:
    chart = f"""{HEAD} initial="p">
  <parallel id="p">
    <transition event="t" target="out"/>
    <state id="a"><transition event="t" target="a2"/><state id="a1"/><state id="a2"/></state>
    <state id="b"><transition event="t" target="out"/></state>
  </parallel>
  <state id="out"/>
</scxml>"""
    run = FlatRun(machine_of(chart))
    assert run.configuration == ["a1", "b"]
    run.send("t")  # a's transition comes first; b's leaves p, so it conflicts and loses
    assert run.configuration == ["a2", "b"]


def test_deep_history_restores_and_top_level_final_halts() -> None:
    chart = f"""{HEAD} initial="s">
  <state id="s" initial="s1">
    <history id="h" type="deep"><transition target="s1"/></history>
    <state id="s1" initial="s11">
      <state id="s11"><transition event="next" target="s12"/></state>
      <state id="s12"/>
    </state>
    <transition event="leave" target="away"/>
  </state>
  <state id="away">
    <transition event="back" target="h"/><transition event="quit" target="end"/>
  </state>
  <final id="end"/>
</scxml>"""
    machine = machine_of(chart)
    run = FlatRun(machine)
    for event in ("next", "leave", "back"):
        run.send(event)
    assert run.configuration == ["s12"]
    run.send("leave")
    run.send("quit")
    assert run.halted and run.configuration == ["end"]
    assert machine.final == ("end",)


def test_onentry_data_of_the_initial_state_runs_before_the_first_configuration() -> None:
    chart = f"""{HEAD} datamodel="ecmascript">
  <datamodel><data id="n" expr="1"/></datamodel>
  <state id="a"><onentry><assign location="n" expr="n * 3"/></onentry>
    <transition cond="n === 3" target="b"/>
  </state>
  <state id="b"/>
</scxml>"""
    machine = machine_of(chart)
    assert machine.initial == "(start)"
    run = FlatRun(machine)
    assert run.configuration == ["b"] and run.data == {"n": 3}


def test_if_conditions_are_stated_over_the_values_before_the_microstep() -> None:
    machine = load_file(str(CASES / "scxml" / "thermostat.scxml")).specs[0]
    assert isinstance(machine, StateMachine)
    # the initial <if> is decided by the declared initial values: one start transition
    assert [t.label for t in machine.transitions if t.source == "(start)"] == ["(start) -> running"]
    warmer = {
        to_source(t.guard): t.target
        for t in machine.transitions
        if t.source == "running" and t.event == "warmer" and t.guard is not None
    }
    assert warmer["temp + 3 > 24 and temp < 30"] == "running@alarm"  # raised: 'alarm' queued
    run = FlatRun(machine)
    assert run.data == {"temp": 20, "mode": "idle"}
    for _ in range(3):
        run.send("colder")
    assert run.data == {"temp": 11, "mode": "heat"}
    for _ in range(5):
        run.send("warmer")
    assert run.data == {"temp": 26, "mode": "cool"} and run.configuration == ["alarmed"]


def test_every_unmodelled_construct_is_an_ld009_at_its_column() -> None:
    loaded = load_file(str(UNSUPPORTED))
    notes = sorted((d.span.line, d.span.column) for d in loaded.diagnostics if d.code == "LD009")
    assert notes == [(6, 3), (8, 5), (9, 34), (10, 58), (14, 7), (16, 38)]
    assert loaded.specs, "warnings only: the chart still imports, approximated"
    machine = loaded.specs[0]
    assert isinstance(machine, StateMachine)
    # a condition that cannot be read may hold or not: both transitions stay, guarded only by
    # the <if> that entering 'busy' runs (its condition over the values before the step)
    idle = [t for t in machine.transitions if t.source == "idle" and t.event == "go"]
    guards = sorted(to_source(t.guard) for t in idle if t.guard is not None)
    assert guards == ["count > 2", "count > 2", "not count > 2", "not count > 2"]
    assert any(a.value is None for t in machine.transitions for a in t.action)  # any value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<scxml><state id='a'>", [("LD001", 1, 22)]),
        ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<scxml/>', [("LD001", 2, 13)]),
        ("<scxml xmlns='urn:other'/>", [("LD004", 1, 1)]),
        ("", [("LD001", 1, 1)]),
    ],
)
def test_malformed_or_unsafe_xml_is_a_located_error(
    text: str, expected: list[tuple[str, int, int]]
) -> None:
    assert problems(text) == expected


def test_structure_errors_are_all_collected() -> None:
    chart = f"""{HEAD}>
  <state id="a" initial="b">
    <transition event="go" target="nowhere"/>
    <state id="a1"/>
  </state>
  <state id="b"><history id="h"/></state>
  <state id="a1"/>
</scxml>"""
    assert problems(chart) == [
        ("LD003", 6, 17),  # history without its default transition
        ("LD004", 2, 3),  # initial state outside its parent
        ("LD005", 3, 5),  # unknown target
        ("LD006", 7, 3),  # duplicate id
    ]


def test_cli_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.scxml"
    broken.write_text("<scxml xmlns='http://www.w3.org/2005/07/scxml'><state id='a'>")
    result = run_archctl("verify", str(broken))
    assert result.returncode == 2
    assert "LD001" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    small = tmp_path / "small.scxml"
    small.write_text(
        f"{HEAD}><state id='a'><transition event='go' target='b'/></state><final id='b'/></scxml>"
    )
    ok = run_archctl("verify", str(small))
    assert ok.returncode == 0, ok.stdout
    assert "checked 1 file, 1 spec: no findings" in ok.stdout


def test_graph_draws_the_flattened_machine() -> None:
    result = run_archctl("graph", str(PLAYER), "--format", "mermaid")
    assert result.returncode == 0, result.stderr
    assert '"statemachine player"' in result.stdout
    assert "stopped+empty+sound" in result.stdout


@pytest.mark.parametrize("to", ["yaml", "dsl"])
def test_convert_round_trips_through_yaml_and_dsl(to: str, tmp_path: Path) -> None:
    result = run_archctl("convert", str(PLAYER), "--to", to)
    assert result.returncode == 0, result.stderr
    target = tmp_path / ("player.yaml" if to == "yaml" else "player.arch")
    target.write_text(result.stdout)
    reloaded = load_file(str(target))
    assert not [d for d in reloaded.diagnostics if d.severity is Severity.ERROR]
    again = reloaded.specs[0]
    assert isinstance(again, StateMachine)
    original = player()
    assert [s.name for s in again.states] == [s.name for s in original.states]
    assert [t.label for t in again.transitions] == [t.label for t in original.transitions]
    assert again.variables[0].name == "volume"


def test_the_import_is_deterministic() -> None:
    first = run_archctl("convert", str(PLAYER), "--to", "yaml").stdout
    assert first == run_archctl("convert", str(PLAYER), "--to", "yaml").stdout
    assert load_yaml_text("p.yaml", first).specs


def _codes(diagnostics: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in diagnostics)


def test_an_unbounded_raise_loop_is_refused_not_looped_forever() -> None:
    chart = f"""{HEAD}>
  <state id="a"><onentry><raise event="e"/><raise event="e"/></onentry>
    <transition event="e" target="a"/>
  </state>
</scxml>"""
    loaded = load_text("loop.scxml", chart)
    assert not loaded.specs
    assert _codes(loaded.diagnostics) == ["LD009"]
    assert loaded.diagnostics[0].severity is Severity.ERROR


def test_a_folder_of_charts_sharing_a_file_name_verifies(tmp_path: Path) -> None:
    """Chart names come from file names, so two folders may both hold a 'chart': like BPMN
    process ids, imported names may repeat across files (no LD006, no crash on proofs)."""
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "chart.scxml").write_text(
            f"{HEAD}><state id='a'><transition event='go' target='b'/></state>"
            "<final id='b'/></scxml>"
        )
    result = run_archctl("verify", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 files, 2 specs: no findings" in result.stdout


def test_nesting_beyond_the_limit_is_refused_with_a_location() -> None:
    depth = 1000
    text = f"{HEAD}>" + "".join(f"<state id='s{i}'>" for i in range(depth))
    text += "</state>" * depth + "</scxml>"
    [(code, line, _)] = problems(text)
    assert (code, line) == ("LD001", 1)


def test_mutated_charts_never_raise() -> None:
    """Seeded, bounded fuzzing: cut, copy and insert fragments of the fixture; every outcome
    is a spec or located diagnostics, never an exception."""
    import random

    original = PLAYER.read_text(encoding="utf-8")
    pieces = ['"', "<", ">", "&amp;", "In('x')", ' cond="!"', ' target="nowhere"', "<final/>"]
    rng = random.Random(5)
    for _ in range(300):
        text = original
        for _ in range(rng.randint(1, 3)):
            start = rng.randrange(len(text))
            end = min(len(text), start + rng.randint(0, 40))
            if rng.random() < 0.5:
                text = text[:start] + text[end:]
            else:
                text = text[:start] + rng.choice(pieces) + text[start:]
        loaded = load_text("fuzz.scxml", text)
        assert loaded.specs or loaded.diagnostics
        assert all(d.span is not None for d in loaded.diagnostics)
