"""Every finding message, pinned word for word in one golden file per kind.

``tests/test_cases.py`` pins which findings each case yields (code, subject, line); this
test pins what they *say*: for every finding of every kind, the file and position, code,
severity, spec and subject, the full message, its help and notes, and a summary of its
evidence. A reworded message, a lost hint or a different counterexample shows up as a diff
of ``tests/golden/messages/<kind>.txt`` in review.

The inputs are every file under ``tests/cases/``, every ``archctl explain`` example in
``archctl/code_examples/``, a missing path (LD010) and a few cases run with a small state
budget, so that the budget's inconclusive findings (x901) are pinned too. Each golden file
must show every code of its kind (``codes.CODES``) except the few listed in
:data:`UNPINNED`, which only a wall-clock timeout produces (not the same bytes every run).

After an intended change, regenerate and review the diff:

    ARCHCTL_UPDATE_GOLDEN=1 python -m pytest tests/test_messages.py
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest

from archctl.check import CheckOptions
from archctl.codes import CODES
from archctl.diagnostics import Diagnostic
from archctl.evidence import Cycle, Evidence, Explanation, Lasso, Trace, TraceStep, Witness
from archctl.model.spec import assert_never
from archctl.verify import verify_paths
from tests.conftest import CASES, ROOT
from tests.golden_util import assert_golden

GOLDEN = ROOT / "tests" / "golden" / "messages"
#: The kind each code prefix belongs to (``load``: what the front ends report).
KINDS = {
    "LD": "load",
    "SM": "statemachine",
    "WF": "workflow",
    "PL": "plugins",
    "PO": "policy",
    "SY": "system",
}
#: Codes only a timeout produces; which subjects it leaves undecided depends on the machine.
UNPINNED = {
    "PL901": "the version resolution runs out of solver time (tests/check/plugins)",
    "PO901": "the policy proofs run out of solver time (tests/check/policy)",
}
#: Cases checked again under a small explicit-state budget (their x901 message).
BUDGETED = {
    "statemachine/liveness-leads-to-strong.yaml": 5,
    "system/k8s-finalizer-ignored.yaml": 5,
    "workflow/gateway-hole.yaml": 5,
}
CASE_SUFFIXES = {".yaml", ".yml", ".arch", ".bpmn"}


def inputs() -> list[tuple[str, int | None]]:
    """(path relative to the repository, state budget or None) for every input, in order."""
    cases = sorted(p for p in CASES.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
    examples = sorted((ROOT / "archctl" / "code_examples").iterdir())
    paths: list[tuple[str, int | None]] = [
        (p.relative_to(ROOT).as_posix(), None) for p in [*cases, *examples]
    ]
    paths.append(("tests/cases/no-such-file.yaml", None))
    paths += [(f"tests/cases/{case}", budget) for case, budget in sorted(BUDGETED.items())]
    return paths


@functools.lru_cache(maxsize=1)
def golden_texts() -> dict[str, str]:
    """The text of each kind's golden file, computed in a fresh interpreter.

    A fresh process is what a user's ``archctl verify`` is. In a process that has already
    run other tests' Z3 queries a witness can come out different (the solver's model
    depends on its history), which would make this test depend on test order."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    result = subprocess.run(
        [sys.executable, "-m", "tests.test_messages"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    texts: dict[str, str] = json.loads(result.stdout)
    return texts


def compute_texts() -> dict[str, str]:
    """One verify run per input, each finding appended to its kind's text."""
    blocks: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    for path, budget in inputs():
        options = CheckOptions() if budget is None else CheckOptions(max_states=budget)
        label = path if budget is None else f"{path} [max_states={budget}]"
        outcome = verify_paths([str(ROOT / path)], options)
        for diagnostic in outcome.diagnostics:
            blocks[KINDS[diagnostic.code[:2]]].append(_block(label, diagnostic))
    return {kind: "".join(found) for kind, found in blocks.items()}


def _block(label: str, diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    where = label if span is None else f"{label}:{span.line}:{span.column}"
    head = f"{where}: {diagnostic.code} {diagnostic.severity.value}"
    if diagnostic.spec is not None:
        head += f" spec={diagnostic.spec}"
    if diagnostic.subject is not None:
        head += f" subject={diagnostic.subject}"
    lines = [head, f"  {diagnostic.message}"]
    if diagnostic.help is not None:
        lines.append(f"  help: {diagnostic.help}")
    lines += [f"  note: {note}" for note in diagnostic.notes]
    if diagnostic.evidence is not None:
        lines.append(f"  evidence: {evidence_summary(diagnostic.evidence)}")
    return _relative("\n".join(lines)) + "\n\n"


def _relative(text: str) -> str:
    """Paths inside messages as the repository names them, wherever the checkout is."""
    return text.replace(str(ROOT) + os.sep, "")


def evidence_summary(evidence: Evidence) -> str:
    """One line that changes when the counterexample does: its kind, size and steps."""
    match evidence:
        case Trace():
            return f"trace of {len(evidence.steps)} step(s): {_steps(evidence.steps)}"
        case Lasso():
            return (
                f"lasso under {evidence.fairness} fairness: prefix {_steps(evidence.prefix)}"
                f"; loop {_steps(evidence.loop) or '(stops)'}"
            )
        case Witness():
            return "witness " + ", ".join(
                f"{name}={evidence.values[name]!r}" for name in sorted(evidence.values)
            )
        case Cycle():
            return "cycle " + " -> ".join(evidence.path)
        case Explanation():
            return "explanation: " + " / ".join(evidence.facts)
        case _:
            assert_never(evidence)


def _steps(steps: tuple[TraceStep, ...]) -> str:
    return " | ".join(_step(step) for step in steps)


def _step(step: TraceStep) -> str:
    parts = [
        f"{label}{value}"
        for label, value in (
            ("", step.component),
            ("", step.node),
            ("on ", step.event),
            ("", step.send),
            ("", step.receive),
            ("@", step.state),
        )
        if value is not None
    ]
    if step.tokens is not None:
        parts.append("tokens=[" + "; ".join(step.tokens) + "]")
    return " ".join(parts) or "(start)"


@pytest.mark.parametrize("kind", sorted(set(KINDS.values())))
def test_messages_match_the_golden_file(kind: str) -> None:
    assert_golden(GOLDEN / f"{kind}.txt", golden_texts()[kind])


@pytest.mark.parametrize("prefix", sorted(KINDS))
def test_every_code_of_the_kind_is_pinned(prefix: str) -> None:
    text = golden_texts()[KINDS[prefix]]
    codes = sorted(code for code in CODES if code.startswith(prefix))
    missing = [c for c in codes if f": {c} " not in text and c not in UNPINNED]
    assert not missing, f"no input yields {missing}: add a case under tests/cases/"
    stale = [c for c in codes if c in UNPINNED and f": {c} " in text]
    assert not stale, f"{stale} are pinned now: remove them from UNPINNED"


def test_every_code_belongs_to_a_golden_file() -> None:
    """A new kind's codes need a prefix here, or none of its messages would be pinned."""
    assert {code[:2] for code in CODES} == set(KINDS)


if __name__ == "__main__":
    print(json.dumps(compute_texts()))
