"""Data files that belong to domain rules (read with importlib.resources)."""
