"""Notifications: what a user is told about, stored before anything is pushed live."""
