"""Loaders: turn source files (YAML, DSL, BPMN) into model objects and load diagnostics."""
