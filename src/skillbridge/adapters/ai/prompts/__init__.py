"""Versioned prompt files of the AI roadmap generator (``roadmap_<version>.toml``)."""
