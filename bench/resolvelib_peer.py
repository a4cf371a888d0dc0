"""The peer for the registry benchmark: resolvelib (the resolver inside pip) on the same
registry, with the same constraint semantics (archctl's npm ranges, newest first)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from resolvelib import AbstractProvider, BaseReporter, Resolver

from archctl.load.values import parse_constraint, parse_version
from archctl.model.semver import Range, Version


class Requirement(NamedTuple):
    name: str
    spec: Range


class Candidate(NamedTuple):
    name: str
    version: Version
    text: str


class Provider(AbstractProvider):  # type: ignore[misc]
    def __init__(self, data: Mapping[tuple[str, str], list[tuple[str, str]]]) -> None:
        self.data = data
        self.versions: dict[str, list[Candidate]] = {}
        for name, text in data:
            self.versions.setdefault(name, []).append(Candidate(name, parse_version(text), text))
        for candidates in self.versions.values():
            candidates.sort(key=lambda c: c.version.key, reverse=True)
        self.specs: dict[str, Range] = {}

    def identify(self, requirement_or_candidate: Any) -> str:
        return str(requirement_or_candidate.name)

    def get_preference(
        self,
        identifier: str,
        resolutions: Any,
        candidates: Any,
        information: Any,
        backtrack_causes: Sequence[Any],
    ) -> Any:
        # pip's main heuristic: decide the most constrained names first
        return sum(1 for _ in candidates[identifier])

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        wanted = list(requirements[identifier])
        bad = {c.text for c in incompatibilities[identifier]}
        return [
            c
            for c in self.versions.get(identifier, ())
            if c.text not in bad and all(r.spec.match(c.version) for r in wanted)
        ]

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        return bool(requirement.spec.match(candidate.version))

    def get_dependencies(self, candidate: Candidate) -> Iterable[Requirement]:
        return [
            Requirement(name, self._spec(text))
            for name, text in self.data[(candidate.name, candidate.text)]
        ]

    def _spec(self, text: str) -> Range:
        found = self.specs.get(text)
        if found is None:
            found = self.specs[text] = parse_constraint(text)
        return found


def resolve_with_resolvelib(
    data: Mapping[tuple[str, str], list[tuple[str, str]]], roots: list[str]
) -> dict[str, str]:
    provider = Provider(data)
    resolver = Resolver(provider, BaseReporter())
    result = resolver.resolve(
        [Requirement(root, parse_constraint("*")) for root in roots], max_rounds=100_000
    )
    return {name: candidate.text for name, candidate in result.mapping.items()}


def valid(
    data: Mapping[tuple[str, str], list[tuple[str, str]]],
    roots: list[str],
    chosen: Mapping[str, str],
) -> bool:
    """Every root chosen, every requirement of every chosen version satisfied."""
    if any(root not in chosen for root in roots):
        return False
    for name, text in chosen.items():
        for target, constraint in data[(name, text)]:
            if target not in chosen or not parse_constraint(constraint).match(
                parse_version(chosen[target])
            ):
                return False
    return True


def main() -> None:
    """``python bench/resolvelib_peer.py PLUGINS VERSIONS PINS``: time one resolution and
    print ``cpu-seconds selected valid skipped`` (a subprocess, so the caller can cap it)."""
    import sys
    import time

    from plugins_inputs import registry

    plugins, versions, pins = (int(arg) for arg in sys.argv[1:4])
    _, data, roots = registry(plugins, versions, pins)
    start = time.process_time()
    chosen = resolve_with_resolvelib(data, roots)
    seconds = time.process_time() - start
    print(f"{seconds} {len(chosen)} {valid(data, roots, chosen)} {skipped(data, chosen)}")


def skipped(data: Mapping[tuple[str, str], Any], chosen: Mapping[str, str]) -> int:
    """How many candidates newer than the chosen one there are, summed over the selection."""
    return sum(
        1
        for (name, text) in data
        if name in chosen and parse_version(text).key > parse_version(chosen[name]).key
    )


if __name__ == "__main__":
    main()
