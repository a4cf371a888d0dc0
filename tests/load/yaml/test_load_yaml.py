"""The YAML front end: every kind of bad input gives located diagnostics, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.load.loader import load_paths
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow


def codes(text: str) -> list[tuple[str, int, int]]:
    result = load_yaml_text("spec.yaml", text)
    return [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.span]


MACHINE = """\
kind: statemachine
name: account
variables:
  balance: {type: int, range: [0, 100], initial: 0}
states: [open, closed]
initial: open
final: [closed]
transitions:
  - open -> closed on close
"""


def test_valid_machine_loads_without_diagnostics() -> None:
    result = load_yaml_text("m.yaml", MACHINE)
    assert result.diagnostics == []
    (machine,) = result.specs
    assert isinstance(machine, StateMachine)
    assert machine.initial == "open"
    assert machine.transitions[0].span.line == 9


def test_malformed_yaml_is_located() -> None:
    assert codes("kind: statemachine\nname: [unclosed\n") == [("LD001", 3, 1)]


def test_empty_file() -> None:
    assert codes("") == [("LD003", 1, 1)]
    assert codes("# only a comment\n") == [("LD003", 1, 1)]


def test_document_that_is_not_a_mapping() -> None:
    assert codes("- a\n- b\n") == [("LD004", 1, 1)]


def test_unknown_kind_suggests() -> None:
    result = load_yaml_text("s.yaml", "kind: statemachin\nname: x\n")
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "LD004"
    assert diagnostic.help is not None and "statemachine" in diagnostic.help


def test_unknown_and_missing_keys_are_all_reported() -> None:
    text = "kind: statemachine\nname: x\nstates: [a]\nintial: a\ntransition: []\n"
    found = codes(text)
    assert ("LD002", 4, 1) in found
    assert ("LD002", 5, 1) in found
    assert ("LD003", 1, 1) in found  # initial is missing


def test_wrong_value_types() -> None:
    text = MACHINE.replace("range: [0, 100]", "range: [0, high]").replace(
        "states: [open, closed]", "states: [open, closed]\nevents: {a: 1}"
    )
    found = {code for code, _, _ in codes(text)}
    assert "LD004" in found


def test_unknown_reference_and_duplicate_ids() -> None:
    text = MACHINE.replace("states: [open, closed]", "states: [open, closed, open]").replace(
        "open -> closed on close", "open -> closd on close"
    )
    found = codes(text)
    assert ("LD006", 5, 24) in found
    assert ("LD005", 9, 13) in found


def test_duplicate_mapping_key() -> None:
    found = codes(MACHINE + "initial: closed\n")
    assert ("LD006", 10, 1) in found


def test_expression_errors_point_inside_strings() -> None:
    text = MACHINE.replace(
        "  - open -> closed on close",
        '  - {from: open, to: closed, guard: "balance >> 3"}\n'
        "  - from: open\n    to: closed\n    guard: 'balance == \"x\"'\n",
    )
    found = codes(text)
    assert ("LD007", 9, 47) in found  # the second ">"
    assert ("LD008", 12, 13) in found  # the comparison, inside the quotes


def test_yaml_11_booleans_stay_names() -> None:
    text = """\
kind: statemachine
name: switch
states: [on, off, yes, no]
initial: off
final: [no]
transitions:
  - {from: off, on: on, to: on}
  - {from: on, on: off, to: yes}
  - yes -> no on no
"""
    result = load_yaml_text("s.yaml", text)
    assert result.diagnostics == []
    (machine,) = result.specs
    assert isinstance(machine, StateMachine)
    assert [s.name for s in machine.states] == ["on", "off", "yes", "no"]
    assert [(t.source, t.event, t.target) for t in machine.transitions] == [
        ("off", "on", "on"),
        ("on", "off", "yes"),
        ("yes", "no", "no"),
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    result = load_yaml_text("bomb.yaml", "\n".join(lines) + "\n")
    assert [d.code for d in result.diagnostics] == ["LD001"]
    assert "aliases" in result.diagnostics[0].message


def test_small_aliases_are_fine() -> None:
    text = """\
kind: workflow
name: w
nodes:
  start: {type: start}
  a: {type: task, retry: &r {max_attempts: 3, backoff: 1s}}
  b: {type: task, retry: *r}
  done: {type: end}
