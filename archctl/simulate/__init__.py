"""Simulation of workflows and state machines on a virtual clock (``archctl simulate``).

Everything here is seeded and deterministic: the same spec, options and seed give the same
events and the same summary, whatever the number of worker processes. Specs are compiled once
into flat tables (:mod:`archctl.simulate.workflow`) and instances run on a heap of
``(time, sequence, ...)`` tuples (:mod:`archctl.simulate.engine`), so many instances are cheap.
"""
