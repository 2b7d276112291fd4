"""Live delivery of notifications through Litestar channels (Redis pub/sub in production, memory embedded)."""
