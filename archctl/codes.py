"""Registry of stable finding codes.

Codes are a contract: users put them in config, baselines and CI filters, so they are never
renumbered. Each code has a name, a default severity and one paragraph of documentation that
``archctl explain CODE`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from archctl.diagnostics import Severity


@dataclass(frozen=True)
class CodeInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_TABLE: tuple[tuple[str, str, Severity, str, str], ...] = (
    (
        "LD001",
        "syntax-error",
        E,
        "the file cannot be parsed (YAML, DSL, XML)",
        "The file is not well-formed YAML, DSL or XML, is not UTF-8, or uses a construct that "
        "is refused for safety (an alias graph that expands exponentially, XML entities). The "
        "diagnostic points at the first position the parser could not accept. Fix the syntax; "
        "nothing else in the file is checked until it parses.",
    ),
    (
        "LD002",
        "unknown-key",
        E,
        "a key that the spec format does not define",
        "Unknown keys are errors, never ignored, because a misspelt key (`gaurd:` for `guard:`) "
        "would otherwise silently drop meaning. The message names the allowed keys and, where "
        "one is close, suggests it.",
    ),
    (
        "LD003",
        "missing-key",
        E,
        "a required key is absent",
        "A document lacks a key the format requires (`kind`, `name`, `initial`, a node's "
        "`type`, ...), or the file holds no document at all.",
    ),
    (
        "LD004",
        "invalid-value",
        E,
        "a value of the wrong type or form",
        "A value has the wrong type (a list where a mapping is expected) or does not parse: "
        "durations (`250ms`, `1m30s`), SemVer versions, version constraints (`^1.2`, "
        "`>=1.0, <2`), band intervals (`(0.3, 0.7]`), ranges, enum values, identifiers.",
    ),
    (
        "LD005",
        "unknown-reference",
        E,
        "a name that refers to nothing",
        "A state, node, plugin, workflow, variable or attribute is referenced by a name that is "
        "not declared. The message suggests the closest declared name.",
    ),
    (
        "LD006",
        "duplicate-id",
        E,
        "two elements share one id",
        "Two states, nodes, rules, properties or specs of one kind in the file set share a "
        "name, or a mapping repeats a key. Ids must be unique so findings can name them.",
    ),
    (
        "LD007",
        "expression-syntax",
        E,
        "an expression that does not parse",
        "A guard, condition, rule body or assignment is not valid in the expression language "
        "(see the spec format). The caret points at the exact column inside the string.",
    ),
    (
        "LD008",
        "expression-type",
        E,
        "an expression that is ill-typed",
        "An expression compares values of different types, uses a value that is not in an "
        "enum, multiplies two variables (only linear arithmetic is allowed), assigns to a "
        "read-only name, or names an unknown variable.",
    ),
    (
        "LD009",
        "unsupported-construct",
        W,
        "an imported element archctl cannot model",
        "An importer (BPMN, SCXML) met an element or expression that archctl's model cannot "
        "express. It is skipped or approximated as the message says; results about the "
        "affected part are approximate.",
    ),
    (
        "LD010",
        "path-error",
        E,
        "a path that cannot be used as input",
        "A path given on the command line does not exist, cannot be read, or is a folder with "
        "no spec files (*.yaml, *.yml, *.arch, *.bpmn).",
    ),
    (
        "LD011",
        "unused-suppression",
        W,
        "an `archctl: ignore[...]` comment that suppresses nothing",
        "An inline suppression names a code that no finding on that line has. Stale "
        "suppressions hide nothing today but would hide a new problem tomorrow; remove them.",
    ),
    (
        "SM101",
        "unreachable-state",
        E,
        "no run reaches the state",
        "No run from the initial state and initial valuation reaches this state, taking guards "
        "and data into account: a state whose only way in has a guard that can never hold is "
        "unreachable even though an edge leads to it.",
    ),
    (
        "SM102",
        "deadlock",
        E,
        "a reachable non-final state where nothing is enabled",
        "Some reachable state and valuation is not final and no transition is enabled there, "
        "so the machine is stuck. The evidence is the shortest trace to it.",
    ),
    (
        "SM103",
        "no-termination",
        E,
        "a reachable state from which no final state is reachable",
        "From some reachable state and valuation no final state can ever be reached (a trap "
        "loop). The evidence is a trace to that state.",
    ),
    (
        "SM104",
        "nondeterminism",
        W,
        "two transitions on one event whose guards can both hold",
        "Two transitions leave the same state on the same event and some valuation enables "
        "both, so the behaviour depends on which one the engine picks. The witness is such a "
        "valuation.",
    ),
    (
        "SM105",
        "dead-transition",
        W,
        "a transition never enabled in a reachable state",
        "The transition's source is never reached with a valuation that satisfies its guard, "
        "so it can never fire.",
    ),
    (
        "SM106",
        "final-has-outgoing",
        W,
        "a final state with outgoing transitions",
        "A final state ends a run, yet transitions leave it. Either the state is not really "
        "final or the transitions are dead weight.",
    ),
    (
        "SM107",
        "out-of-range",
        E,
        "an update can leave a variable's declared range",
        "A transition's `do` can assign a value outside the variable's declared range in some "
        "reachable valuation. The evidence is the trace to that step.",
    ),
    (
        "SM201",
        "property-violated",
        E,
        "an always/never property fails",
        "A user property does not hold: an `always` condition is false, or a `never` condition "
        "is true, in some reachable state. The evidence is the shortest trace.",
    ),
    (
        "SM202",
        "property-unreachable",
        E,
        "a reachable property fails",
        "A `reachable` property names a state (or condition) that no run reaches.",
    ),
    (
        "SM203",
        "liveness-violated",
        E,
        "an `eventually` / `leads_to` property fails on some fair run",
        "Some run that the machine's `fairness` allows never reaches the `eventually` "
        "condition (or, for `leads_to`, reaches `from` and never `to` afterwards). The evidence "
        "is a lasso: a prefix, then a loop the run repeats forever (an empty loop: the run "
        "stops there, in a deadlock or a final state). Under weak fairness a transition "
        "enabled all along the loop is taken in it; under strong fairness one enabled anywhere "
        "in the loop is; `fair: false` transitions are never forced. Add an exit to the loop, "
        "mark the input that must come as fair, or choose stronger fairness.",
    ),
    (
        "SM901",
        "inconclusive",
        E,
        "the state machine proof was not completed",
        "The solver answered unknown, timed out, or an explicit search hit its bound, so a "
        "property could be neither proved nor refuted. This is never a pass; the message "
        "names what is undecided. Raise the timeout or bound, or shrink variable ranges.",
    ),
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
        "WF901",
        "inconclusive",
        E,
        "the workflow analysis was not completed",
        "The state-space exploration hit its bound or the solver answered unknown, so the "
        "soundness verdict is not proved. Never a pass.",
    ),
    (
        "PL101",
        "missing-dependency",
        E,
        "a required plugin is not declared",
        "A plugin requires another plugin that the spec does not declare.",
    ),
    (
        "PL102",
        "dependency-cycle",
        E,
        "a cycle of required dependencies",
        "Required dependencies form a cycle, so no load order exists. The evidence is the "
        "ordered cycle; each strongly connected component is reported at least once.",
    ),
    (
        "PL103",
        "no-matching-version",
        E,
        "no candidate version satisfies a constraint",
        "A constraint on a plugin matches none of its declared versions.",
    ),
    (
        "PL104",
        "unresolvable",
        E,
        "no consistent selection exists for the install roots",
        "No choice of one version per plugin honours every requirement and conflict. The "
        "message explains why as a short chain of facts.",
    ),
    (
        "PL105",
        "conflict",
        E,
        "two plugins that declare a conflict are both selected",
        "Two plugins declared as conflicting would both be loaded.",
    ),
    (
        "PL901",
        "inconclusive",
        E,
        "the version resolution was not completed",
        "The solver answered unknown or timed out while choosing plugin versions, so neither "
        "a selection nor its impossibility is proved. Never a pass; raise --timeout.",
    ),
    (
        "PO101",
        "rule-never-applies",
        W,
        "the rule's condition is unsatisfiable",
        "No request satisfies the rule's condition, so it can never match.",
    ),
    (
        "PO102",
        "shadowed-rule",
        E,
        "the rule never decides and is overridden",
        "The rule never decides any request, and some request it matches gets a different "
        "decision from rules that take precedence (possibly several together). The witness is "
        "such a request.",
    ),
    (
        "PO103",
        "redundant-rule",
        W,
        "removing the rule changes no decision",
        "Every request the rule decides would get the same decision without it, and it is not "
        "shadowed.",
    ),
    (
        "PO104",
        "conflicting-rules",
        INFO,
        "an allow and a deny rule match a common request",
        "An allow rule and a deny rule both match some request; the combining algorithm "
        "decides. Under first-applicable it is a warning when the later rule never decides "
        "there.",
    ),
    (
        "PO105",
        "decision-gap",
        E,
        "a request that no rule decides (default: none)",
        "With `default: none`, some request matches no rule and gets no decision.",
    ),
    (
        "PO106",
        "band-overlap",
        E,
        "two levels of a band share a value",
        "Two levels of a band both contain some value of the attribute.",
    ),
    (
        "PO107",
        "band-gap",
        E,
        "a value of the attribute falls in no level",
        "Some value in the band attribute's range belongs to no level of the band.",
    ),
    (
        "PO201",
        "assertion-violated",
        E,
        "an assert entry fails",
        "An `assert` entry does not hold; the witness is a request that breaks it.",
    ),
    (
        "PO901",
        "inconclusive",
        E,
        "the policy proof was not completed",
        "The solver answered unknown or timed out on a policy question (does a rule ever "
        "decide, is it redundant, does an assertion hold), so it is neither proved nor refuted. "
        "Never a pass; the message names the open question. Raise --timeout or simplify the "
        "conditions (non-linear arithmetic, long string constraints).",
    ),
)

#: kind: system (spec-format 1.1). Kept in its own table so the kinds grow independently.
_SYSTEMS: tuple[tuple[str, str, Severity, str, str], ...] = (
    (
        "SY101",
        "unreachable-state",
        E,
        "a component state that no run of the system reaches",
        "No interleaving of the system's components brings this component (for a replicated "
        "component: any of its replicas) into the state. Usually a message it waits for is "
        "never sent, or is sent on another channel or with another name. The subject is "
        "`COMPONENT.STATE`.",
    ),
    (
        "SY102",
        "deadlock",
        E,
        "a reachable configuration where no component can move and not all are final",
        "Some run of the system reaches a configuration where no step of any component is "
        "enabled and at least one component is not in a final state: each stuck component "
        "waits to send on a full channel, to receive a message that is not at the head of its "
        "channel, for a rendezvous partner, or for a guard. The message says who waits for "
        "what; the subject is the stuck components, sorted. The evidence is the shortest trace, "
        "one step per component move, with the channel contents after each step. Read it as a "
        "sequence diagram (`archctl graph --trace`).",
    ),
    (
        "SY103",
        "no-termination",
        E,
        "a reachable configuration from which no final configuration can be reached",
        "The system can get into a configuration from which it can never make every component "
        "final, although it is not stuck: it keeps moving (a livelock, an endless retry loop). "
        "Configurations that can still run into a deadlock are reported as SY102 instead. A "
        "system with a component machine that has no final state is never final and is not "
        "checked for termination. The evidence is the shortest trace to such a configuration.",
    ),
    (
        "SY104",
        "leftover-messages",
        W,
        "a final configuration is reached with messages still queued",
        "Every component is in a final state but a channel still holds messages: a reply "
        "nobody read, a duplicate, a late timeout. The evidence is the trace to that final "
        "configuration with the channel contents.",
    ),
    (
        "SY105",
        "dead-transition",
        W,
        "a component transition that no run of the system takes",
        "No interleaving takes this transition of this component (of any replica, for a "
        "replicated component) although its source state is reached: its guard never holds "
        "there, its message never arrives first, or its channel is always full. The subject is "
        "the transition prefixed with the component (`COMPONENT.FROM -> TO ...`).",
    ),
    (
        "SY107",
        "out-of-range",
        E,
        "an update or a channel index leaves its range",
        "A step of a component assigns a value outside a variable's declared range (by `do` or "
        "by receiving a value), or indexes a channel array outside `0..count-1`. Such a step "
        "is not taken. The evidence is the trace to the step.",
    ),
    (
        "SY108",
        "unused-component",
        INFO,
        "a machine that sends or receives is used by no system",
        "A statemachine with `send`/`receive` transitions is only meaningful inside a system; "
        "alone it gets only the checks that hold whatever its peers do. No system in the "
        "checked files uses it, so its reachability, deadlocks and termination were not "
        "checked.",
    ),
    (
        "SY201",
        "property-violated",
        E,
        "an always/never property of the system fails",
        "An `always` condition is false, or a `never` condition true, in some reachable "
        "configuration. The evidence is the shortest trace to it.",
    ),
    (
        "SY202",
        "property-unreachable",
        E,
        "a reachable property of the system fails",
        "No run of the system reaches a configuration where the `reachable` condition holds.",
    ),
    (
        "SY203",
        "liveness-violated",
        E,
        "an eventually/leads_to property fails on some fair run",
        "Some fair run of the system never reaches the `eventually` condition (or, for "
        "`leads_to`, reaches `from` and never `to` afterwards). The evidence is a lasso: a "
        "prefix and a loop the run repeats forever, or a prefix that stops.",
    ),
    (
        "SY901",
        "inconclusive",
        E,
        "the system was not fully decided",
        "The exploration hit the configuration budget (`--max-states`, `max-states` in config) "
        "or a variable has no finite domain to enumerate, so some checks are neither proved "
        "nor refuted. Never a pass; the message lists "
        "what is undecided. Findings reported next to it are real (their traces are runs).",
    ),
)

CODES: dict[str, CodeInfo] = {row[0]: CodeInfo(*row) for row in (*_TABLE, *_SYSTEMS)}


def lookup(code: str) -> CodeInfo | None:
    return CODES.get(code.upper())


def code_name(code: str) -> str:
    info = CODES.get(code)
    return info.name if info else "unknown"


def default_severity(code: str) -> Severity:
    info = CODES.get(code)
    return info.severity if info else Severity.ERROR
