"""Finding codes SYxxx: systems of communicating components.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
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
