"""archctl conform: replay recorded event logs against a spec.

A proof covers the spec; ``conform`` checks that production behaved like the spec. Logs are
read as a stream of :class:`~archctl.conform.events.LogEvent` (JSON Lines, CSV, XES), grouped
into cases, and each case is replayed on the spec's semantics (the state machine's
configurations, the workflow's token game). Results are values; the command renders them.
"""
