"""Printers from the model back to text: canonical DSL (``to_dsl``) and YAML (``to_yaml``).

Used by ``archctl convert`` and ``archctl fmt``; both are deterministic, and loading what
they print gives a model equal to the one printed (the round-trip tests hold them to it).
"""
