"""Duration distributions and the retry/deadline rules of one task execution."""

from __future__ import annotations

import math
import random
import statistics

from archctl.model.workflow import Distribution
from archctl.simulate.timing import Timing, run_task, sampler

N = 40_000


def draws(dist: Distribution, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    sample = sampler(dist)
    return [sample(rng) for _ in range(N)]


def close(observed: float, expected: float, sd: float) -> bool:
    """Within 4 standard errors of the mean of N draws."""
    return abs(observed - expected) <= 4 * sd / math.sqrt(N)


def test_fixed_and_uniform() -> None:
    assert set(draws(Distribution("fixed", value=25.0))) == {25.0}
    values = draws(Distribution("uniform", low=20.0, high=150.0))
    assert min(values) >= 20.0 and max(values) <= 150.0
    assert close(statistics.fmean(values), 85.0, 130.0 / math.sqrt(12))


def test_exponential_has_the_given_mean() -> None:
    values = draws(Distribution("exponential", mean=200.0))
    assert close(statistics.fmean(values), 200.0, 200.0)
    assert min(values) >= 0.0


def test_normal_is_clipped_at_zero() -> None:
    values = draws(Distribution("normal", mean=100.0, stddev=20.0))
    assert close(statistics.fmean(values), 100.0, 20.0)
    clipped = draws(Distribution("normal", mean=0.0, stddev=10.0))
    assert min(clipped) == 0.0
    # half the mass sits at 0; the mean of max(0, X) for X ~ N(0, s) is s / sqrt(2 pi)
    assert close(statistics.fmean(clipped), 10.0 / math.sqrt(2 * math.pi), 10.0)


def test_lognormal_mean_and_stddev_are_those_of_the_duration() -> None:
    values = draws(Distribution("lognormal", mean=300.0, stddev=150.0))
    assert close(statistics.fmean(values), 300.0, 150.0)
    assert abs(statistics.pstdev(values) - 150.0) < 15.0  # heavy tail: a looser bound
    assert min(values) > 0.0


def test_retry_backoff_cap_and_timeouts_are_counted() -> None:
    # attempts take 80 ms against a 50 ms deadline: each times out at 50 ms;
    # waits 100, 200, then capped at 300 ms
    timing = Timing(lambda rng: 80.0, 0.0, 50.0, (100.0, 200.0, 300.0))
    counts = [0, 0, 0]
    log: list[tuple[float, int, str, float]] = []
    end, ok = run_task(timing, random.Random(0), 1000.0, counts, log)
    assert not ok
    assert end == 1000.0 + 4 * 50.0 + 100.0 + 200.0 + 300.0
    assert counts == [4, 0, 4]
    assert [entry[0] for entry in log] == [1000.0, 1150.0, 1400.0, 1750.0]
    assert {entry[2] for entry in log} == {"timeout"}


def test_attempt_succeeding_after_failures() -> None:
    outcomes = iter([0.1, 0.9])  # the failure draw: first attempt fails, second succeeds

    class Scripted(random.Random):
        def random(self) -> float:
            return next(outcomes)

    timing = Timing(lambda rng: 10.0, 0.5, math.inf, (100.0,))
    counts = [0, 0, 0]
    end, ok = run_task(timing, Scripted(0), 0.0, counts, None)
    assert ok and end == 10.0 + 100.0 + 10.0
    assert counts == [2, 1, 0]
