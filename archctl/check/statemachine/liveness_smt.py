"""Liveness properties (SM203) of machines whose data cannot be enumerated: Z3.

Two arguments, tried in this order, and an honest SM901 when neither settles the property:

1. **Fair lasso, bounded** (refutation). The transition relation is unrolled depth by depth,
   every frame avoiding the goal (for ``leads_to``: from a trigger frame on), and the last
   frame either *stops* (final, deadlocked, or only ``fair: false`` inputs enabled) or
   equals an earlier frame, closing a loop. The fairness constraint is part of the query
   (weak: a fair transition enabled in every frame of the loop is taken in it; strong:
   enabled in some frame of it), so a model is a fair lasso: SM203, shortest first.
2. **Universal ranking function** (proof). If in every reachable configuration where the
   goal does not hold the run cannot stop, and every enabled transition either reaches the
   goal or lowers a linear ranking function that is >= 0 there, then every run (fair or
   not) reaches the goal. Synthesised and verified like :mod:`ranking` (CEGIS; Z3 over the
   domain, then bounded model checking and Spacer over the reachable configurations).

A run that avoids the goal forever without repeating a configuration (a counter growing
without bound) is neither a lasso nor excluded by a ranking function: SM901 says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import z3

from archctl import codes
from archctl.check.smt import Compiler, Outcome, from_z3, new_solver, solve
from archctl.check.statemachine.evidence import Findings, Step
from archctl.check.statemachine.ranking import RankingSearch
from archctl.check.statemachine.symbolic import Encoding, Reach
from archctl.evidence import Lasso
from archctl.model.expr import Expr
from archctl.model.statemachine import Property, Transition

#: longest lasso (prefix and loop together) searched for
LASSO_DEPTH = 12
ENGINE = "universal ranking function (Z3, with Spacer invariants)"


def check_liveness_symbolic(reach: Reach, findings: Findings) -> None:
    for prop in findings.machine.properties:
        if prop.is_liveness:
            _decide(reach, prop, findings)
    findings.detail = None


def _decide(reach: Reach, prop: Property, findings: Findings) -> None:
    machine = reach.encoding.machine
    found = bounded_lasso(reach.encoding, prop, machine.fairness, reach.timeout_ms)
    if isinstance(found, tuple):
        steps, loop_at = found
        prefix, loop = findings.trace(steps[: loop_at + 1]), findings.trace(steps[loop_at + 1 :])
        assert prefix is not None and loop is not None
        findings.detail = "fair lasso found by bounded model checking (Z3)"
        findings.liveness_violated(prop, Lasso(machine.fairness, prefix.steps, loop.steps))
        return
    goal = prop.target if prop.target is not None else prop.condition
    assert goal is not None
    search = UniversalRanking(reach, goal)
    ranked = search.run([])
    if ranked.functions:
        functions = "; ".join(f"{s}: {f}" for s, f in sorted(ranked.functions.items()))
        findings.proof(
            codes.SM203, prop.name, ENGINE, f"outside the goal every step lowers {functions}"
        )
        return
    tried = [found or f"no fair lasso of at most {LASSO_DEPTH} steps", ranked.reason]
    if search.unsupported:
        tried.append(search.unsupported)
    findings.detail = "symbolic engine (Z3): bounded fair lassos and ranking functions"
    findings.inconclusive(
        prop.name, f"liveness property '{prop.name}'", prop.span, "tried " + "; ".join(tried)
    )


class UniversalRanking(RankingSearch):
    """Every step outside the goal lowers the ranking function, or waits for a fair one.

    The rule (a weak-fairness "helpful transition" argument, Manna and Pnueli): each state
    ``s`` may name one fair transition ``h_s``. Outside the goal the run cannot stop, and
    every enabled step reaches the goal, lowers ``R`` from ``R >= 0`` by at least 1, or
    (only when ``h_s`` is named) stays in ``s`` without raising ``R`` and leaves ``h_s``
    enabled; ``h_s`` itself is enabled and reaches the goal or lowers ``R``. A run avoiding
    the goal forever would lower ``R`` finitely often and then stay in one state with
    ``h_s`` enabled all along, so weak (and strong) fairness takes ``h_s``: contradiction.
    Under ``fairness: none`` no helpful transition may be named.
    """

    minimal = True  # one function per state plus the helpers: small candidates generalise

    def __init__(self, reach: Reach, goal: Expr) -> None:
        self.goal = goal
        self.unsupported = ""
        machine = reach.encoding.machine
        self.fair_only = machine.fairness != "none"
        super().__init__(reach, [s.name for s in machine.states], set(), reach.timeout_ms)
        self.helpers = {s: z3.Int(f"helpful!{s}", self.ctx) for s in self.region}

    def usable(self, transition: Transition, exits: set[str]) -> bool:
        if any(a.value is None for a in transition.action):
            self.unsupported = (
                f"'{transition.label}' chooses a value (`any`), which a universal ranking "
                "function would have to handle for every choice"
            )
        return True

    def unknowns(self) -> list[Any]:
        return [*super().unknowns(), *self.helpers.values()]

    def unknown_bounds(self) -> list[Any]:
        out = []
        for state, helper in self.helpers.items():
            count = len(self._fair(state)) if self.fair_only else 0
            out.append(z3.And(helper >= 0, helper <= count))
        return out

    def _fair(self, state: str) -> list[Any]:
        return [m for m in self.moves[state] if m.transition.fair]

    def holds(self, state: str, env: Mapping[str, Any]) -> Any:
        index = self.encoding.index[state]
        return Compiler({**env, "state": z3.IntVal(index, self.ctx)}, self.ctx).expr(self.goal)

    def progress(self, state: str, model: Any = None) -> Any:
        if self.unsupported:
            return z3.BoolVal(False, self.ctx)
        now = self.rank(state, self.env, model)
        helper = self.helpers[state]
        if model is not None:
            helper = model.eval(helper, model_completion=True)
        fair = self._fair(state)

        def good(move: Any) -> Any:
            target = move.transition.target
            later = self.rank(target, move.after, model)
            return z3.Or(self.holds(target, move.after), z3.And(now >= 0, later <= now - 1))

        steps = []
        for move in self.moves[state]:
            options = [good(move)]
            if move.transition.target == state:
                later = self.rank(state, move.after, model)
                pairs = [(var.term, move.after[var.name]) for var in self.frame]
                stays = [
                    z3.And(helper == i + 1, z3.substitute(h.enabled, *pairs))
                    for i, h in enumerate(fair)
                ]
                options.append(
                    z3.And(later <= now, z3.Or(*stays) if stays else z3.BoolVal(False, self.ctx))
                )
            steps.append(z3.Implies(move.enabled, z3.Or(*options)))
        helpful = [z3.And(helper == i + 1, h.enabled, good(h)) for i, h in enumerate(fair)]
        final = state in self.encoding.machine.final
        moving = (
            z3.BoolVal(False, self.ctx) if final or not fair else z3.Or(*[m.enabled for m in fair])
        )
        waits = z3.Or(helper == 0, *helpful)
        return z3.Or(self.holds(state, self.env), z3.And(moving, waits, *steps))

    def describe(self, state: str, model: Any) -> str:
        """The function, and the helpful transition fairness takes, if one was named."""
        text = super().describe(state, model)
        chosen = model.eval(self.helpers[state], model_completion=True).as_long()
        if chosen > 0:
            transition = self._fair(state)[chosen - 1].transition
            text += f" (or stays while fair '{transition.event or transition.label}' is enabled)"
        return text


def bounded_lasso(
    encoding: Encoding, prop: Property, fairness: str, timeout_ms: int
) -> tuple[list[Step], int] | str | None:
    """The shortest fair lasso avoiding the goal: its steps and where the loop starts (the
    last step when the run stops there); a reason string when Z3 gave up."""
    return _LassoSearch(encoding, prop, fairness, timeout_ms).run()


class _LassoSearch:
    def __init__(self, encoding: Encoding, prop: Property, fairness: str, timeout_ms: int):
        self.encoding = encoding
        self.machine = encoding.machine
        self.prop = prop
        self.fairness = fairness
        self.ctx = encoding.ctx
        self.solver = new_solver(timeout_ms, self.ctx)
        self.frames: list[dict[str, Any]] = []
        self.first: list[Any] = []
        self.pcs: list[Any] = []
        self.taken: list[Any] = []
        self.enabled: list[list[Any]] = []  # per frame, per transition (fresh choices: exists)
        self.armed: list[Any] = []
        self.loop = z3.Int("lasso!loop", self.ctx)

    def _frame(self) -> None:
        k = len(self.frames)
        frame = self.encoding.frame(f"@lasso{k}")
        if k == 0:
            self.first = frame
        env = {var.name: var.term for var in frame}
        pc = z3.Int(f"lasso!pc@{k}", self.ctx)
        self.frames.append(env)
        self.pcs.append(pc)
        self.taken.append(z3.Int(f"lasso!taken@{k}", self.ctx))
        self.solver.add(*self.encoding.in_domain(frame), pc >= 0, pc < len(self.machine.states))
        enabled = []
        for transition in self.machine.transitions:
            fires, effect = self.encoding.fires(transition, env)
            if effect.fresh:
                fires = z3.Exists(effect.fresh, fires)
            enabled.append(z3.And(pc == self.encoding.index[transition.source], fires))
        self.enabled.append(enabled)
        state_env = {**env, "state": pc}
        assert self.prop.condition is not None
        if self.prop.target is None:  # eventually: the whole run avoids the goal
            self.armed.append(z3.BoolVal(True, self.ctx))
            self.solver.add(z3.Not(Compiler(state_env, self.ctx).expr(self.prop.condition)))
        else:
            avoid = z3.Not(Compiler(state_env, self.ctx).expr(self.prop.target))
            trigger = z3.And(Compiler(state_env, self.ctx).expr(self.prop.condition), avoid)
            armed = z3.Bool(f"lasso!armed@{k}", self.ctx)
            before = self.armed[-1] if self.armed else z3.BoolVal(False, self.ctx)
            self.solver.add(armed == z3.Or(before, trigger), z3.Implies(armed, avoid))
            self.armed.append(armed)

    def _step(self, k: int) -> None:
        """Frame k+1 follows frame k by one transition."""
        pcs = self.pcs
        step = self.encoding.step(
            self.frames[k], self.frames[k + 1], pcs[k], pcs[k + 1], self.taken[k + 1]
        )
        self.solver.add(step)

    def run(self) -> tuple[list[Step], int] | str | None:
        self._frame()
        initial = self.encoding.initial(self.first)
        self.solver.add(self.pcs[0] == self.encoding.index[self.machine.initial], *initial)
        unknown = ""
        for k in range(LASSO_DEPTH + 1):
            if k > 0:
                self._frame()
                self._step(k - 1)
            for stops, closing in ((True, self._stops(k)), (False, self._closes(k))):
                if closing is None:
                    continue
                self.solver.push()
                self.solver.add(closing)
                outcome = solve(self.solver)
                if outcome is Outcome.SAT:
                    lasso = self._lasso(self.solver.model(), k, stops)
                    self.solver.pop()
                    return lasso
                if outcome is Outcome.UNKNOWN:
                    unknown = f"the solver answered unknown on lassos of {k} steps"
                self.solver.pop()
        return unknown or None

    def _stops(self, k: int) -> Any:
        pc = self.pcs[k]
        final = [pc == self.encoding.index[name] for name in self.machine.final]
        fair = [e for e, t in zip(self.enabled[k], self.machine.transitions, strict=True) if t.fair]
        waiting = z3.Not(z3.Or(*fair)) if fair else z3.BoolVal(True, self.ctx)
        return z3.And(self.armed[k], z3.Or(*final, waiting))

    def _closes(self, k: int) -> Any:
        if k == 0:
            return None
        loop = self.loop
        same = []
        for j in range(k):
            equal = [self.frames[j][n] == self.frames[k][n] for n in self.frames[k]]
            same.append(z3.And(loop == j, self.pcs[j] == self.pcs[k], *equal, self.armed[j]))
        parts = [z3.Or(*same), *self._fair(k)]
        return z3.And(*parts)

    def _fair(self, k: int) -> list[Any]:
        if self.fairness == "none":
            return []
        out = []
        inside = [self.loop <= i for i in range(k)]
        for number, transition in enumerate(self.machine.transitions):
            if not transition.fair:
                continue
            taken = z3.Or(*[z3.And(inside[i], self.taken[i + 1] == number) for i in range(k)])
            if self.fairness == "weak":
                demanded = z3.And(
                    *[z3.Implies(inside[i], self.enabled[i][number]) for i in range(k)]
                )
            else:
                demanded = z3.Or(*[z3.And(inside[i], self.enabled[i][number]) for i in range(k)])
            out.append(z3.Implies(demanded, taken))
        return out

    def _lasso(self, model: Any, k: int, stops: bool) -> tuple[list[Step], int]:
        steps = []
        types = {v.name: v.type for v in self.machine.variables}
        for i in range(k + 1):
            state = self.machine.states[model.eval(self.pcs[i], model_completion=True).as_long()]
            values = {n: from_z3(model.eval(t, True), types[n]) for n, t in self.frames[i].items()}
            via = None
            if i > 0:
                via = self.machine.transitions[model.eval(self.taken[i], True).as_long()]
            steps.append(Step(state.name, values, via))
        loop_at = k if stops else model.eval(self.loop, model_completion=True).as_long()
        return steps, loop_at
