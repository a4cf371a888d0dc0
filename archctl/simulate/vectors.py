"""Values and durations for many instances at once: the array side of ``keyed.Stream``.

Every function here computes, for a cohort of instances, exactly what the scalar engine's
draws compute one instance at a time: the same keyed draws (``keyed.units``), the same
floating-point operations in the same order. Uniform, fixed and discrete draws are plain
numpy arithmetic (IEEE operations give the same bits as Python's); transcendental functions
(exponential, normal, log-normal durations) go through Python's ``math`` element by element,
because numpy's vectorised ``log``/``exp`` may round differently from the C library.

Variables are kept as integer codes into a table of distinct values per variable: a
condition or ``sets`` expression is then evaluated once per distinct combination of the
values it reads, with the very closures the scalar engine uses, and mapped back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from archctl.model.types import TypeKind, VarType
from archctl.model.workflow import Distribution
from archctl.simulate.keyed import F64, U64, draw_bits, gauss, units
from archctl.simulate.values import int_range, number_range, string_pool

I64 = npt.NDArray[np.int64]
#: combined keys below this many combinations are looked up in a dense table (no sort)
_DENSE = 1 << 16


def durations(dist: Distribution | None, streams: U64, first: int) -> tuple[F64, int]:
    """Attempt durations from draw ``first`` of each stream, and how many draws they took
    (the scalar ``timing.sampler``: 0 for fixed, 1 uniform/exponential, 2 normal/lognormal)."""
    count = len(streams)
    if dist is None:
        return np.zeros(count), 0
    if dist.kind == "fixed":
        return np.full(count, max(0.0, dist.value)), 0
    if dist.kind == "uniform":
        low, span = dist.low, dist.high - dist.low
        return float(low) + float(span) * units(streams, first), 1
    if dist.mean <= 0:  # exponential and lognormal with mean <= 0: zero, no draw
        return np.zeros(count), 0
    one = units(streams, first).tolist()
    if dist.kind == "exponential":
        rate = 1.0 / dist.mean
        return np.array([-math.log(1.0 - u) / rate for u in one], dtype=np.float64), 1
    two = units(streams, first + 1).tolist()
    if dist.kind == "normal":
        mean, sd = dist.mean, dist.stddev
        values = [max(0.0, mean + sd * gauss(a, b)) for a, b in zip(one, two, strict=True)]
        return np.array(values, dtype=np.float64), 2
    sigma2 = math.log(1.0 + (dist.stddev / dist.mean) ** 2)
    mu, sigma = math.log(dist.mean) - sigma2 / 2.0, math.sqrt(sigma2)
    values = [math.exp(mu + sigma * gauss(a, b)) for a, b in zip(one, two, strict=True)]
    return np.array(values, dtype=np.float64), 2


def draw_values(
    var_type: VarType, strings: list[str], addresses: list[int], streams: U64, first: int
) -> tuple[list[Any], I64]:
    """One ``any`` value per stream (``values.drawer``'s draws): the distinct values and,
    per stream, the index of its value among them."""
    kind = var_type.kind
    u = units(streams, first)
    if kind is TypeKind.BOOL:
        return [False, True], (u < 0.5).astype(np.int64)
    if kind in (TypeKind.ENUM, TypeKind.STRING):
        pool = list(var_type.values) if kind is TypeKind.ENUM else string_pool(strings)
        return pool, (u * len(pool)).astype(np.int64)
    if kind is TypeKind.IP:
        if addresses:
            second = units(streams, first + 1)
            named = np.array(addresses, dtype=np.int64)[(second * len(addresses)).astype(np.int64)]
            bits = (draw_bits(streams, first + 1) >> np.uint64(32)).astype(np.int64)
            raw: npt.NDArray[Any] = np.where(u < 0.5, named, bits)
        else:
            raw = (draw_bits(streams, first) >> np.uint64(32)).astype(np.int64)
    elif kind is TypeKind.INT:
        low, last = int_range(var_type)
        raw = np.floor(u * float(last - low + 1)).astype(np.int64) + low
    else:
        low_bound, high_bound = number_range(var_type)
        start, stop = float(low_bound), float(high_bound)
        raw = start + (stop - start) * u
    distinct, inverse = np.unique(raw, return_inverse=True)
    return distinct.tolist(), inverse.astype(np.int64)


class Columns:
    """The tracked variables of a cohort: per variable, a code per instance and the table
    of distinct values the codes stand for."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.codes: dict[str, I64] = {}
        self.tables: dict[str, list[Any]] = {}
        self._index: dict[str, dict[tuple[type, Any], int]] = {}

    def code(self, name: str, value: Any) -> int:
        """The code of ``value`` in ``name``'s table (a new one for a value not seen yet);
        keyed by type too, so ``1`` and ``1.0`` and ``Fraction(1)`` stay apart."""
        index = self._index.setdefault(name, {})
        key = (type(value), value)
        found = index.get(key)
        if found is None:
            table = self.tables.setdefault(name, [])
            found = index[key] = len(table)
            table.append(value)
        return found

    def fill(self, name: str, value: Any) -> None:
        self.codes[name] = np.full(self.count, self.code(name, value), dtype=np.int64)

    def assign(self, name: str, rows: I64, distinct: Sequence[Any], inverse: I64) -> None:
        """Set ``name`` on instances ``rows``: instance k gets ``distinct[inverse[k]]``."""
        codes = np.array([self.code(name, v) for v in distinct], dtype=np.int64)
        if name not in self.codes:
            self.codes[name] = np.zeros(self.count, dtype=np.int64)
        self.codes[name][rows] = codes[inverse]

    def evaluate(
        self, compiled: Callable[[dict[str, Any]], Any], reads: frozenset[str], rows: I64
    ) -> tuple[list[Any], I64]:
        """``compiled`` on instances ``rows``: its results per distinct combination of the
        variables it reads, and per instance the index of its combination."""
        names = sorted(reads)
        if not names:
            return [compiled({})], np.zeros(len(rows), dtype=np.int64)
        sizes = [len(self.tables[n]) for n in names]
        combos = math.prod(sizes)
        if combos >= 2**62:  # too many combinations to number: one per instance (slow)
            results = [compiled(self._env(names, row)) for row in rows.tolist()]
            return results, np.arange(len(rows), dtype=np.int64)
        key = np.zeros(len(rows), dtype=np.int64)
        for name, size in zip(names, sizes, strict=True):
            key = key * size + self.codes[name][rows]
        if combos <= _DENSE:
            present = np.zeros(combos, dtype=bool)
            present[key] = True
            distinct = np.flatnonzero(present)
            where = np.zeros(combos, dtype=np.int64)
            where[distinct] = np.arange(len(distinct))
            inverse = where[key]
        else:
            distinct, inverse = np.unique(key, return_inverse=True)
        results = []
        for combined in distinct.tolist():
            env: dict[str, Any] = {}
            for name, size in zip(reversed(names), reversed(sizes), strict=True):
                combined, code = divmod(combined, size)
                env[name] = self.tables[name][code]
            results.append(compiled(env))
        return results, inverse.astype(np.int64)

    def _env(self, names: list[str], row: int) -> dict[str, Any]:
        return {name: self.tables[name][int(self.codes[name][row])] for name in names}
