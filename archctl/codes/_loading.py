"""Finding codes LDxxx: loading the spec files: syntax, keys, values, names and types.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
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
        "no spec files (*.yaml, *.yml, *.arch, *.bpmn, *.scxml).",
    ),
    (
        "LD011",
        "unused-suppression",
        W,
        "an `archctl: ignore[...]` comment that suppresses nothing",
        "An inline suppression names a code that no finding on that line has. Stale "
        "suppressions hide nothing today but would hide a new problem tomorrow; remove them.",
    ),
)
