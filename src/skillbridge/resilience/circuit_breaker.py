"""The circuit breaker of every outbound dependency (OpenAI, each matching engine): stop calling a failing
service for a while, then try it again carefully.

Each breaker has a name and is listed, while it lives, in a process-wide registry, so the composition root
can export every breaker's state as a metric at scrape time (the breakers themselves pay nothing for it).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


#: name -> the newest live breaker of that name (an app built twice in one process, as tests do, replaces it).
_registry: weakref.WeakValueDictionary[str, CircuitBreaker] = weakref.WeakValueDictionary()


class CircuitBreaker:
    """Closed: calls go through; ``failure_threshold`` failures in a row open it. Open: calls are refused
    for ``reset_seconds``. Half-open: one trial call at a time goes through; its success closes the breaker,
    its failure opens it again. :meth:`trip` opens it at once (a wrong key or an exhausted quota will not heal
    by retrying).

    Per process and in memory: each process learns on its own that a service is down, after a handful of
    failed calls, which is cheap next to sharing the state through Redis on every call. Not thread-safe:
    one event loop uses it.

    Args:
        name: what the breaker guards, the ``breaker`` label of its metric (``openai``, ``matching-native``).
        failure_threshold: consecutive failures that open it (>= 1).
        reset_seconds: how long it stays open before a trial call (> 0).
        clock: monotonic seconds (tests pass a fake).
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_seconds <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_seconds > 0")
        self.name = name
        self._threshold = failure_threshold
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        _registry[name] = self

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open state, only one trial at a time)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self._threshold:
            self.trip()

    def record_neutral(self) -> None:
        """The call ended in a way that says nothing about the service's health (the caller's input was
        invalid): a half-open trial slot is given back, the state is unchanged."""
        self._trial_running = False

    def trip(self) -> None:
        """Open now, for ``reset_seconds``."""
        self._opened_at = self._clock()
        self._trial_running = False


def breaker_states() -> dict[str, BreakerState]:
    """The state of every live breaker, by name (read by the metrics exporter at scrape time)."""
    return {name: breaker.state for name, breaker in list(_registry.items())}
