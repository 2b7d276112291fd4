"""SystemClock and MutableClock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from skillbridge.adapters.system.clock import MutableClock, SystemClock


def test_system_clock_is_aware_utc_and_current() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)

    assert now.tzinfo is UTC
    assert before <= now <= after


def test_mutable_clock_stands_still_until_advanced() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    clock = MutableClock(start)

    assert clock.now() == start
    assert clock.now() == start

    clock.advance(timedelta(minutes=15))
    assert clock.now() == start + timedelta(minutes=15)

    clock.advance(timedelta(seconds=-1))
    assert clock.now() == start + timedelta(minutes=15) - timedelta(seconds=1)


def test_mutable_clock_converts_to_utc_and_can_jump() -> None:
    clock = MutableClock(datetime(2025, 1, 1, 3, tzinfo=timezone(timedelta(hours=3))))

    assert clock.now() == datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.now().tzinfo is UTC

    clock.set(datetime(2030, 6, 1, tzinfo=UTC))
    assert clock.now() == datetime(2030, 6, 1, tzinfo=UTC)


def test_mutable_clock_defaults_to_the_current_time() -> None:
    assert abs(MutableClock().now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_mutable_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        MutableClock(datetime(2025, 1, 1))
    clock = MutableClock()
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2025, 1, 1))
