"""Task timing of spec-format.md: attempt durations, failures, deadlines, retries and backoff.

A task execution is resolved in one go when its token arrives: every attempt's duration and
outcome is drawn up front and the engine schedules a single event at the end of the last
attempt. Attempts of one task never depend on other tokens, so this gives the same behaviour as
scheduling each attempt separately, with one heap operation instead of many.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from archctl.model.workflow import Distribution, Node
from archctl.simulate.keyed import Source

Sampler = Callable[[Source], float]

# Attempt outcomes as recorded in events.
OK, FAILED, TIMEOUT = "ok", "failed", "timeout"


def sampler(dist: Distribution) -> Sampler:
    """A function drawing one attempt duration (ms, never negative) from ``dist``."""
    if dist.kind == "fixed":
        value = max(0.0, dist.value)
        return lambda rng: value
    if dist.kind == "uniform":
        low, span = dist.low, dist.high - dist.low
        return lambda rng: low + span * rng.random()
    if dist.kind == "exponential":
        if dist.mean <= 0:
            return lambda rng: 0.0
        rate = 1.0 / dist.mean
        return lambda rng: rng.expovariate(rate)
    if dist.kind == "normal":
        mean, sd = dist.mean, dist.stddev
        return lambda rng: max(0.0, rng.normalvariate(mean, sd))  # stateless, unlike gauss
    # lognormal: the given mean and stddev are those of the duration itself.
    if dist.mean <= 0:
        return lambda rng: 0.0
    sigma2 = math.log(1.0 + (dist.stddev / dist.mean) ** 2)
    mu = math.log(dist.mean) - sigma2 / 2.0
    sigma = math.sqrt(sigma2)
    return lambda rng: rng.lognormvariate(mu, sigma)


@dataclass(frozen=True)
class Timing:
    """The compiled timing of one task: sampler, failure chance, deadline, waits between tries.

    ``delays[n-1]`` is the wait after the n-th failed attempt; ``len(delays) + 1`` attempts.
    ``sample`` is None for a task without ``duration`` (zero duration: documented).
    """

    sample: Sampler | None
    failure_rate: float
    deadline: float
    delays: tuple[float, ...]
    #: what ``sample`` draws from, for the cohort engine's array version (``vectors.py``)
    dist: Distribution | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1


def compile_timing(node: Node) -> Timing:
    retry = node.retry
    attempts = max(1, retry.max_attempts) if retry is not None else 1
    delays = tuple(float(retry.delay_after(n)) for n in range(1, attempts)) if retry else ()
    deadline = math.inf if node.deadline_ms is None else float(node.deadline_ms)
    sample = sampler(node.duration) if node.duration is not None else None
    return Timing(sample, node.failure_rate, deadline, delays, node.duration)


#: One recorded attempt: (start time, attempt number, outcome, duration).
Attempt = tuple[float, int, str, float]


def run_task(
    timing: Timing,
    rng: Source,
    start: float,
    counts: list[int],
    log: list[Attempt] | None,
) -> tuple[float, bool]:
    """Draw every attempt of one execution from ``start``; return (end time, succeeded).

    ``counts`` is the node's [attempts, failures, timeouts] and is updated in place. The
    duration is drawn first, then (with a ``failure_rate``) the failure draw, always, so that
    every attempt takes the same number of draws from ``rng`` (the task's TIMING stream) and
    the cohort engine can compute attempt n's draws without running attempts 1..n-1. An
    attempt longer than the deadline times out at the deadline (its failure draw unused),
    otherwise it fails with probability ``failure_rate``.
    """
    sample, rate, deadline, delays = (
        timing.sample,
        timing.failure_rate,
        timing.deadline,
        timing.delays,
    )
    now = start
    attempt = 0
    while True:
        attempt += 1
        counts[0] += 1
        took = sample(rng) if sample is not None else 0.0
        failing = rate and rng.random() < rate
        if took > deadline:
            took = deadline
            counts[2] += 1
            outcome = TIMEOUT
        elif failing:
            counts[1] += 1
            outcome = FAILED
        else:
            if log is not None:
                log.append((now, attempt, OK, took))
            return now + took, True
        if log is not None:
            log.append((now, attempt, outcome, took))
        now += took
        if attempt > len(delays):
            return now, False
        now += delays[attempt - 1]
