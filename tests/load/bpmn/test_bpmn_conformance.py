"""archctl's BPMN verdicts against the ground truth of other tools, over the shared corpus.

Labels are read from the corpus itself (rust_bpmn_analyzer/LABELS.md, fbpmn/labels.csv),
never copied here. Every (file, label) pair must agree, except those listed in
``EXPECTED_DISAGREEMENTS`` with the reason the two semantics differ; a pair listed there that
starts agreeing fails too, so the table stays true. Run this file as a script to print the
agreement and timing tables of docs/bpmn.md:

    python tests/load/bpmn/test_bpmn_conformance.py
"""

from __future__ import annotations

import csv
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archctl.check import CheckOptions
from archctl.diagnostics import Diagnostic
from archctl.load.loader import load_file
from archctl.load.values import IDENTIFIER
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.verify import verify_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # run as a script: the checkout
from tests.conftest import CORPUS

RUST = "bpmn/rust_bpmn_analyzer"
FBPMN = "bpmn/fbpmn"
PROPERTIES = ("Safeness", "OptionToComplete", "ProperCompletion", "NoDeadActivities")

# Why archctl answers differently (docs/bpmn.md explains each):
CONSTRAINED = (
    "fbpmn labelled it under a state constraint (its .constraint file: at most 2 tokens per "
    "flow), where runs that would exceed the bound are not behaviours at all; the model's "
    "tokens pile up without limit (the travel agency's offer loop, a repeating timer), so "
    "archctl explores it up to its frontier of 2 tokens per flow and reports SY901 there "
    "instead of answering under a bound (it still refutes what it finds before the frontier)"
)
MESSAGE_BOUND = (
    "fbpmn labelled it under a state constraint (e039TravelAgency.constraint: at most 2 "
    "messages per message flow) that removes the runs past it; the agency's offer loop can "
    "send without limit, so archctl reaches its exploration bound of 3 messages and reports "
    "SY901 instead of answering under a bound"
)
TIMER_ONCE = (
    "the only way to put two tokens on one flow is a second firing of the non-interrupting "
    "timer '10 minutes' (timeDuration P10M); BPMN fires a timer with a duration once, and so "
    "does archctl, while fbpmn lets a non-interrupting timer fire any number of times (its "
    "partner sends the message of the other non-interrupting boundary at most once)"
)


def _fbpmn(model: str) -> str:
    return f"{FBPMN}/src/{model}.bpmn"


#: (corpus-relative file, label) -> why archctl's semantics give a different answer
#: (or no answer: inconclusive counts as a disagreement that must be listed).
EXPECTED_DISAGREEMENTS: dict[tuple[str, str], str] = {
    (_fbpmn("e005TravelAgency"), "Sound"): CONSTRAINED,
    **{
        (_fbpmn(m), "MsgRelaxedSound"): CONSTRAINED
        for m in ("e004TravelAgency", "e005TravelAgency", "e006TravelAgency", "e056TBE")
    },
    (_fbpmn("e039TravelAgency"), "MsgRelaxedSound"): MESSAGE_BOUND,
    (_fbpmn("e041MBE"), "Safe"): TIMER_ONCE,
}

#: files whose import reports load errors on purpose (broken models in the corpus)
EXPECTED_LOAD_ERRORS: dict[str, set[str]] = {
    "bpmn/bpmn_for_research/02-Recourse/02-Results/3_56a29c753e8648b7aa9c4715e6471363.bpmn": {
        "LD003"
    },
    "bpmn/bpmn_for_research/02-Recourse/02-Results/Claim_f339fddf3b1645a68a5c5745faf44e88.bpmn": {
        "LD003"
    },
    "bpmn/bpmn_for_research/04-Self-service-restaurant/02-Results/"
    "Ex_6_09b9064294754762a3a867c80c7e18e9.bpmn": {"LD003"},
    "bpmn/bpmn_for_research/04-Self-service-restaurant/02-Results/"
    "Excercise_6_9407eba90a3c4a80a09711d0f6fa1e64.bpmn": {"LD003"},
}


