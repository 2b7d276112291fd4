"""A circuit breaker: stop calling a failing service for a while, then try it again carefully."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Closed: calls go through; ``failure_threshold`` failures in a row open it. Open: calls are refused
    for ``reset_seconds``. Half-open: one trial call goes through; its success closes the breaker, its
    failure opens it again. :meth:`trip` opens it at once (a wrong key or an exhausted quota will not heal
    by retrying).

    Per process and in memory: each worker learns on its own that the service is down, after a handful of
    failed calls, which is cheap next to sharing the state through Redis on every call.
    """

    def __init__(
        self, failure_threshold: int = 5, reset_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failure_threshold
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open state, only the first caller's may)."""
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

    def trip(self) -> None:
        """Open now, for ``reset_seconds``."""
        self._opened_at = self._clock()
        self._trial_running = False
