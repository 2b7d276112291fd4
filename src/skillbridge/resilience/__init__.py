"""Resilience helpers shared by several adapters (which may not import each other): the circuit breaker.

Standard library only, and nothing of the project: import-linter keeps it that way.
"""
