"""Differential test: archctl's net soundness (bitset search after exact reductions) against an
independent brute force over marking dictionaries, on seeded random workflow nets, free-choice
or not. For safe nets the deadlock, option-to-complete and dead-transition verdicts must agree
exactly; whether the net is safe must always agree."""

from __future__ import annotations

import random
import time
from collections import Counter, deque

from archctl.check import CheckContext, CheckOptions
from archctl.check.petrinet.checker import check
from archctl.check.petrinet.explore import compile_net
from archctl.check.petrinet.reduce import reduce_net
from archctl.load.pnml.frontend import load_pnml_text
from archctl.model.petrinet import PetriNet

SEED = 20261204
BUDGET_S = 3.0
NETS = 400


def random_net(rng: random.Random) -> str:
    places = rng.randint(3, 8)
    transitions = rng.randint(2, 7)
    sinks = rng.randint(1, 2)
    inner = list(range(1, places - sinks))
    ends = list(range(places - sinks, places))
    arcs: set[tuple[str, str]] = set()
    for t in range(transitions):
        for p in rng.sample([0, *inner], k=min(len(inner) + 1, rng.choice([1, 1, 2]))):
            arcs.add((f"p{p}", f"t{t}"))
        for p in rng.sample(inner + ends, k=min(len(inner) + sinks, rng.choice([1, 1, 2]))):
            arcs.add((f"t{t}", f"p{p}"))
    names = [f"p{p}" for p in range(places)]
    steps = [f"t{t}" for t in range(transitions)]
    for p in inner:
        # the shapes the reductions remove: a sequence step before p, a twin of p
        if rng.random() < 0.3:
            into = {(s, d) for s, d in arcs if d == f"p{p}"}
            arcs = (arcs - into) | {(s, f"p{p}in") for s, _ in into}
            arcs |= {(f"p{p}in", f"s{p}"), (f"s{p}", f"p{p}")}
            names.append(f"p{p}in")
            steps.append(f"s{p}")
        if rng.random() < 0.2:
            arcs |= {(s, f"p{p}twin") for s, d in arcs if d == f"p{p}"}
            arcs |= {(f"p{p}twin", d) for s, d in arcs if s == f"p{p}"}
            names.append(f"p{p}twin")
    body = "".join(f'<place id="{p}"/>' for p in names)
    body += "".join(f'<transition id="{t}"/>' for t in steps)
    body += "".join(
        f'<arc id="a{i}" source="{s}" target="{d}"/>' for i, (s, d) in enumerate(sorted(arcs))
    )
    return f'<pnml><net id="r" type="ptnet"><page id="g">{body}</page></net></pnml>'


def oracle(net: PetriNet) -> tuple[bool, bool, bool, set[str]]:
    """(unsafe, some deadlock, some livelock, dead transitions) by plain BFS over dicts."""
    pre = {t.id: [a.source for a in net.arcs if a.target == t.id] for t in net.transitions}
    post = {t.id: [a.target for a in net.arcs if a.source == t.id] for t in net.transitions}
    start = frozenset({net.source: 1}.items())
    seen = {start}
    edges: dict[frozenset[tuple[str, int]], list[frozenset[tuple[str, int]]]] = {}
    fired: set[str] = set()
    queue = deque([start])
    while queue:
        state = queue.popleft()
        marking = Counter(dict(state))
        edges[state] = []
        for t in sorted(pre):
            if all(marking[p] >= 1 for p in pre[t]):
                after = Counter(marking)
                after.subtract(pre[t])
                after.update(post[t])
                if any(count > 1 for count in after.values()):
                    return True, False, False, set()
                fired.add(t)
                nxt = frozenset((p, c) for p, c in after.items() if c)
                edges[state].append(nxt)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    sinks = set(net.sinks)
    final = {s for s in seen if all(p in sinks for p, _ in s)}
    dead = {s for s in seen if not edges[s] and s not in final}
    good = set(final) | dead
    changed = True
    while changed:
        changed = False
        for state in seen:
            if state not in good and any(n in good for n in edges[state]):
                good.add(state)
                changed = True
    names = {t.id for t in net.transitions}
    return False, bool(dead), len(good) < len(seen), names - fired


def test_soundness_agrees_with_brute_force_on_random_nets() -> None:
    rng = random.Random(SEED)
    compared = unsafe = unsound = reduced = 0
    started = time.monotonic()
    while compared < NETS and time.monotonic() - started < BUDGET_S:
        result = load_pnml_text("r.pnml", random_net(rng))
        if result.diagnostics:
            continue  # not a workflow net
        (net,) = result.specs
        assert isinstance(net, PetriNet)
        found = check(net, CheckContext([net], CheckOptions(max_states=100_000)))
        codes = {d.code for d in found}
        expected_unsafe, deadlock, livelock, dead = oracle(net)
        assert ("WF105" in codes) == expected_unsafe, net
        if not expected_unsafe:
            assert ("WF103" in codes) == deadlock, net
            assert ("WF104" in codes) == livelock, net
            assert {d.subject for d in found if d.code == "WF106"} == dead, net
        compared += 1
        compiled = compile_net(net)
        reduced += reduce_net(compiled, weighted=False).net.pre != compiled.pre
        unsafe += expected_unsafe
        unsound += bool(codes)
    # the generator must exercise both verdicts, and enough nets to mean something
    assert compared >= 100 and 0 < unsound < compared and unsafe > 0 and reduced > 0
