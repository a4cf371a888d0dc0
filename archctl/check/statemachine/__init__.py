"""statemachine package."""
