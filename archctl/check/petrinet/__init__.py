"""Workflow nets from PNML: soundness by exact reachability over bitset markings."""
