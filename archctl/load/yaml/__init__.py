"""yaml package."""
