"""Inputs for bench_plugins.py: a generated plugin set, the Debian index as a plugin set, and
a registry of plugins with many versions (as YAML and as plain data for resolvelib).

Everything is generated or converted on the fly into a temporary folder; the Debian index is
read where it lies (../shared/corpus/deps/debian) and never copied into the project.
"""

from __future__ import annotations

import lzma
import random
import re
from collections.abc import Iterator
from pathlib import Path

CONSTRAINTS = ["^1", ">=1.0, <2", "~1.2", "1.x", "*", "^1.1"]


def generated_plugins(plugins: int, dependencies: int, seed: int = 1) -> str:
    """A DAG of single-version plugins: plugin i requires plugins of lower index only."""
    rng = random.Random(seed)
    per = dependencies // max(1, plugins - 1)
    extra = dependencies - per * (plugins - 1)
    lines = ["kind: plugins", f"name: generated-{plugins}", "plugins:"]
    for i in range(plugins):
        want = min(i, per + (1 if i <= extra else 0))
        targets = sorted(rng.sample(range(i), want)) if want else []
        needs = ", ".join(f'p{j}: "{rng.choice(CONSTRAINTS)}"' for j in targets)
        requires = f", requires: {{{needs}}}" if needs else ""
        lines.append(f"  p{i}: {{version: 1.2.{i % 10}{requires}}}")
    return "\n".join(lines) + "\n"


def _stanzas(path: Path) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    key = ""
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line == "\n":
                if fields:
                    yield fields
                fields = {}
            elif line[0] in " \t":
                fields[key] = fields.get(key, "") + line.strip()
            else:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    if fields:
        yield fields


def _semver(debian: str) -> str:
    """Debian's ``1:2.36-9+deb12u4`` -> ``2.36.9``: epoch dropped, first three numbers."""
    upstream = debian.split(":", 1)[-1]
    numbers = [int(n) for n in re.findall(r"\d+", upstream)[:3]]
    numbers += [0] * (3 - len(numbers))
    return ".".join(str(n) for n in numbers)


def debian_plugins(path: Path) -> tuple[str, dict[str, int]]:
    """The index as a plugin set: Depends + Pre-Depends by name, first alternative only.

    A first alternative that is a virtual package resolves to its smallest provider; one
    nobody provides stays as written (and becomes a PL101 finding, as it should).
    """
    packages: dict[str, tuple[str, list[str]]] = {}
    providers: dict[str, list[str]] = {}
    for stanza in _stanzas(path):
        name = stanza.get("Package")
        if not name or name in packages:
            continue
        needs: list[str] = []
        for field in ("Pre-Depends", "Depends"):
            for clause in stanza.get(field, "").split(","):
                first = clause.split("|")[0].strip().split(" ")[0].split(":")[0]
                if first and first not in needs:
                    needs.append(first)
        packages[name] = (_semver(stanza.get("Version", "0")), needs)
        for clause in stanza.get("Provides", "").split(","):
            virtual = clause.strip().split(" ")[0]
            if virtual:
                providers.setdefault(virtual, []).append(name)
    lines = ["kind: plugins", "name: debian-bookworm-main", "plugins:"]
    stats = {"packages": len(packages), "dependencies": 0, "virtual": 0}
    for name in sorted(packages):
        version, needs = packages[name]
        resolved = []
        for need in needs:
            if need not in packages and need in providers:
                need = min(providers[need])
                stats["virtual"] += 1
            if need not in resolved:
                resolved.append(need)
        stats["dependencies"] += len(resolved)
        requires = f", requires: [{', '.join(resolved)}]" if resolved else ""
        lines.append(f"  {name}: {{version: {version}{requires}}}")
    return "\n".join(lines) + "\n", stats


#: (plugin, version text) -> [(target, constraint)]
Registry = dict[tuple[str, str], list[tuple[str, str]]]


def registry(
    plugins: int, versions: int, pins: int = 50, seed: int = 2
) -> tuple[str, Registry, list[str]]:
    """Plugins with ``versions`` releases each; newer releases need newer dependencies, and
    a `pin` plugin caps ``pins`` of them, so newest-everywhere fails and the resolver must
    backtrack (with no pins, newest-everywhere works). Every oldest release satisfies
    everything, so a solution always exists."""
    rng = random.Random(seed)
    data: Registry = {}
    lines = ["kind: plugins", f"name: registry-{plugins}x{versions}", "plugins:"]
    for i in range(plugins):
        targets = sorted(rng.sample(range(i), min(i, 3)))
        lines.append(f"  r{i}:")
        lines.append("    versions:")
        for k in range(versions):
            needs = [(f"r{j}", f">=1.{max(0, k - rng.randint(1, 4))}.0, <2") for j in targets]
            data[(f"r{i}", f"1.{k}.0")] = needs
            body = ", ".join(f'{t}: "{c}"' for t, c in needs)
            lines.append(
                f"      1.{k}.0: {{requires: {{{body}}}}}" if needs else f"      1.{k}.0: {{}}"
            )
    capped = sorted(rng.sample(range(plugins), min(pins, plugins)))
    pins = [(f"r{j}", f"<1.{rng.randint(2, versions - 2)}.0") for j in capped]
    data[("pin", "1.0.0")] = pins
    body = ", ".join(f'{t}: "{c}"' for t, c in pins)
    requires = f", requires: {{{body}}}" if pins else ""
    lines.append(f"  pin: {{version: 1.0.0{requires}}}")
    roots = ["pin", *(f"r{i}" for i in range(max(0, plugins - 20), plugins))]
    lines.append(f"install: [{', '.join(roots)}]")
    return "\n".join(lines) + "\n", data, roots
