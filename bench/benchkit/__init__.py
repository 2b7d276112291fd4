"""Shared pieces of the HTTP benchmarks: seeding a PostgreSQL database, running the server and the DRF twin,
driving wrk, and printing tables. Each script under ``bench/`` imports what it needs from here."""