flows: [start -> a, a -> b, b -> done]
"""
    result = load_yaml_text("w.yaml", text)
    assert result.diagnostics == []
    (workflow,) = result.specs
    assert isinstance(workflow, Workflow)
    retry = workflow.nodes[2].retry
    assert retry is not None and retry.max_attempts == 3 and retry.backoff_ms == 1000


def test_multi_document_files() -> None:
    text = MACHINE + "---\n" + MACHINE.replace("name: account", "name: other")
    result = load_yaml_text("two.yaml", text)
    assert [spec.name for spec in result.specs] == ["account", "other"]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"kind: statemachine\nname: caf\xe9\n")
    result = load_paths([str(path)])
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "LD001"
    assert diagnostic.span is not None and (diagnostic.span.line, diagnostic.span.column) == (2, 10)


def test_folder_without_specs_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = load_paths([str(tmp_path), str(tmp_path / "missing.yaml")])
    assert [d.code for d in result.diagnostics] == ["LD010", "LD010"]


def test_duplicate_spec_names_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(MACHINE)
    (tmp_path / "b.yaml").write_text(MACHINE)
    result = load_paths([str(tmp_path)])
    assert [d.code for d in result.diagnostics] == ["LD006"]


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ("  amount: {type: money}", "LD004"),
        ("  amount: {type: int, range: [5, 1]}", "LD004"),
        ("  amount: {type: int, initial: 3.5}", "LD004"),
        ("  tier: {type: enum}", "LD003"),
        ("  tier: {type: enum, values: [a, a]}", "LD006"),
        ("  flag: {type: bool, range: [0, 1]}", "LD004"),
        ("  amount: {type: int, range: [0, 10], initial: 11}", "LD004"),
    ],
)
def test_declaration_errors(snippet: str, code: str) -> None:
    text = f"kind: policy\nname: p\nattributes:\n{snippet}\n"
    assert [c for c, _, _ in codes(text)] == [code]


def test_workflow_fields_are_validated() -> None:
    text = """\
kind: workflow
name: w
nodes:
  start: {type: start}
  a: {type: task, deadline: 5 seconds, retry: {max_attempts: 0}, failure_rate: 2}
  g: {type: gateway, gateway: xor}
  done: {type: end, colour: red}
flows:
  - start -> a
  - {from: a, to: done, when: "true", default: true}
"""
    found = [code for code, _, _ in codes(text)]
    assert found.count("LD004") == 5
    assert found.count("LD002") == 1


def test_policy_band_errors() -> None:
    text = """\
kind: policy
name: p
attributes:
  risk: {type: real, range: [0, 1]}
  role: {type: enum, values: [a, b]}
bands:
  trust: {over: role, levels: {high: "[0, 1]"}}
  other: {over: risk, levels: {low: "[0.5, 0.2]", mid: "0..1"}}
rules:
  - {id: r, effect: allow}
  - {id: r, effect: deny}
assert:
  - {name: x, always: maybe}
"""
    found = [code for code, _, _ in codes(text)]
    assert sorted(found) == ["LD004", "LD004", "LD004", "LD004", "LD006"]


def test_plugin_versions_and_constraints() -> None:
    text = """\
kind: plugins
name: p
plugins:
  core: {version: 2.x}
  auth: {version: 1.0.0, requires: {core: ">=>2"}}
  log: {versions: {1.0.0: {}, 1.0.0+build: {}}}
"""
    found = [code for code, _, _ in codes(text)]
    assert found.count("LD004") == 2


BPMN = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_imported_process_ids_may_repeat_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.bpmn").write_text(BPMN)
    (tmp_path / "b.bpmn").write_text(BPMN)
    result = load_paths([str(tmp_path)])
    assert [spec.name for spec in result.specs] == ["Process_1", "Process_1"]
    assert [d.code for d in result.diagnostics if d.code == "LD006"] == []


def _all_nodes(node: object) -> list[object]:
    import yaml

    out: list[object] = [node]
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            children = [part for pair in current.value for part in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        else:
            children = []
        out.extend(children)
        stack.extend(children)
    return out


def test_mark_spans_equal_line_table_spans_on_every_node() -> None:
    """The fast span path (libyaml marks) gives exactly the spans of the general path."""
    from archctl.load.yaml.source import compose, mark_span, marks_agree, node_span
    from archctl.source import SourceFile
    from tests.conftest import CASES, EXAMPLES

    files = sorted(EXAMPLES.glob("*.yaml")) + sorted(CASES.rglob("*.yaml"))
    checked = 0
    for path in files:
        source = SourceFile(str(path), path.read_text(encoding="utf-8"))
        if not marks_agree(source.text):
            continue
        documents, _ = compose(source)
        for document in documents:
            for node in _all_nodes(document):
                assert mark_span(source, node) == node_span(source, node), (path, node)
                checked += 1
    assert checked > 1000
    assert not marks_agree("a: 1\r\nb: 2\r\n")
