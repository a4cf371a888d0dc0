"""Benchmark: plugin graphs at scale, side by side with the peers a user would pick.

1. A generated set of 100,000 plugins / 400,000 dependencies: parse (decode + libyaml
   compose + model) and analysis (the one pass that both `verify` and `plan` run) timed
   separately.
2. Cycle detection on that graph (with 50 back edges added, so there are cycles to find):
   archctl's find_cycles (SCCs + shortest cycle through each smallest member) against bare
   networkx (DiGraph + strongly_connected_components) on the same edges, same process.
3. The Debian bookworm main index converted on the fly into a plugin set (a real graph).
4. Resolution of a registry of 1,000 plugins x 10 versions that needs backtracking, against
   resolvelib (pip's resolver) on the same problem; both selections are validated.

    python bench/bench_plugins.py                      # everything (about a minute)
    python bench/bench_plugins.py --plugins 20000 --dependencies 80000 --skip-debian
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plugins_inputs import debian_plugins, generated_plugins, registry  # noqa: E402

from archctl.check.plugins.graph import edges_of_selection, find_cycles  # noqa: E402
from archctl.check.plugins.index import build_index  # noqa: E402
from archctl.check.plugins.plan import analyse  # noqa: E402
from archctl.check.plugins.resolve import resolve  # noqa: E402
from archctl.gcpause import gc_paused  # noqa: E402
from archctl.load.loader import load_file  # noqa: E402
from archctl.load.yaml.source import compose  # noqa: E402
from archctl.model.plugins import PluginSet  # noqa: E402
from archctl.source import SourceFile  # noqa: E402

DEBIAN = ROOT.parent / "shared" / "corpus" / "deps" / "debian" / "bookworm_main_amd64_Packages.xz"


@dataclass(frozen=True)
class Timing:
    """CPU seconds of this process (robust on a shared machine) and wall seconds."""

    cpu: float
    wall: float

    def __str__(self) -> str:
        return f"{self.cpu:.2f} ({self.wall:.2f})"

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.cpu + other.cpu, self.wall + other.wall)

    def __sub__(self, other: Timing) -> Timing:
        return Timing(self.cpu - other.cpu, self.wall - other.wall)


def timed(work: Callable[[], Any]) -> tuple[Timing, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return Timing(time.process_time() - cpu, time.perf_counter() - wall), result


def load_spec(path: Path) -> tuple[Timing, Timing, PluginSet]:
    """(compose seconds, whole-load seconds, the plugin set)."""
    text = path.read_text(encoding="utf-8")
    # compose as the loader runs it: with the garbage collector paused (archctl/gcpause.py)
    with gc_paused():
        compose_s, _ = timed(lambda: compose(SourceFile(str(path), text)))
    load_s, loaded = timed(lambda: load_file(str(path)))
    errors = [d for d in loaded.diagnostics if d.severity.value == "error"]
    assert not errors, errors[:3]
    (spec,) = loaded.specs
    return compose_s, load_s, spec


def bench_generated(folder: Path, plugins: int, dependencies: int) -> PluginSet:
    path = folder / "generated.yaml"
    path.write_text(generated_plugins(plugins, dependencies), encoding="utf-8")
    size = path.stat().st_size / 1e6
    compose_s, load_s, spec = load_spec(path)
    analysis_s, plan = timed(lambda: analyse(spec))
    assert not plan.diagnostics and plan.stages is not None, plan.diagnostics[:3]
    print(f"\n### Generated: {plugins:,} plugins, {dependencies:,} dependencies ({size:.1f} MB)\n")
    print("| phase | CPU s (wall s) |")
    print("| --- | ---: |")
    print(f"| parse: libyaml compose (CSafeLoader, with marks) | {compose_s} |")
    print(f"| parse: model building (spans, versions, constraints) | {load_s - compose_s} |")
    print(
        f"| analysis: PL101-PL105 + selection + cycles + {len(plan.stages)} load stages "
        f"(the one pass `verify` and `plan` run) | {analysis_s} |"
    )
    print(f"| **load + verify + plan** | **{load_s + analysis_s}** |")
    return spec


def bench_cycles(spec: PluginSet, rounds: int = 3) -> None:
    import networkx as nx

    index = build_index(spec)
    selected = resolve(index, 10_000).selected
    assert selected is not None
    edges = edges_of_selection(index, selected)
    rng = random.Random(3)
    names = sorted(edges, key=lambda name: int(name[1:]))
    closing = _any_requirement(spec)  # any entry will do as the span of a made-up edge
    for _ in range(50):  # back edges: a low index requires a high index -> cycles
        low, high = sorted(rng.sample(range(len(names)), 2))
        edges[names[low]] = {**edges[names[low]], names[high]: closing}

    def bare() -> int:
        graph = nx.DiGraph()
        graph.add_nodes_from(edges)
        graph.add_edges_from((name, dep) for name, needs in edges.items() for dep in needs)
        return sum(1 for c in nx.strongly_connected_components(graph) if len(c) > 1)

    ours_s, bare_s = [], []
    for _ in range(rounds):
        seconds, cycles = timed(lambda: find_cycles(edges))
        ours_s.append(seconds.cpu)
        seconds, components = timed(bare)
        bare_s.append(seconds.cpu)
    assert len(cycles) == components
    ours, peer = statistics.median(ours_s), statistics.median(bare_s)
    count = sum(len(needs) for needs in edges.values())
    print(
        f"\n### Cycle detection: {len(edges):,} nodes, {count:,} edges, {components} cyclic SCCs\n"
    )
    print("| tool | median of 3 (CPU s) | ratio |")
    print("| --- | ---: | ---: |")
    print(f"| networkx: DiGraph + strongly_connected_components | {peer:.2f} | 1.00 |")
    print(f"| archctl find_cycles (SCCs + shortest cycle each) | {ours:.2f} | {ours / peer:.2f} |")


def _any_requirement(spec: PluginSet) -> Any:
    for plugin in spec.plugins:
        for version in plugin.versions:
            if version.requires:
                return version.requires[0]
    raise AssertionError("no requirement at all")


def bench_debian(folder: Path) -> None:
    convert_s, (text, stats) = timed(lambda: debian_plugins(DEBIAN))
    path = folder / "debian.yaml"
    path.write_text(text, encoding="utf-8")
    compose_s, load_s, spec = load_spec(path)
    analyse_s, plan = timed(lambda: analyse(spec))
    codes: dict[str, int] = {}
    for finding in plan.diagnostics:
        codes[finding.code] = codes.get(finding.code, 0) + 1
    largest = max((len(d.evidence.path) for d in plan.diagnostics if d.code == "PL102"), default=0)
    print(
        f"\n### Debian bookworm main as a plugin set ({stats['packages']:,} packages, "
        f"{stats['dependencies']:,} dependencies, {path.stat().st_size / 1e6:.1f} MB)\n"
    )
    print("| phase | CPU s (wall s) |")
    print("| --- | ---: |")
    print(f"| convert Packages.xz (not archctl) | {convert_s} |")
    print(f"| parse: libyaml compose | {compose_s} |")
    print(f"| parse: model building | {load_s - compose_s} |")
    print(f"| analysis (verify/plan pass) | {analyse_s} |")
    listing = ", ".join(f"{code}: {count:,}" for code, count in sorted(codes.items()))
    print(
        f"\nfindings: {listing or 'none'}; virtual dependencies mapped to a provider: "
        f"{stats['virtual']:,}; longest reported cycle: {largest} packages"
    )


def bench_registry(folder: Path, scenarios: list[tuple[int, int, int]], cap: float) -> None:
    """Each scenario: (plugins, versions, pins); resolvelib runs in a subprocess capped at
    ``cap`` seconds, since its backtracking can run away on capped registries."""
    import subprocess

    import resolvelib
    from resolvelib_peer import skipped, valid

    print(f"\n### Resolution of registries: archctl vs resolvelib {resolvelib.__version__}\n")
    print(
        "| plugins x versions | pins | resolvelib CPU s | archctl CPU s (wall) | ratio "
        "| newer versions skipped: resolvelib / archctl |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for plugins, versions, pins in scenarios:
        text, data, roots = registry(plugins, versions, pins)
        path = folder / "registry.yaml"
        path.write_text(text, encoding="utf-8")
        _, _, spec = load_spec(path)
        ours_s, resolution = timed(lambda: resolve(build_index(spec), 600_000))  # noqa: B023
        assert resolution.selected is not None, resolution.diagnostics
        index = build_index(spec)
        ours = {n: index.plugins[n].versions[i].text for n, i in resolution.selected.items()}
        assert valid(data, roots, ours)
        script = str(ROOT / "bench" / "resolvelib_peer.py")
        command = [sys.executable, script, str(plugins), str(versions), str(pins)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=cap, check=True, cwd=ROOT
            )
            seconds, _, ok, theirs = done.stdout.split()
            assert ok == "True", done.stdout
            peer, ratio = f"{float(seconds):.2f}", f"{ours_s.cpu / float(seconds):.2f}"
        except subprocess.TimeoutExpired:
            peer, ratio, theirs = f"> {cap:.0f} wall (stopped)", f"< {ours_s.cpu / cap:.2f}", "-"
        print(
            f"| {plugins:,} x {versions} | {pins} | {peer} | {ours_s} | {ratio} | "
            f"{theirs} / {skipped(data, ours)} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=100_000)
    parser.add_argument("--dependencies", type=int, default=400_000)
    parser.add_argument("--registry", type=int, default=1_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--skip-debian", action="store_true")
    parser.add_argument("--peer-timeout", type=float, default=60.0)
    parser.add_argument("--skip-registry", action="store_true", help="no resolvelib runs")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = bench_generated(folder, args.plugins, args.dependencies)
        bench_cycles(spec)
        del spec
        if not args.skip_debian and DEBIAN.exists():
            bench_debian(folder)
        if args.skip_registry:
            return
        scenarios = [
            (args.registry, args.versions, 0),
            (100, args.versions, 50),
            (300, args.versions, 50),
            (args.registry, args.versions, 5),
            (args.registry, args.versions, 50),
        ]
        bench_registry(folder, scenarios, args.peer_timeout)


if __name__ == "__main__":
    main()
