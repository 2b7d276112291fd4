"""Persistence adapters: SQLAlchemy (SQLite and PostgreSQL) and the in-memory twins, same contract."""
