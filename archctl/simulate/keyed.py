"""Counter-based random numbers for workflow instances: every draw is keyed by what it is for.

A draw is a pure function of (run seed, instance, node, visit of that node, phase, draw
number): SplitMix64's finaliser applied to a key. Nothing depends on the *order* in which an
engine makes its draws, which is what lets two engines agree exactly: the scalar engine
(``engine.py``: one instance at a time, on a heap) and the cohort engine (``cohort.py``:
thousands of instances advanced together with numpy), and an outside model (the SimPy peer in
``bench/bench_simulate.py``) that asks for the same keys. Parallel branches of one instance
draw from their own streams, so which branch happens to finish first changes nothing.

Phases of a node's visit: ``TIMING`` (attempt durations and failure draws of a task, a fixed
number per attempt), ``SETS`` (``any`` values of its ``sets``), ``ROUTE`` (a free choice at a
gateway), ``CHILD`` (the instance keys of a subprocess's attempts). The start values of an
instance are drawn from the ``SETS`` stream of a virtual node numbered after the real ones.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment (odd: a bijection modulo 2^64)
TAG_STRIDE = 0xD1B54A32D192ED03  # another odd constant, so tags and draws never line up
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_UNIT = 2.0**-53
TIMING, SETS, ROUTE, CHILD = range(4)
PHASES = 4

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]


class Source(Protocol):
    """What samplers and value draws need: ``random.Random`` and :class:`Stream` both fit."""

    def random(self) -> float: ...

    def randint(self, a: int, b: int) -> int: ...

    def uniform(self, a: float, b: float) -> float: ...

    def getrandbits(self, k: int, /) -> int: ...

    def expovariate(self, lambd: float, /) -> float: ...

    def normalvariate(self, mu: float, sigma: float, /) -> float: ...

    def lognormvariate(self, mu: float, sigma: float, /) -> float: ...


def mix64(z: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit words with full avalanche."""
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def run_key(seed: int) -> int:
    return mix64(seed & MASK)


def instance_key(seed: int, index: int) -> int:
    """The key of instance ``index`` of a run seeded ``seed`` (a function of both only)."""
    return mix64((run_key(seed) + (index + 1) * GAMMA) & MASK)


def tag(node: int, visit: int, phase: int, size: int) -> int:
    """A distinct number per (node, visit, phase) of a program with ``size`` nodes."""
    return (visit * PHASES + phase) * (size + 1) + node


def stream_key(key: int, tagged: int) -> int:
    return mix64((key + (tagged + 1) * TAG_STRIDE) & MASK)


def unit(bits: int) -> float:
    """The top 53 bits as a float in [0, 1): exactly what :func:`units` computes."""
    return (bits >> 11) * _UNIT


def gauss(first: float, second: float) -> float:
    """A standard normal deviate from two uniforms (Box-Muller: always two draws)."""
    return math.sqrt(-2.0 * math.log(1.0 - first)) * math.cos(2.0 * math.pi * second)


class Stream:
    """The draws of one key, in order: a drop-in for ``random.Random`` with a fixed number of
    draws per call (1, or 2 for the normal and log-normal), so positions are predictable.

    :func:`mix64` is written out in :meth:`bits` and :func:`stream`: they are the scalar
    engine's inner loop (``bench/bench_engine.py``)."""

    __slots__ = ("drawn", "key")

    def __init__(self, key: int) -> None:
        self.key = key
        self.drawn = 0

    def bits(self) -> int:
        self.drawn += 1
        z = (self.key + self.drawn * GAMMA) & MASK
        z = ((z ^ (z >> 30)) * _M1) & MASK
        z = ((z ^ (z >> 27)) * _M2) & MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self.bits() >> 11) * _UNIT

    def getrandbits(self, k: int, /) -> int:
        return self.bits() >> (64 - k)

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def expovariate(self, lambd: float = 1.0) -> float:
        return -math.log(1.0 - self.random()) / lambd

    def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        first = self.random()
        return mu + sigma * gauss(first, self.random())

    def lognormvariate(self, mu: float, sigma: float) -> float:
        return math.exp(self.normalvariate(mu, sigma))


def stream(key: int, node: int, visit: int, phase: int, size: int) -> Stream:
    """``Stream(stream_key(key, tag(node, visit, phase, size)))``, in one call."""
    z = (key + ((visit * PHASES + phase) * (size + 1) + node + 1) * TAG_STRIDE) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return Stream(z ^ (z >> 31))


# ---------------------------------------------------------------- the same, on arrays


def mix64_array(z: U64) -> U64:
    """:func:`mix64` on an array (uint64 arithmetic wraps modulo 2^64, as the mask does)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    mixed: U64 = z ^ (z >> np.uint64(31))
    return mixed


def instance_keys(seed: int, start: int, stop: int) -> U64:
    """:func:`instance_key` for instances ``start .. stop-1``."""
    index = np.arange(start + 1, stop + 1, dtype=np.uint64)
    return mix64_array(index * np.uint64(GAMMA) + np.uint64(run_key(seed)))


def stream_keys(keys: U64, node: int, visit: int, phase: int, size: int) -> U64:
    offset = ((tag(node, visit, phase, size) + 1) * TAG_STRIDE) & MASK
    return mix64_array(keys + np.uint64(offset))


def draw_bits(streams: U64, number: int) -> U64:
    """The ``number``-th draw (1-based) of each stream, as raw 64-bit words."""
    drawn: U64 = mix64_array(streams + np.uint64((number * GAMMA) & MASK))
    return drawn


def units(streams: U64, number: int) -> F64:
    """The ``number``-th draw of each stream as :meth:`Stream.random` returns it."""
    unit_floats: F64 = (draw_bits(streams, number) >> np.uint64(11)).astype(np.float64) * _UNIT
    return unit_floats
