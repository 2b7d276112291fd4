"""Accounts use cases: registration, sessions, profiles, mentor search and administration."""
