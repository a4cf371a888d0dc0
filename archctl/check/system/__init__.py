"""The system checker: explicit-state exploration of component interleavings."""
