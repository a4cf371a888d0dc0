"""The usual fix for each finding code, as ``archctl explain`` prints it.

Kept beside the ``codes`` registry rather than in its rows so that codes can be added there without
a fix (and fixes written later) and the table's row shape stays the same for everyone.
"""

from __future__ import annotations

from archctl import codes

FIXES: dict[str, str] = {
    codes.LD001: "correct the syntax at the position shown (indentation, a missing quote or "
    "bracket); YAML aliases and XML entities are refused on purpose",
    codes.LD002: "rename the key to the suggested one, or remove it",
    codes.LD003: "add the missing key (`kind`, `name`, `initial`, a node's `type`, ...)",
    codes.LD004: "write the value in the form the message names: `250ms`/`5s` for durations, "
    '`1.2.3` for versions, `"^1.2"` for constraints, quoted enum values',
    codes.LD005: "use a declared name (the message suggests the closest), or declare it; "
    'enum values in expressions are quoted: `mode == "dim"`',
    codes.LD006: "rename one of the two; ids are unique per spec and spec names per kind",
    codes.LD007: "fix the expression at the caret: `==` compares, `=` only assigns in `do`",
    codes.LD008: "make both sides the same type, or compare a value (`x > 0`) where a "
    "condition is expected",
    codes.LD009: "model the construct in archctl terms or accept the approximation the "
    "message describes",
    codes.LD010: "pass an existing spec file or a folder holding *.yaml, *.yml, *.arch, *.bpmn "
    "or *.scxml",
    codes.LD011: "remove the code from the `archctl: ignore[...]` comment (or the comment)",
    codes.SM101: "add a transition into the state, relax the guard that blocks it, or delete it",
    codes.SM102: "add a transition out of the state for the case in the trace, mark the state "
    "final, or widen a guard",
    codes.SM103: "give the states in the trace a way to a final state (often a cancel or "
    "timeout transition)",
    codes.SM104: "make the guards exclusive (`x > 0` / `x <= 0`), or use different events",
    codes.SM105: "relax the transition's guard, or delete the transition",
    codes.SM106: "remove the outgoing transitions, or make the state non-final",
    codes.SM107: "widen the variable's range, or guard the update so it stays inside it",
    codes.SM201: "fix the transition the trace ends with, or the property if it was too strict",
    codes.SM202: "add a way to reach the condition, or drop the property",
    codes.SM901: "raise `--timeout`/`--max-states`, narrow variable ranges, or accept it "
    "explicitly with `--severity SM901=warning`",
    codes.WF101: "one start, at least one end; gateways split or join, with the arity the "
    "message names",
    codes.WF102: "connect the node from the start, or delete it",
    codes.WF103: "join a parallel split with a parallel gateway and an exclusive one with an "
    "exclusive gateway (the trace shows the token that never comes)",
    codes.WF104: "give the loop an exit condition that can hold",
    codes.WF105: "join parallel branches with a parallel gateway so they complete once",
    codes.WF106: "fix the flow's condition so it can hold, or remove the flow",
    codes.WF107: "add a `default` flow, or conditions that cover the values in the witness",
    codes.WF108: "make the conditions exclusive, or accept the first-match order on purpose",
    codes.WF109: "fix the condition, or give the gateway the default flow it needs",
    codes.WF110: "set `max_attempts >= 1` and a backoff within `max_backoff`",
    codes.WF111: "define the called workflow (in any project file) or break the call cycle",
    codes.WF901: "raise `max-states`, bound the data the message names, or accept it "
    "explicitly with `--severity WF901=warning`",
    codes.PL101: "declare the required plugin, or drop the requirement",
    codes.PL102: "break the cycle: make one dependency optional, or merge the plugins",
    codes.PL103: "relax the constraint, or declare a version that matches it",
    codes.PL104: "follow the chain of facts: relax one constraint or add a version that "
    "satisfies both sides",
    codes.PL105: "choose versions that do not conflict, or narrow the `conflicts` range",
    codes.PL901: "raise `--timeout`, or accept it explicitly with `--severity PL901=warning`",
    codes.PO101: "fix the condition so some request can match it, or delete the rule",
    codes.PO102: "delete the rule, or move it before the rules that cover it",
    codes.PO103: "delete the rule or change its effect: it never changes a decision",
    codes.PO104: "check the example request: if its decision is wrong, narrow one of the rules",
    codes.PO105: "add a rule (or a default) for requests like the witness",
    codes.PO106: "make the bands' intervals disjoint",
    codes.PO107: "extend a band to cover the gap",
    codes.PO201: "fix the rules the witness request exercises, or the assertion",
    codes.PO901: "raise `--timeout`, simplify the conditions (non-linear arithmetic, long "
    "strings), or accept it explicitly with `--severity PO901=warning`",
}
