"""System adapters: the real clock (and a steppable one for tests and scripts)."""

from skillbridge.adapters.system.clock import MutableClock, SystemClock

__all__ = ["MutableClock", "SystemClock"]
