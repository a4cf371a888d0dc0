"""A plugin spec's findings are a function of that spec alone (issue 13, item 4).

Explanations come from Z3 unsat cores, and which of several minimal cores z3 returns
depends on its state; when every spec shared z3's global context, the same file checked
alone and checked after others got different PL104/PL105 chains. Here each file is
verified alone, then all in one run, forwards and backwards, and every finding must be the
same bytes. The random registries are dense enough that most have no selection and several
minimal cores (seeded; the old shared context changed 18 of 20 such explanations).
"""

from __future__ import annotations

import random
from pathlib import Path

from archctl.diagnostics import Diagnostic
from archctl.verify import verify_paths
from tests.conftest import CASES

NAMES = [f"q{n}" for n in range(10)]


def registry(rng: random.Random, number: int) -> str:
    lines = ["kind: plugins", f"name: dense-{number}", "plugins:"]
    for name in NAMES:
        lines += [f"  {name}:", "    versions:"]
        others = [other for other in NAMES if other != name]
        for version in ["1.0.0", "1.1.0", "2.0.0", "2.1.0"]:
            needs = {t: rng.choice(["^1", "^2", ">=1.1", "<2"]) for t in rng.sample(others, 3)}
            parts = ["requires: {" + ", ".join(f'{t}: "{r}"' for t, r in needs.items()) + "}"]
            if rng.random() < 0.25:
                parts.append(f'conflicts: {{{rng.choice(others)}: "{rng.choice(["^1", "^2"])}"}}')
            lines.append(f"      {version}: {{{', '.join(parts)}}}")
    lines.append(f"install: [{', '.join(rng.sample(NAMES, 4))}]")
    return "\n".join(lines) + "\n"


Key = tuple[str | None, str | None]


def by_spec(findings: list[Diagnostic]) -> dict[Key, list[tuple[object, ...]]]:
    """(file, spec) -> its findings, everything a report prints of them."""
    out: dict[Key, list[tuple[object, ...]]] = {}
    for d in findings:
        key = (d.span.file if d.span else None, d.spec)
        out.setdefault(key, []).append((d.code, d.subject, d.message, d.span, d.evidence))
    return out


def test_each_file_alone_and_in_a_batch_gives_the_same_findings(tmp_path: Path) -> None:
    rng = random.Random(2026)
    paths = []
    for number in range(12):
        path = tmp_path / f"dense-{number}.yaml"
        path.write_text(registry(rng, number), encoding="utf-8")
        paths.append(str(path))
    paths += sorted(str(p) for p in (CASES / "plugins").glob("*.yaml"))
    alone: dict[Key, list[tuple[object, ...]]] = {}
    for path in paths:
        alone.update(by_spec(verify_paths([path]).diagnostics))
    explained = [s for s, f in alone.items() if any(c[0] in ("PL104", "PL105") for c in f)]
    assert len(explained) >= 8, "the registries should mostly be unresolvable"
    assert by_spec(verify_paths(paths).diagnostics) == alone
    assert by_spec(verify_paths(paths[::-1]).diagnostics) == alone
