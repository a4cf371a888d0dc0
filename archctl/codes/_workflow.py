"""Finding codes WFxxx: workflows.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
    (
        "WF101",
        "bad-structure",
        E,
        "start/end/gateway arity or placement broken",
        "The workflow's structure is malformed: not exactly one start, a start with incoming "
        "flows, an end with outgoing flows, a task with no outgoing flow, a gateway with "
        "conditions on some flows and not others, a default flow off an exclusive/inclusive "
        "gateway, or several defaults.",
    ),
    (
        "WF102",
        "unreachable-node",
        E,
        "no flow path from the start reaches the node",
        "The node cannot be reached from the start event along flows at all.",
    ),
    (
        "WF103",
        "deadlock",
        E,
        "a reachable marking with tokens left and nothing enabled",
        "Some run reaches a marking where tokens are left but no node can fire: a parallel "
        "join waiting for a token that never comes, or an exclusive gateway where no "
        "condition holds. The evidence is the trace of fired nodes.",
    ),
    (
        "WF104",
        "no-option-to-complete",
        E,
        "a reachable marking from which completion is impossible",
        "Some run reaches a marking from which no sequence of firings empties the workflow "
        "(for example a loop without an exit). The evidence is the trace to it.",
    ),
    (
        "WF105",
        "unsafe",
        E,
        "a flow can hold two tokens at once",
        "Two tokens can sit on one flow at the same time (lack of synchronisation, e.g. a "
        "parallel split merged by an exclusive gateway). The evidence is the trace.",
    ),
    (
        "WF106",
        "dead-task",
        E,
        "a task that no run executes",
        "The task is reachable in the flow graph but no run of the token game (with gateway "
        "conditions and data considered) ever executes it.",
    ),
    (
        "WF107",
        "gateway-not-exhaustive",
        E,
        "a gateway without default where no condition may hold",
        "An exclusive or inclusive gateway has no default flow and some valuation makes every "
        "condition false, so the token gets stuck. The witness is such a valuation.",
    ),
    (
        "WF108",
        "gateway-overlap",
        W,
        "exclusive gateway conditions that can hold together",
        "Two conditions of an exclusive gateway hold for one valuation; first-match order "
        "decides, which may make a later branch dead. The witness is such a valuation.",
    ),
    (
        "WF109",
        "condition-unsatisfiable",
        W,
        "a flow condition that can never hold",
        "A flow's condition is false for every valuation, so the branch is dead.",
    ),
    (
        "WF110",
        "retry-policy",
        W,
        "a retry policy that cannot work as written",
        "The retry policy is inconsistent: max_backoff below backoff, a multiplier that does "
        "nothing over many attempts, an error handler on a task that cannot fail, or attempts "
        "times deadline beyond a bound given elsewhere.",
    ),
    (
        "WF111",
        "subprocess",
        E,
        "a subprocess names a missing workflow or recursion",
        "A subprocess task names a workflow that is not in the file set, or workflows call "
        "each other in a cycle (unbounded recursion).",
    ),
    (
        "WF112",
        "sla-violated",
        E,
        "a run can take longer than the workflow's `sla`",
        "The worst case of some run (per attempt the task's deadline or maximal duration, the "
        "capped backoffs between retries, subprocess worst cases; parallel branches overlap; "
        "branches no valuation takes do not count) exceeds `sla`. The evidence is the slowest "
        "run, each step with its cumulative `time_ms`. Tighten deadlines or retries, or raise "
        "the SLA.",
    ),
    (
        "WF113",
        "time-unbounded",
        E,
        "`sla` is set but a task or a loop has no time bound",
        "A task with neither a `deadline` nor a bounded `duration` (fixed or uniform), or a "
        "loop that a run may repeat without limit, gives the workflow no worst-case time, so "
        "no `sla` can be proved. Give the task a deadline, or bound the loop with data (a "
        "counter in its condition). The evidence is the task's location or the cycle.",
    ),
    (
        "WF114",
        "improper-completion",
        E,
        "a completing run reaches one BPMN end event twice",
        "Imported BPMN only (archctl's own ends may take several tokens): some run that "
        "completes passes one end event with two tokens, i.e. two branches that should have "
        "been joined each finish the process (BPMN Analyzer's proper completion, part of "
        "fbpmn's soundness). The evidence is the run up to the second arrival. Join the "
        "branches before the end, or give each its own end event.",
    ),
    (
        "WF901",
        "inconclusive",
        E,
        "the workflow analysis was not completed",
        "The state-space exploration hit its bound or the solver answered unknown, so the "
        "soundness verdict is not proved. Never a pass.",
    ),
)
