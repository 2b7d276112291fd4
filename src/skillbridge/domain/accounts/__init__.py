"""Accounts: users, their roles and profiles, credentials and sessions."""
