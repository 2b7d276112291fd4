"""Badges: recognition for mentors and learners, awarded by rules kept as data."""
