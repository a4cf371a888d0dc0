"""Finding codes POxxx: access policies.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
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