@dataclass(frozen=True)
class Label:
    """One ground-truth claim: ``label`` holds (True) or not (False) for ``file``."""

    file: str
    label: str
    expected: bool
    subjects: tuple[str, ...] = ()  # dead activities named by the label, when it names them


def rust_labels(corpus: Path) -> list[Label]:
    """Parse the table of LABELS.md: one row per file (or `a.bpmn, -2.bpmn` pairs)."""
    out: list[Label] = []
    text = (corpus / RUST / "LABELS.md").read_text(encoding="utf-8")
    for row in re.findall(r"^\| ([^|]+\.bpmn[^|]*) \| ([^|]+) \|$", text, re.MULTILINE):
        files_cell, claim = row
        files = _expand_files(files_cell.strip())
        claims = _claims(claim)
        for file in files:
            for prop, holds, subjects in claims:
                out.append(Label(f"{RUST}/{file}", prop, holds, subjects))
    return out


def _expand_files(cell: str) -> list[str]:
    first, *rest = [part.strip() for part in cell.split(",")]
    out = [first]
    for part in rest:  # "-2.bpmn" reuses the stem of the first name
        stem = re.sub(r"-\d+\.bpmn$", "", first)
        out.append(stem + part if part.startswith("-") else part)
    return out


def _claims(claim: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    out: list[tuple[str, bool, tuple[str, ...]]] = []
    if "no property label" in claim:
        return out
    if re.search(r"all (4 properties )?fulfilled", claim):
        return [(prop, True, ()) for prop in PROPERTIES]
    unfulfilled = re.search(r"unfulfilled = ([A-Za-z, ]+)", claim)
    if unfulfilled:
        names = {name.strip() for name in unfulfilled.group(1).split(",")}
        return [(prop, prop not in names, ()) for prop in PROPERTIES]
    for prop in PROPERTIES:
        match = re.search(rf"{prop} (NOT )?fulfilled", claim)
        if match:
            subjects: tuple[str, ...] = ()
            dead = re.search(r"dead: (\w+?)_(\d+)\.\.\w+?_(\d+)", claim)
            if prop == "NoDeadActivities" and dead:
                low, high = int(dead.group(2)), int(dead.group(3))
                subjects = tuple(f"{dead.group(1)}_{i}" for i in range(low, high + 1))
            out.append((prop, match.group(1) is None, subjects))
    return out


def fbpmn_labels(corpus: Path) -> list[Label]:
    out: list[Label] = []
    with open(corpus / FBPMN / "labels.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["network_semantics"] != "Network01Bag" or not row["Safe"]:
                continue
            file = f"{FBPMN}/src/{row['model']}.bpmn"
            for label in ("Safe", "Sound", "MsgRelaxedSound"):
                out.append(Label(file, label, row[label] == "True"))
    return out


@dataclass
class Verdict:
    diagnostics: list[Diagnostic]
    millis: float
    system: bool = False  # a collaboration was checked as a system
    proved: set[tuple[str, str]] = field(default_factory=set)  # (spec, check) proved
    specs: tuple[str, ...] = ()  # the workflows the file imported to (one per pool)
    #: the systems' BPMN safeness properties (``safe_<pool>``), and those proved
    safeness: set[str] = field(default_factory=set)
    proved_subjects: set[tuple[str, str]] = field(default_factory=set)  # (check, subject)

    def codes(self, *codes: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code in codes]


#: exploration bound of the conformance run: far above what any labelled model needs when the
#: checker works (the largest, livelock.bpmn, has 48,195 states in BPMN Analyzer), low enough
#: that a model the checker cannot finish ends in WF901 within seconds, not minutes.
MAX_STATES = 100_000

AGREE, DISAGREE, INCONCLUSIVE, NOT_COMPARABLE = "agree", "disagree", "inconclusive", "n/a"


def verdict(corpus: Path, file: str) -> Verdict:
    started = time.perf_counter()
    outcome = verify_paths([str(corpus / file)], CheckOptions(max_states=MAX_STATES))
    millis = (time.perf_counter() - started) * 1000
    system = any(isinstance(spec, System) for spec in outcome.loaded)
    proved = {(proof.spec, proof.check) for proof in outcome.proved}
    workflows = tuple(spec.name for spec in outcome.loaded if isinstance(spec, Workflow))
    safeness = {
        prop.name
        for spec in outcome.loaded
        if isinstance(spec, System)
        for prop in spec.properties
        if prop.name.startswith("safe_")
    }
    subjects = {(proof.check, proof.subject) for proof in outcome.proved}
    return Verdict(outcome.diagnostics, millis, system, proved, workflows, safeness, subjects)


#: label -> (codes whose finding refutes it, checks that must all be proved for it to hold),
#: for a file checked as workflows (one per pool)
MAPPING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Safeness": (("WF105",), ("WF105",)),
    "Safe": (("WF105",), ("WF105",)),
    "OptionToComplete": (("WF103", "WF104"), ("WF103", "WF104")),
    "Sound": (("WF103", "WF104", "WF114"), ("WF103", "WF104", "WF114")),
    "MsgRelaxedSound": (("WF103", "WF104", "WF114"), ("WF103", "WF104", "WF114")),
    "ProperCompletion": (("WF114",), ("WF114",)),
    "NoDeadActivities": (("WF106", "WF102"), ("WF106", "WF102")),
}


def archctl_says(label: Label, found: Verdict) -> bool | None:
    """archctl's answer to the label's question; None when it proved neither answer.

    A finding is a proof of the negative answer; the positive answer needs every check of
    the label in the report's ``proved`` list (a file with a load error proves nothing).
    A collaboration's Sound and MsgRelaxedSound are decided by its system (fbpmn's
    definitions, docs/bpmn.md): Sound also needs no message left in transit (SY104), and
    both need each pool to complete properly (no WF114).
    """
    broken = any(d.code.startswith("LD") and d.severity.value == "error" for d in found.diagnostics)
    if label.label in ("Safe", "Safeness") and found.system:
        if any(d.subject in found.safeness for d in found.codes("SY201")):
            return False
        proved = {subject for check, subject in found.proved_subjects if check == "SY201"}
        # safe in any environment (each pool alone) is safe in this one
        alone = {(spec, "WF105") for spec in found.specs} <= found.proved
        return True if not broken and (found.safeness <= proved or alone) else None
    if label.label in ("Sound", "MsgRelaxedSound") and (found.system or found.codes("SY901")):
        stuck = ("SY102", "SY103", "SY104") if label.label == "Sound" else ("SY102", "SY103")
        if found.codes(*stuck):
            return False
        return True if not broken and not found.codes("SY901") else None
    refuting, needed = MAPPING[label.label]
    if label.label == "NoDeadActivities":
        dead = {d.subject for d in found.codes(*refuting)}
        if (label.subjects and set(label.subjects) <= dead) or (not label.subjects and dead):
            return False
    elif found.codes(*refuting):
        return False
    every = {(spec, check) for spec in found.specs for check in needed}
    return True if not broken and found.specs and every <= found.proved else None


def compare(label: Label, found: Verdict) -> str:
    said = archctl_says(label, found)
    if said is None:
        return INCONCLUSIVE
    return AGREE if said == label.expected else DISAGREE


def all_labels(corpus: Path) -> list[Label]:
    return rust_labels(corpus) + fbpmn_labels(corpus)


def test_label_files_parse(corpus: Path) -> None:
    rust = rust_labels(corpus)
    fbpmn = fbpmn_labels(corpus)
    assert len({label.file for label in rust}) == 17
    assert len({label.file for label in fbpmn}) == 45
    assert len(fbpmn) == 3 * 45  # Safe, Sound, MsgRelaxedSound
    dead = [label for label in rust if label.subjects]
    assert [label.subjects for label in dead] == [("Dead_1", "Dead_2", "Dead_3", "Dead_4")]
    for label in rust + fbpmn:
        assert (corpus / label.file).is_file(), label.file


def test_verdicts_agree_with_ground_truth(corpus: Path) -> None:
    pytest.importorskip(
        "archctl.check.workflow.checker", reason="the workflow checker has not landed"
    )
    problems: list[str] = []
    cache: dict[str, Verdict] = {}
    for label in all_labels(corpus):
        found = cache.get(label.file) or cache.setdefault(label.file, verdict(corpus, label.file))
        result = compare(label, found)
        key = (label.file, label.label)
        if result == NOT_COMPARABLE:
            continue
        if key in EXPECTED_DISAGREEMENTS:
            if result == AGREE:
                problems.append(f"{key}: now agrees; drop it from EXPECTED_DISAGREEMENTS")
        elif result != AGREE:
            codes = sorted({(d.code, d.subject) for d in found.diagnostics if d.code[:2] == "WF"})
            problems.append(f"{key}: {result}: expected {label.expected}; archctl found {codes}")
    assert problems == []


IMPORT_FOLDERS = (
    "miwg",
    "camunda_examples",
    "pm4py",
    "bpmn_for_research",
    "bpmnlint",
    "rust_bpmn_analyzer",
    "fbpmn",
)


@pytest.mark.parametrize("folder", IMPORT_FOLDERS)
def test_every_corpus_file_imports(corpus: Path, folder: str) -> None:
    files = sorted((corpus / "bpmn" / folder).rglob("*.bpmn"))
    assert files, folder
    for path in files:
        relative = path.relative_to(corpus).as_posix()
        result = load_file(str(path))
        errors = {d.code for d in result.diagnostics if d.severity.value == "error"}
        errors -= {"SY901"}  # a pool whose marking graph is unbounded: the system is skipped
        assert errors == EXPECTED_LOAD_ERRORS.get(relative, set()), relative
        for spec in result.specs:
            if isinstance(spec, (StateMachine, System)):
                continue  # a collaboration's pools and system (test_bpmn_collab*.py)
            assert isinstance(spec, Workflow)
            ids = [node.id for node in spec.nodes]
            assert len(ids) == len(set(ids)), relative
            assert all(IDENTIFIER.match(node_id) for node_id in ids), relative
            known = set(ids)
            assert all({f.source, f.target} <= known for f in spec.flows), relative
            assert all(n.on_error in known for n in spec.nodes if n.on_error), relative
            assert spec.span.file == str(path)


def main() -> None:  # pragma: no cover - the report printer for docs/bpmn.md
    corpus = CORPUS
    rows: dict[str, dict[str, int]] = {}
    cache: dict[str, Verdict] = {}
    for label in all_labels(corpus):
        found = cache.get(label.file) or cache.setdefault(label.file, verdict(corpus, label.file))
        result = compare(label, found)
        if (label.file, label.label) in EXPECTED_DISAGREEMENTS and result != AGREE:
            result = f"listed {result}"
        row = rows.setdefault(f"{label.file.split('/')[1]}: {label.label}", {})
        row[result] = row.get(result, 0) + 1
    columns = (
        AGREE,
        "listed disagree",
        "listed inconclusive",
        DISAGREE,
        INCONCLUSIVE,
        NOT_COMPARABLE,
    )
    print("| label | files | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 2) + "|")
    for name, row in sorted(rows.items()):
        cells = " | ".join(str(row.get(column, 0)) for column in columns)
        print(f"| {name} | {sum(row.values())} | {cells} |")
    # timing: a warm run (imports and caches loaded) of every .bpmn file of the corpus
    files = sorted(p.relative_to(corpus).as_posix() for p in (corpus / "bpmn").rglob("*.bpmn"))
    times = sorted(((verdict(corpus, f).millis, f) for f in files), reverse=True)
    labelled = sorted((m, f) for m, f in times if f in cache)
    print(f"\nlabelled: {len(labelled)} files, max {labelled[-1][0]:.1f} ms")
    print(f"all: {len(times)} files; slowest (ms):")
    for millis, file in times[:8]:
        print(f"  {millis:8.1f}  {file}")
    print(f"  median {times[len(times) // 2][0]:.1f} ms")


if __name__ == "__main__":  # pragma: no cover
    main()
