"""A matching round over many waiting requests, on SQLite and PostgreSQL: a bounded number of statements,
a bounded number of requests, and a time budget kept on the injected clock (never wall time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.matching.native import NativeMatchingEngine
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.policy import ROUND_BATCH, MatchingPolicy
from skillbridge.application.matching.rounds import OUT_OF_TIME, RunMatchingRound
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.matching.mentorship import MatchStatus
from tests.support.entities import location, make_mentor, make_mentorship, make_user
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio

LAGOS = location(6.52, 3.38, "NG", "Lagos")
ADMIN = Principal(make_user().id, Role.ADMIN, email_verified=True)
REQUESTS = 2 * ROUND_BATCH + 50  # three batches


class TickingClock(MutableClock):
    """Moves one second on at every reading: time passes as the round works, deterministically."""

    def now(self) -> datetime:
        moment = super().now()
        self.advance(timedelta(seconds=1))
        return moment


@dataclass
class Counted:
    engine: AsyncEngine
    statements: list[str]


@pytest.fixture
async def counted(database_url: str) -> AsyncIterator[Counted]:
    engine = create_engine(database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield Counted(engine, statements)
    finally:
        await engine.dispose()


async def _waiting_world(counted: Counted, requests: int) -> None:
    mentors = [make_mentor(f"m{i}", skills=("python",), at=LAGOS, capacity=10) for i in range(60)]
    learners = [
        make_user(profile=Profile(display_name="L", skills=("python",), location=LAGOS, languages=("en",)))
        for _ in range(requests)
    ]
    async with system_unit(counted.engine) as uow:
        for user in (*mentors, *learners):
            await uow.users.add(user)
        for learner in learners:
            await uow.mentorships.add(make_mentorship(learner.id, None, status=MatchStatus.WAITING, domain="python"))
        await uow.commit()


def _round(counted: Counted, clock: MutableClock, policy: MatchingPolicy) -> RunMatchingRound:
    uow = SqlaUnitOfWork(create_session_factory(counted.engine))
    return RunMatchingRound(uow, NativeMatchingEngine(), policy, clock, Notifier(clock))


async def test_a_round_over_many_requests_issues_a_bounded_number_of_statements(counted: Counted) -> None:
    await _waiting_world(counted, REQUESTS)
    counted.statements.clear()

    summary = await _round(counted, MutableClock(), MatchingPolicy())(ADMIN)

    assert len(summary.assigned) == REQUESTS  # control: every request got a mentor
    assert summary.left_waiting == 0
    # 6 reads + 5 statements for each of the 3 batches; one per request would be 450 and more.
    assert len(counted.statements) <= 25, counted.statements


async def test_a_round_takes_at_most_its_cap_and_stops_writing_when_its_time_is_spent(counted: Counted) -> None:
    await _waiting_world(counted, REQUESTS)

    roomy = MatchingPolicy(round_max_requests=ROUND_BATCH + 10, round_time_budget=timedelta(days=1))
    capped = await _round(counted, TickingClock(), roomy)(ADMIN)
    assert (len(capped.assigned), capped.left_waiting) == (ROUND_BATCH + 10, REQUESTS - ROUND_BATCH - 10)

    # Each batch reads the clock once per request notified: far past a 60-second budget after the first.
    hurried = await _round(counted, TickingClock(), MatchingPolicy(round_time_budget=timedelta(seconds=60)))(ADMIN)
    left = REQUESTS - ROUND_BATCH - 10
    assert len(hurried.assigned) == ROUND_BATCH  # the first batch is always written
    assert [item.reason for item in hurried.unassigned] == [OUT_OF_TIME] * (left - ROUND_BATCH)
    async with system_unit(counted.engine) as uow:
        assert await uow.mentorships.count_waiting() == left - ROUND_BATCH  # they wait for the next round
