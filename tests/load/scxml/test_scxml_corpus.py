"""SCXML import against the labelled charts of the shared corpus (docs/scxml.md has the table).

- scion_scxml_tests (and the one xstate fixture): the basic-state configuration expected after
  the initial macrostep and after each event; the flattened machine is run one macrostep per
  event and must reach exactly those configurations.
- w3c_irp_tests: a conforming processor ends in ``<final id="pass">``; the flattened machine
  settles, then receives the events the chart sends itself (by delay) until it halts.
- w3c_spec_examples: no labels; most are spec fragments that are not well-formed XML, so
  only how many import is pinned.

The figures are exact: a regression or an improvement both fail until the table is updated.
Run as a script to print the table: ``python -m tests.load.scxml.test_scxml_corpus``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from archctl.diagnostics import Severity
from archctl.load.loader import load_file
from archctl.model.statemachine import StateMachine
from tests.conftest import CORPUS
from tests.load.scxml.scxml_oracle import FlatRun

#: charts that import but whose runs differ from the labels, and why (docs/scxml.md)
EXPECTED_DISAGREEMENTS = {
    "scion_scxml_tests/targetless-transition/test1.scxml": "Math.pow() is not modelled (any)",
    "scion_scxml_tests/targetless-transition/test2.scxml": "Math.pow() is not modelled (any)",
    "scion_scxml_tests/targetless-transition/test3.scxml": "Math.pow() is not modelled (any)",
}
#: (files, imported, agreeing) per corpus folder
EXPECTED = {
    "scion_scxml_tests": (49, 49, 46),
    "w3c_irp_tests": (20, 20, 20),
    "w3c_spec_examples": (16, 3, None),
    "xstate": (1, 1, 1),
}


@dataclass
class Outcome:
    path: str
    imported: bool
    agrees: bool | None  # None: no label
    reason: str


def _machine(path: Path) -> tuple[StateMachine | None, str]:
    loaded = load_file(str(path))
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors or not loaded.specs:
        first = errors[0] if errors else None
        return None, f"{first.code}: {first.message}" if first else "no spec"
    spec = loaded.specs[0]
    assert isinstance(spec, StateMachine)
    return spec, ""


def _scion(machine: StateMachine, label: Path) -> tuple[bool, str]:
    expected = json.loads(label.read_text(encoding="utf-8"))
    run = FlatRun(machine)
    if run.configuration != sorted(expected["initialConfiguration"]):
        return False, f"initial {run.configuration}"
    for number, item in enumerate(expected["events"], 1):
        run.send(item["event"]["name"])
        if run.configuration != sorted(item["nextConfiguration"]):
            return False, f"after event {number} ({item['event']['name']}): {run.configuration}"
    return True, ""


def _delay(text: str) -> float:
    match = re.search(r"([\d.]+)\s*(ms|s)?", text)
    if match is None:
        return 0.0
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def _self_sent(path: Path) -> list[str]:
    """Events the chart sends itself, earliest delay first (the harness delivers them)."""
    found = re.findall(r"<send\b([^>]*)>", path.read_text(encoding="utf-8"))
    sends = []
    for attrs in found:
        event = re.search(r'\bevent="([^"]*)"', attrs)
        if event is None or re.search(r"\btarget(expr)?=", attrs):
            continue
        delay = re.search(r'\bdelay(?:expr)?="([^"]*)"', attrs)
        sends.append((_delay(delay.group(1)) if delay else 0.0, event.group(1)))
    return [event for _, event in sorted(sends)]


def _w3c(machine: StateMachine, path: Path) -> tuple[bool, str]:
    run = FlatRun(machine)
    for event in _self_sent(path):
        if run.halted:
            break
        run.send(event)
    if run.halted and run.configuration == ["pass"]:
        return True, ""
    return False, f"ends in {run.configuration}"


def evaluate(path: Path, root: Path) -> Outcome:
    relative = path.relative_to(root).as_posix()
    machine, why = _machine(path)
    if machine is None:
        return Outcome(relative, False, None, why)
    label = path.with_suffix(".json")
    if label.exists():
        agrees, why = _scion(machine, label)
    elif relative.startswith("w3c_irp_tests/"):
        agrees, why = _w3c(machine, path)
    else:
        return Outcome(relative, True, None, "")
    return Outcome(relative, True, agrees, why)


def outcomes(corpus: Path) -> list[Outcome]:
    root = corpus / "statemachines"
    return [evaluate(path, root) for path in sorted(root.rglob("*.scxml"))]


def table(results: list[Outcome]) -> dict[str, tuple[int, int, int | None]]:
    out = {}
    for folder in EXPECTED:
        mine = [r for r in results if r.path.startswith(folder + "/")]
        labelled = [r for r in mine if r.agrees is not None]
        agree = sum(1 for r in labelled if r.agrees) if labelled else None
        out[folder] = (len(mine), sum(1 for r in mine if r.imported), agree)
    return out


def test_corpus_import_and_agreement_figures(corpus: Path) -> None:
    results = outcomes(corpus)
    assert table(results) == EXPECTED
    differing = {r.path: r.reason for r in results if r.agrees is False}
    assert sorted(differing) == sorted(EXPECTED_DISAGREEMENTS)


def test_every_refused_chart_is_a_located_load_error(corpus: Path) -> None:
    """What does not import says why, at a line: malformed spec fragments (LD001), the
    pre-1.0 namespace, an XInclude target, the draft's <onenter>; never a traceback."""
    refused = [r for r in outcomes(corpus) if not r.imported]
    codes = sorted(r.reason.split(":")[0] for r in refused)
    assert codes == ["LD001"] * 9 + ["LD004"] * 3 + ["LD005"]


if __name__ == "__main__":
    everything = outcomes(CORPUS)
    print("| folder | charts | imported | agree with the labels |")
    print("|---|---:|---:|---:|")
    for name, (files, imported, agree) in table(everything).items():
        print(f"| {name} | {files} | {imported} | {'-' if agree is None else agree} |")
    for result in everything:
        if not result.imported or result.agrees is False:
            print(f"- {result.path}: {result.reason}")
