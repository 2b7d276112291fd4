"""A held notification stream re-checks its sign-in session every interval; when the check cannot be made (the
store or the database does not answer), it keeps the stream and tries again sooner, backing off: 5 s, then
double each time, never longer than the usual interval, and back to the usual interval after a check that
worked. Time is a fake monotonic clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from skillbridge.adapters.http.realtime import _Session
from skillbridge.application.notifications.streams import StreamLease
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import DependencyUnavailable, Unauthenticated

EVERY = 50.0


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Checks:
    """The session checks made (as clock readings), each answered by the next outcome of a script."""

    def __init__(self, clock: _Clock, outcomes: list[str]) -> None:
        self.clock, self.outcomes = clock, outcomes
        self.made_at: list[float] = []
        self.renewed = 0

    async def recheck(self, claims: AccessClaims) -> None:
        self.made_at.append(self.clock.now)
        outcome = self.outcomes.pop(0)
        if outcome == "down":
            raise DependencyUnavailable("the store does not answer")
        if outcome == "revoked":
            raise Unauthenticated("revoked")

    async def get(self, kind: type) -> _Checks:
        return self

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[_Checks]:
        yield self

    async def renew(self, lease: StreamLease) -> None:
        self.renewed += 1


def _session(outcomes: list[str]) -> tuple[_Session, _Checks, _Clock]:
    clock = _Clock()
    checks = _Checks(clock, outcomes)
    now = datetime.now(UTC)
    claims = AccessClaims(uuid4(), "jti", now, now + timedelta(days=1))
    leased: Any = (checks, StreamLease(keys=("k",)))
    container: Any = checks
    session = _Session(container, claims, leased, EVERY, "websocket", monotonic=clock)
    return session, checks, clock


async def test_failed_checks_back_off_up_to_the_interval_and_a_good_one_resets_it() -> None:
    outcomes = ["down", "down", "down", "down", "down", "ok", "down"]
    session, checks, clock = _session(list(outcomes))
    # Written out: the first check one interval after opening; then 5, 10, 20, 40 s after each failure, 50
    # (the interval, not 80) after the fifth, 50 after the good one, and 5 again after the next failure.
    expected_waits = [50.0, 5.0, 10.0, 20.0, 40.0, 50.0, 50.0, 5.0]
    start = clock.now
    for wait in expected_waits[:-1]:
        due = clock.now + wait
        assert session.seconds_left() == pytest.approx(wait)
        clock.now = due - 0.01
        assert await session.still_stands()
        made = len(checks.made_at)
        clock.now = due
        assert await session.still_stands()  # a failed check keeps the stream
        assert len(checks.made_at) == made + 1  # the check is made when due, not a moment before
    assert session.seconds_left() == pytest.approx(expected_waits[-1])
    made_at = [at - start for at in checks.made_at]
    assert made_at == [50.0, 55.0, 65.0, 85.0, 125.0, 175.0, 225.0]
    assert checks.renewed == 1  # only the check that worked renewed the stream's places


async def test_a_revoked_session_ends_the_stream_at_its_next_check() -> None:
    session, checks, clock = _session(["ok", "revoked"])
    clock.now += EVERY
    assert await session.still_stands()
    clock.now += EVERY
    assert not await session.still_stands()
    assert len(checks.made_at) == 2
