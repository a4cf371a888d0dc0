"""Recorded events as JSON objects (``--events-out``: one JSON object per line)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from archctl.evidence import json_value
from archctl.simulate.gateways import Record


def plain_json(value: Any) -> Any:
    """A value as JSON shows it: sorted keys, floats to the microsecond, exact rationals."""
    if isinstance(value, dict):
        return {str(k): plain_json(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [plain_json(item) for item in value]
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, (bool, int, str, Fraction)):
        return json_value(value)
    return value


def record_json(instance: int, record: Record) -> dict[str, Any]:
    """One workflow event: instance, virtual time, event, node and what applies to it."""
    t, event, node, attempt, outcome, data, tokens = record
    out: dict[str, Any] = {"instance": instance, "t_ms": round(t, 3), "event": event, "node": node}
    if attempt:
        out["attempt"] = attempt
    if outcome:
        out["outcome"] = outcome
    if data is not None:
        key = {"attempt": "duration_ms", "complete": "set", "start": "values"}.get(event, "detail")
        out[key] = plain_json(data)
    out["tokens"] = tokens
    return out


def record_line(instance: int, record: Record) -> str:
    return json.dumps(record_json(instance, record), ensure_ascii=False, separators=(",", ":"))
