"""Fuzzing the front ends and checkers: no input may end in anything but exit 0, 1 or 2.

Hypothesis mutates the shipped examples (YAML and their DSL twins), a BPMN process, and the
expressions inside them: characters and lines deleted, duplicated or swapped, values swapped
for hostile ones (numbers of thousands of digits, huge ranges and retry counts, expressions
nested thousands deep, YAML anchors and tags, stray brackets). Each mutant goes through the
library API in-process, with a small time budget per spec; an exception is an exit 3 and
fails the test with the shrunk input. (The crashes this found first are pinned one by one in
test_no_crash.py.)

Bounded for CI: ``ARCHCTL_FUZZ_EXAMPLES`` examples per front end (default 15, about 60 s for
the whole file on a slow shared runner); raise it locally, e.g. ``ARCHCTL_FUZZ_EXAMPLES=500``.
The seed is fixed (derandomize) so CI runs are reproducible; ``ARCHCTL_FUZZ_RANDOM=1`` explores
new inputs.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archctl
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow
from tests.conftest import EXAMPLES, ROOT

EXAMPLES_PER_FRONT_END = int(os.environ.get("ARCHCTL_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_FRONT_END,
    deadline=None,
    derandomize=not os.environ.get("ARCHCTL_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
#: Time budget per spec (ms): enough for the examples' easy proofs, small enough to fuzz.
BUDGET_MS = 300

YAML_FILES = sorted(EXAMPLES.glob("*.yaml"))
DSL_FILES = sorted((ROOT / "examples-dsl").glob("*.arch"))
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs">
<process id="order">
  <startEvent id="s"/>
  <serviceTask id="check" camunda:failedJobRetryTimeCycle="R3/PT5M"/>
  <exclusiveGateway id="gw" default="f_small"/>
  <userTask id="big" camunda:assignee="clerk"/>
  <task id="small"/>
  <parallelGateway id="fork"/>
  <task id="a"/>
  <task id="b"/>
  <parallelGateway id="join"/>
  <endEvent id="e"/>
  <sequenceFlow id="f0" sourceRef="s" targetRef="check"/>
  <sequenceFlow id="f1" sourceRef="check" targetRef="gw"/>
  <sequenceFlow id="f_big" sourceRef="gw" targetRef="big">
    <conditionExpression>${amount &gt; 1000 &amp;&amp; !vip}</conditionExpression>
  </sequenceFlow>
  <sequenceFlow id="f_small" sourceRef="gw" targetRef="small"/>
  <sequenceFlow id="f3" sourceRef="big" targetRef="fork"/>
  <sequenceFlow id="f4" sourceRef="small" targetRef="fork"/>
  <sequenceFlow id="f5" sourceRef="fork" targetRef="a"/>
  <sequenceFlow id="f6" sourceRef="fork" targetRef="b"/>
  <sequenceFlow id="f7" sourceRef="a" targetRef="join"/>
  <sequenceFlow id="f8" sourceRef="b" targetRef="join"/>
  <sequenceFlow id="f9" sourceRef="join" targetRef="e"/>
</process>
</definitions>
"""

#: Values that broke (or could break) a loader or a checker: sizes, depths, syntax.
HOSTILE = [
    "9" * 5000,
    "1e999999999",
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "1000000000",
    "0.000000000000000000001",
    ".inf",
    ".nan",
    "1_000",
    "[0, 9223372036854775808]",
    "[0, 1000000000]",
    "{max_attempts: 1000000000000000000000000000000, backoff: 1s, multiplier: 10}",
    "{max_attempts: 10000, backoff: 1ms, multiplier: 1000000}",
    "x and " * 400 + "x",
    "not " * 1000 + "x",
    "(" * 300 + "x" + ")" * 300,
    " + ".join(["1"] * 500) + " > 0",
    '"' + "a" * 3000 + '"',
    "&anchor",
    "*anchor",
    "!!python/object:os.system",
    "[",
    "]",
    "{",
    "}",
    "''",
    '"',
    "~",
    "---",
    "\t",
    "\u00e9\u200b",
    "::",
    "->",
    "==",
    "any",
    "true",
    "null",
    "99999999999999999999ms",
    "R99999999999/PT5M",
    "PT99999999999999999999999H",
]
EXPRESSION_TOKENS = [
    "x", "n", "state", "version", "in_stock", "paid", "and", "or", "not", "in", "(", ")", "[",
    "]", ",", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "=", ";", "true", "false", "any",
    '"gold"', "0", "1", "1000", "9" * 200, "0.5", ".", '"10.0.0.0/8"',
]  # fmt: skip


