"""Mentor matching use cases: recommendations, requests, the mentorship lifecycle, rounds and expiry."""
