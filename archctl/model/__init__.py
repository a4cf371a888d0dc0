"""The format-neutral model: frozen dataclasses every loader produces and every layer reads."""
