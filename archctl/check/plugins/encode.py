"""The resolution problem as propositional facts, written as SMT-LIB text for Z3.

One Boolean per candidate (plugin p at version index i: ``x{p}_{i}``) and at most one true
per plugin. Each fact of :mod:`archctl.check.plugins.facts` becomes one formula:

* root r:                    some candidate of r
* p@i requires q C:          x_p_i -> some candidate of q that C allows (none: not x_p_i)
* p@i optional q C:          x_p_i -> no candidate of q that C rejects
* p@i conflicts q C:         x_p_i -> no candidate of q that C allows

Why text: building these terms through z3's Python API costs tens of microseconds per call
(argument coercion, sort checks, reference counting), which made a 1,000 x 10 registry take
longer to *encode* than to solve. One ``parse_smt2_string`` of the same formulas is done in
C in milliseconds. Symbols are generated from positions, never from plugin names, so any
name is safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archctl.check.plugins.facts import Fact
from archctl.check.plugins.index import Candidate, PluginIndex


@dataclass
class Encoding:
    facts: list[Fact] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)  # one per fact
    symbols: dict[Candidate, str] = field(default_factory=dict)
    declarations: list[str] = field(default_factory=list)
    hard: list[str] = field(default_factory=list)

    def text(self, tracked: bool) -> str:
        """The whole problem; ``tracked`` guards fact n by the literal ``f{n}``."""
        lines = list(self.declarations)
        lines += [f"(assert {formula})" for formula in self.hard]
        if tracked:
            lines += [f"(declare-const f{n} Bool)" for n in range(len(self.facts))]
            lines += [f"(assert (=> f{n} {formula}))" for n, formula in enumerate(self.formulas)]
        else:
            lines += [f"(assert {formula})" for formula in self.formulas]
        return "\n".join(lines)


def encode(index: PluginIndex) -> Encoding:
    out = Encoding()
    for number, name in enumerate(index.reachable):
        count = len(index.plugins[name].versions)
        names = [f"x{number}_{i}" for i in range(count)]
        for i, symbol in enumerate(names):
            out.symbols[(name, i)] = symbol
            out.declarations.append(f"(declare-const {symbol} Bool)")
        if count > 1:
            out.hard.append(f"((_ at-most 1) {' '.join(names)})")

    def any_of(name: str, indices: Iterable[int]) -> str:
        chosen = [out.symbols[(name, i)] for i in indices]
        if not chosen:
            return "false"
        return chosen[0] if len(chosen) == 1 else f"(or {' '.join(chosen)})"

    def add(fact: Fact, formula: str) -> None:
        out.facts.append(fact)
        out.formulas.append(formula)

    spans = dict(zip(index.spec.install or (), index.spec.install_spans, strict=False))
    for root in index.roots:
        span = spans.get(root, index.plugins[root].span)
        count = len(index.plugins[root].versions)
        add(Fact(len(out.facts), "root", span, root), any_of(root, range(count)))
    for name in index.reachable:
        for i, version in enumerate(index.plugins[name].versions):
            me = out.symbols[(name, i)]
            for req in version.requires:
                allowed = index.allowed(req)
                fact = Fact(len(out.facts), "requires", req.span, name, (name, i), req, not allowed)
                add(fact, f"(=> {me} {any_of(req.name, allowed)})" if allowed else f"(not {me})")
            for req in version.optional:
                if (req.name, 0) not in out.symbols:
                    continue
                accepted = set(index.allowed(req))
                rejected = [
                    j for j in range(len(index.plugins[req.name].versions)) if j not in accepted
                ]
                if rejected:
                    fact = Fact(len(out.facts), "optional", req.span, name, (name, i), req)
                    add(fact, f"(=> {me} (not {any_of(req.name, rejected)}))")
            for req in version.conflicts:
                allowed_conflict = index.allowed(req)
                if (req.name, 0) not in out.symbols or not allowed_conflict:
                    continue
                fact = Fact(len(out.facts), "conflict", req.span, name, (name, i), req)
                add(fact, f"(=> {me} (not {any_of(req.name, allowed_conflict)}))")
    return out
