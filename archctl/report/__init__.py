"""Reporters: diagnostics in, text/JSON/CI formats out. One module per format."""