def mutate(text: str, data: st.DataObject) -> str:
    """Apply one to three structural or value mutations chosen by hypothesis."""
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        lines = text.split("\n")
        operation = data.draw(
            st.sampled_from(["delete", "duplicate", "swap", "hostile", "chars", "truncate"]),
            label="operation",
        )
        at = data.draw(st.integers(0, max(0, len(lines) - 1)), label="line")
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "swap":
            other = data.draw(st.integers(0, max(0, len(lines) - 1)), label="other")
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "hostile":
            lines[at] = _replace_token(lines[at], data.draw(st.sampled_from(HOSTILE)), data)
        elif operation == "chars":
            line = lines[at]
            start = data.draw(st.integers(0, len(line)), label="column")
            junk = data.draw(st.text(max_size=8), label="junk")
            cut = data.draw(st.integers(0, 4), label="cut")
            lines[at] = line[:start] + junk + line[start + cut :]
        else:
            lines = lines[: at + 1]
        text = "\n".join(lines)
    return text


def _replace_token(line: str, value: str, data: st.DataObject) -> str:
    """Put ``value`` where a value of the line is: after a colon, in quotes, or at the end."""
    places = [i + 1 for i, char in enumerate(line) if char in ':"[,{=']
    if not places:
        return line + " " + value
    start = data.draw(st.sampled_from(places), label="place")
    end = start
    while end < len(line) and line[end] not in ',}]"\n':
        end += 1
    return line[:start] + " " + value + line[end:]


def expression(data: st.DataObject) -> str:
    tokens = data.draw(st.lists(st.sampled_from(EXPRESSION_TOKENS), max_size=25), label="expr")
    return " ".join(tokens)


def verify(text: str, format: archctl.api.Format, source: str) -> None:
    """Exit 0, 1 or 2 for every input: an exception here is the CLI's exit 3."""
    report = archctl.verify_text(text, format=format, source=source, timeout_ms=BUDGET_MS)
    assert report.exit_code() in (0, 1, 2)
    assert report.to_json()  # the report renders, whatever the findings carry
    if not report.load_failed:
        _derived(archctl.load_text(text, format=format, source=source))


def _derived(specs: list[Spec]) -> None:
    """What other commands do with loaded specs must not fail either: convert, draw, and
    simulate a few short runs (the simulator reads retry counts, ranges and guards too)."""
    from archctl.kinds import build_diagram, specs_to_dsl, specs_to_yaml
    from archctl.render.dot import render_dot
    from archctl.simulate.counters import counters_for
    from archctl.simulate.engine import run_instance
    from archctl.simulate.keyed import instance_key
    from archctl.simulate.statemachine import compile_machine, walk
    from archctl.simulate.workflow import compile_workflow

    workflows = {spec.name: spec for spec in specs if isinstance(spec, Workflow)}
    for spec in specs:
        specs_to_yaml([spec])
        specs_to_dsl([spec])
        render_dot(build_diagram(spec))
        if isinstance(spec, Workflow):
            program = compile_workflow(spec, workflows)
            counters = counters_for(program)
            for seed in range(3):
                run_instance(program, instance_key(0, seed), counters, max_steps=500)
        elif isinstance(spec, StateMachine):
            walk(compile_machine(spec), 50, random.Random(0))


@FUZZ
@given(data=st.data())
def test_yaml_mutants_exit_0_1_or_2(data: st.DataObject) -> None:
    path: Path = data.draw(st.sampled_from(YAML_FILES), label="example")
    verify(mutate(path.read_text(encoding="utf-8"), data), "yaml", path.name)


@FUZZ
@given(data=st.data())
def test_dsl_mutants_exit_0_1_or_2(data: st.DataObject) -> None:
    path: Path = data.draw(st.sampled_from(DSL_FILES), label="example")
    verify(mutate(path.read_text(encoding="utf-8"), data), "dsl", path.name)


@FUZZ
@given(data=st.data())
def test_bpmn_mutants_exit_0_1_or_2(data: st.DataObject) -> None:
    verify(mutate(BPMN, data), "bpmn", "order.bpmn")


@FUZZ
@given(data=st.data())
def test_expression_mutants_exit_0_1_or_2(data: st.DataObject) -> None:
    """Random token strings in every expression position of the examples."""
    path: Path = data.draw(st.sampled_from(YAML_FILES), label="example")
    lines = path.read_text(encoding="utf-8").split("\n")
    spots = [
        i
        for i, line in enumerate(lines)
        if any(key in line for key in ("guard:", "when:", "do:", "sets:", "always:", "if:"))
    ]
    if not spots:
        return
    at = data.draw(st.sampled_from(spots), label="line")
    line = lines[at]
    key = next(k for k in ("guard:", "when:", "do:", "sets:", "always:", "if:") if k in line)
    head, _, tail = line.partition(key)
    closing = "}" if tail.rstrip().endswith("}") else ""
    quoted = expression(data).replace("\\", "").replace('"', '\\"')
    lines[at] = f'{head}{key} "{quoted}"{closing}'
    verify("\n".join(lines), "yaml", path.name)
