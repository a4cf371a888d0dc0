"""Checkers: model in, diagnostics out. They never print.

One package per spec kind (``check/statemachine`` ...), entered through its ``checker.check``;
the kind registry (``archctl/kinds.py``) says which checker a spec gets and imports it only
when a spec of its kind is checked, so ``verify`` on a set of state machines never pays for
importing the workflow or policy machinery (or z3, unless it is needed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from archctl.check.budget import Budget, spending
from archctl.crash import at
from archctl.diagnostics import Diagnostic
from archctl.gcpause import gc_paused
from archctl.model.spec import Spec
from archctl.proof import Proof


@dataclass(frozen=True)
class CheckOptions:
    """Knobs every checker honours.

    ``timeout_ms`` is the time budget of one spec: all of its solver queries together
    (``check.budget``); ``max_states`` bounds every explicit-state search. Running out of
    either is an x901 finding that says what was left undecided.
    """

    timeout_ms: int = 10_000
    max_states: int = 2_000_000


@dataclass
class CheckContext:
    """What a checker may look at besides its own spec: the whole spec set and the options."""

    specs: Sequence[Spec]
    options: CheckOptions = field(default_factory=CheckOptions)
    #: Where checkers record what they proved (``prove``); verify reports it as "proved".
    proved: list[Proof] = field(default_factory=list)

    def prove(
        self, spec: str, check: str, subject: str, engine: str, certificate: str | None = None
    ) -> None:
        """Record that ``check`` holds for ``subject``: only call it on a real proof."""
        self.proved.append(Proof(spec, check, subject, engine, certificate))


Checker = Callable[[Spec, CheckContext], list[Diagnostic]]


def run_checks(
    specs: Sequence[Spec],
    checker_of: Callable[[Spec], Checker],
    options: CheckOptions | None = None,
    proved: list[Proof] | None = None,
    *,
    context_specs: Sequence[Spec] = (),
) -> list[Diagnostic]:
    """Run each spec's checker (``checker_of``: the kind registry's dispatch, ``kinds.py``).

    Each spec gets its own time budget (``options.timeout_ms``). What the checkers proved is
    appended to ``proved`` when the caller passes a list.
    ``context_specs`` are visible to the checkers (a subprocess named by a workflow) but
    not checked themselves: verify loads them from the project when a reference is not
    among the files it was given (pre-commit passes only the staged files).
    """
    context = CheckContext(
        [*specs, *context_specs], options or CheckOptions(), proved if proved is not None else []
    )
    out: list[Diagnostic] = []
    for spec in specs:
        check = checker_of(spec)
        # a large spec's checks allocate millions of small acyclic objects (graph edges,
        # proofs, findings); automatic collections would re-walk the whole model each time
        # (a fifth of `verify` on a 100,000-state machine). Cycles are collected per spec.
        with (
            at(spec.span.file, spec.name),
            spending(Budget(context.options.timeout_ms)),
            gc_paused(),
        ):
            out.extend(check(spec, context))
    return out
