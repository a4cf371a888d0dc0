"""PL105: one finding per declared `conflicts` entry that a minimal unsat core needs.

The resolver encodes a conflict once per candidate version that carries it, so a
plugin-level entry of a plugin with three versions is three facts; the user wrote one
line, and gets one finding, pointing at that line.

What the wording may claim follows from the core being minimal. Write N for its other
facts (roots, requirements) and C for its conflict facts. N with C is unsatisfiable and N
alone is not, so every selection that meets N breaks some fact of C. When all of C comes
from one declared entry (plugin P conflicts with Q in range R), that means every such
selection holds P at a version carrying the entry and Q at a version R allows: "both must
be selected" is proved. When C spans several entries, only "at least one of them is
broken" is, and the message says that, naming the others.
"""

from __future__ import annotations

from archctl import codes
from archctl.check.plugins.facts import Fact, chain
from archctl.check.plugins.index import PluginIndex
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.evidence import Explanation
from archctl.source import Span


def conflict_findings(index: PluginIndex, facts: list[Fact], core: list[int]) -> list[Diagnostic]:
    """PL105 per declared conflict entry among the core's facts, in the order of the core."""
    entries: dict[Span, Fact] = {}
    for position in core:
        fact = facts[position]
        if fact.kind == "conflict":
            entries.setdefault(fact.span, fact)  # the entry, whichever version carries it
    sentences = chain(index, [facts[n] for n in core])[:-1]
    described = {span: _declared(index, fact) for span, fact in entries.items()}
    out = []
    for span, fact in entries.items():
        assert fact.requirement is not None
        others = [text for other, text in described.items() if other != span]
        if others:
            claim = (
                "and every selection these requirements allow breaks this conflict or "
                + ("another one (" if len(others) == 1 else "one of the others (")
                + "; ".join(others)
                + ")"
            )
        else:
            claim = "but both must be selected"
        out.append(
            Diagnostic(
                codes.PL105,
                default_severity(codes.PL105),
                f"{described[span]}, {claim}: " + "; ".join(sentences),
                span,
                spec=index.spec.name,
                subject=fact.plugin,
                evidence=Explanation(tuple(sentences)),
                help="drop one of them from the install roots, or the requirement that needs it",
            )
        )
    return out


def _declared(index: PluginIndex, fact: Fact) -> str:
    """``audit conflicts with legacy-audit '<2'``, naming the version when the entry is
    declared under one version of a plugin that has several."""
    requirement = fact.requirement
    assert requirement is not None and fact.source is not None
    versions = index.plugins[fact.plugin].versions
    carriers = [v for v in versions if requirement in v.conflicts]
    who = index.label(fact.source) if len(versions) > 1 and len(carriers) == 1 else fact.plugin
    return f"{who} conflicts with {requirement.name} '{requirement.constraint}'"
