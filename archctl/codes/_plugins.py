"""Finding codes PLxxx: plugin dependency graphs.

Rows of (code, name, default severity, one-line summary, the paragraph ``archctl explain``
prints); ``archctl/codes/__init__.py`` turns them into the typed registry.
"""

from __future__ import annotations

from archctl.diagnostics import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

ROWS: tuple[tuple[str, str, Severity, str, str], ...] = (
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
)
