"""Event times: milliseconds as a number, or an ISO 8601 timestamp, both to epoch milliseconds."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_time(value: object) -> float:
    """Milliseconds since the epoch; raises ValueError with what would be right."""
    if isinstance(value, bool):
        raise ValueError("a time must be milliseconds (a number) or an ISO 8601 timestamp")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"'{value}' is not a time: use milliseconds or ISO 8601 such as "
                "2026-11-02T10:00:03.250Z"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp() * 1000.0
    raise ValueError("a time must be milliseconds (a number) or an ISO 8601 timestamp")
