"""Finding codes SMxxx: state machines.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
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
)
