"""Clock port implementations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skillbridge.application.ports.clock import Clock


class SystemClock(Clock):
    """The operating system's wall clock, in UTC."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return datetime.now(UTC)


class MutableClock(Clock):
    """A clock that only moves when told to. For tests and scripts, never for a running service.

    Example:
        >>> clock = MutableClock(datetime(2025, 1, 1, tzinfo=UTC))
        >>> clock.advance(timedelta(minutes=15))
        >>> clock.now().isoformat()
        '2025-01-01T00:15:00+00:00'
    """

    def __init__(self, start: datetime | None = None) -> None:
        """Start at ``start`` (aware), or at the current wall-clock time.

        Raises:
            ValueError: ``start`` is naive.
        """
        self._now = self._checked(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        """Return the clock's current time (aware UTC)."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock by ``delta`` (negative deltas move it back)."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (aware).

        Raises:
            ValueError: ``moment`` is naive.
        """
        self._now = self._checked(moment)

    @staticmethod
    def _checked(moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("MutableClock needs an aware datetime")
        return moment.astimezone(UTC)
