"""A matching round run as a job, on SQLite and PostgreSQL: read page by page, stored in batches whose progress
commits with them, equal to what the engine assigns on the same input, and taken up again after a crash
without offering anything twice."""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.round_jobs import ExecuteMatchingRound
from skillbridge.application.notifications.notifier import News, Notifier
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.user import User
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import learner_profile, mentor_profile
from skillbridge.domain.matching.round_runs import MatchingRound, RoundStatus
from skillbridge.domain.notifications.model import Notification
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio

REQUESTS = 240
MENTORS = 45
BATCH = 37  # several batches, the last one short
PAGE = 50  # several pages of requests and of mentors
POLICY = MatchingPolicy(round_batch_size=BATCH, round_page_size=PAGE, round_job_time_budget=timedelta(days=1))
CITIES = [location(6.52, 3.38, "NG", "Lagos"), location(-1.29, 36.82, "KE", "Nairobi"), location(5.6, -0.19, "GH")]
SKILLS = ["python", "data", "design", "web", "mobile"]


class Crash(BaseException):
    """The process dies (a BaseException: nothing in the round catches it, as nothing survives a kill)."""


class CrashingNotifier(Notifier):
    """Lets ``batches`` batches through, then dies inside the next one, before its commit."""

    def __init__(self, clock: MutableClock, batches: int) -> None:
        super().__init__(clock)
        self._left = batches

    async def notify_many(self, uow: UnitOfWork, news: list[News]) -> list[Notification]:  # type: ignore[override]
        if self._left == 0:
            raise Crash
        self._left -= 1
        return await super().notify_many(uow, news)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _world(engine: AsyncEngine) -> tuple[list[Mentorship], list[User], dict[UUID, User]]:
    """Learners with varied skills, places and hours, each waiting once; mentors of varied capacity."""
    draw = random.Random(2026)
    mentors = [
        make_mentor(
            f"m{i}",
            skills=tuple(draw.sample(SKILLS, 2)),
            at=draw.choice(CITIES),
            capacity=draw.randint(1, 4),
            hours=draw.randint(2, 8),
            created_at=T0 + timedelta(minutes=i),
        )
        for i in range(MENTORS)
    ]
    learners = [
        make_user(
            f"l{i}@example.org",
            profile=Profile(display_name=f"L{i}", location=draw.choice(CITIES), languages=("en",)),
        )
        for i in range(REQUESTS)
    ]
    requests = []
    for i, learner in enumerate(learners):
        skills = tuple(draw.sample(SKILLS, draw.randint(1, 2)))
        needs = LearnerNeeds(skills=skills, hours_per_week=draw.randint(1, 6), remote_ok=draw.random() < 0.5)
        needs = replace(needs, domain="python")
        request = make_mentorship(learner.id, None, status=MatchStatus.WAITING, domain="python")
        requests.append(replace(request, learner_needs=needs, created_at=T0 + timedelta(seconds=i // 3)))
    async with system_unit(engine) as uow:
        for user in (*mentors, *learners):
            await uow.users.add(user)
        for request in requests:
            await uow.mentorships.add(request)
        await uow.commit()
    return requests, mentors, {learner.id: learner for learner in learners}


async def _expected(requests: list[Mentorship], mentors: list[User], learners: dict[UUID, User]) -> dict[UUID, UUID]:
    """The engine's assignment on the same input, in the order the round reads it: request id -> mentor id."""
    ordered = sorted(requests, key=lambda request: (request.created_at, str(request.id)))
    profiles = [
        learner_profile(learners[r.learner_id], r.learner_needs, privacy=POLICY.privacy, as_id=str(r.id))
        for r in ordered
    ]
    pool = [
        profile
        for mentor in sorted(mentors, key=lambda mentor: (mentor.created_at, str(mentor.id)))
        if (profile := mentor_profile(MentorCard(mentor, open_mentorships=0, distance_km=None), POLICY.privacy))
    ]
    result = await ReferenceMatchingEngine().assign(profiles, pool, POLICY.weights, algorithm="optimal")
    return {UUID(item.learner_id): UUID(item.mentor_id) for item in result.assignments}


async def _queued(engine: AsyncEngine) -> MatchingRound:
    queued = MatchingRound(scope="python", algorithm="optimal", requested_by=None, created_at=T0)
    async with system_unit(engine) as uow:
        await uow.matching_rounds.add(queued)
        await uow.commit()
    return queued


async def _pending(engine: AsyncEngine, requests: list[Mentorship]) -> dict[UUID, UUID]:
    """Request id -> mentor id of every request now pending."""
    async with system_unit(engine) as uow:
        stored = [await uow.mentorships.get(request.id) for request in requests]
    return {m.id: m.mentor_id for m in stored if m.status is MatchStatus.PENDING and m.mentor_id is not None}


def _job(engine: AsyncEngine, notifier: Notifier, clock: MutableClock) -> ExecuteMatchingRound:
    uow = SqlaUnitOfWork(create_session_factory(engine))
    return ExecuteMatchingRound(uow, ReferenceMatchingEngine(), POLICY, clock, notifier)


async def test_a_round_stores_in_batches_exactly_what_the_engine_assigns(engine: AsyncEngine) -> None:
    requests, mentors, learners = await _world(engine)
    expected = await _expected(requests, mentors, learners)
    assert BATCH * 2 < len(expected) < REQUESTS  # control: several batches, and not everyone gets a place
    queued = await _queued(engine)
    clock = MutableClock()

    done = await _job(engine, Notifier(clock), clock)(queued.id)

    assert await _pending(engine, requests) == expected
    assert done.status is RoundStatus.DONE
    assert (done.requests_considered, done.matches_stored) == (REQUESTS, len(expected))
    assert done.batches_written == math.ceil(len(expected) / BATCH)
    assert sum(done.unassigned.values()) == REQUESTS - len(expected)
    async with system_unit(engine) as uow:
        assert await uow.matching_rounds.get(queued.id) == done
        assert await uow.mentorships.count_waiting("python") == REQUESTS - len(expected)


async def test_a_round_cut_short_after_a_batch_is_taken_up_again_without_offering_twice(engine: AsyncEngine) -> None:
    requests, mentors, learners = await _world(engine)
    expected = await _expected(requests, mentors, learners)
    queued = await _queued(engine)
    clock = MutableClock()

    with pytest.raises(Crash):
        await _job(engine, CrashingNotifier(clock, batches=1), clock)(queued.id)

    # What the crash left: the first batch and its progress, committed together; nothing of the second.
    first_batch = await _pending(engine, requests)
    assert len(first_batch) == BATCH
    assert first_batch.items() <= expected.items()
    async with system_unit(engine) as uow:
        cut = await uow.matching_rounds.get(queued.id)
    assert (cut.status, cut.matches_stored, cut.batches_written) == (RoundStatus.RUNNING, BATCH, 1)

    # The queue delivers the job again: it reads what still waits and goes on.
    done = await _job(engine, Notifier(clock), clock)(queued.id)

    pending = await _pending(engine, requests)
    assert pending.items() >= first_batch.items()  # the first batch stands as it was
    assert done.status is RoundStatus.DONE
    assert done.matches_stored == len(pending)  # counted once each, over both deliveries
    assert done.batches_written == 1 + math.ceil((len(pending) - BATCH) / BATCH)
    assert done.requests_considered == REQUESTS
    async with system_unit(engine) as uow:
        held: dict[UUID, int] = {}
        for mentor_id in pending.values():
            held[mentor_id] = held.get(mentor_id, 0) + 1
        for mentor in mentors:  # no mentor got more learners than places
            assert held.get(mentor.id, 0) <= (mentor.profile.mentor_capacity or 0)
        assert await uow.mentorships.count_waiting("python") == REQUESTS - len(pending)

    # A third delivery of a finished round changes nothing.
    again = await _job(engine, Notifier(clock), clock)(queued.id)
    assert again == done
    assert await _pending(engine, requests) == pending
