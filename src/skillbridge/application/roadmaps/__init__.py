"""Roadmap use cases: create (generate), read, list, change, history, and the catalog's domains."""
