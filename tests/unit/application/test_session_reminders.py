"""The session reminder job's use case on the in-memory adapters: who is reminded of what, when, and once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.reminders import SendSessionReminders
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import make_mentor, make_mentorship, make_user

POLICY = MatchingPolicy(remind_before=timedelta(minutes=30))


class World:
    def __init__(self) -> None:
        self.db = MemoryDatabase()
        self.clock = MutableClock()

    def send(self) -> SendSessionReminders:
        return SendSessionReminders(MemoryUnitOfWork(self.db), self.clock, Notifier(self.clock), POLICY)

    def session_in(self, minutes: float, topic: str = "code review") -> ScheduledSession:
        return ScheduledSession(time=self.clock.now() + timedelta(minutes=minutes), topic=topic, duration_minutes=45)

    async def mentorship(self, *sessions: ScheduledSession, status: MatchStatus = MatchStatus.ACTIVE) -> Mentorship:
        learner, mentor = make_user(), make_mentor(f"Chidi {uuid4().hex[:6]}")
        mentorship = replace(
            make_mentorship(learner.id, mentor.id, status=status, domain="python"),
            session_schedule=sessions,
            expires_at=None,
        )
        async with MemoryUnitOfWork(self.db) as uow:
            await uow.users.add(learner)
            await uow.users.add(mentor)
            await uow.mentorships.add(mentorship)
            await uow.commit()
        return mentorship

    async def reminders_of(self, mentorship: Mentorship) -> dict[str, list[Notification]]:
        found: dict[str, list[Notification]] = {}
        async with MemoryUnitOfWork(self.db) as uow:
            for who, user_id in (("learner", mentorship.learner_id), ("mentor", mentorship.mentor_id)):
                assert user_id is not None
                page = await uow.notifications.list_for_user(user_id, PageRequest())
                found[who] = [n for n in page.items if n.type is NotificationType.SESSION_REMINDER]
        return found


@pytest.fixture
def world() -> World:
    return World()


async def test_both_participants_are_reminded_of_a_session_about_to_start(world: World) -> None:
    session = world.session_in(20, "Pandas basics")
    mentorship = await world.mentorship(session)

    assert await world.send()() == 1

    reminders = await world.reminders_of(mentorship)
    assert [len(reminders["learner"]), len(reminders["mentor"])] == [1, 1]
    reminder = reminders["mentor"][0]
    assert "Pandas basics" in reminder.message
    assert session.time.strftime("%H:%M UTC") in reminder.message
    assert reminder.payload == {
        "match_id": str(mentorship.id),
        "session_id": str(session.id),
        "starts_at": session.time.isoformat(),
        "topic": "Pandas basics",
        "duration_minutes": 45,
    }


async def test_a_session_is_reminded_once_however_often_the_job_runs(world: World) -> None:
    mentorship = await world.mentorship(world.session_in(20))
    assert [await world.send()() for _ in range(3)] == [1, 0, 0]
    world.clock.advance(timedelta(minutes=5))
    assert await world.send()() == 0
    assert [len(v) for v in (await world.reminders_of(mentorship)).values()] == [1, 1]


async def test_two_runs_at_once_remind_once(world: World) -> None:
    mentorship = await world.mentorship(world.session_in(10), world.session_in(25))
    counts = await asyncio.gather(world.send()(), world.send()())
    assert sum(counts) == 2
    assert [len(v) for v in (await world.reminders_of(mentorship)).values()] == [2, 2]


async def test_only_sessions_inside_the_window_of_active_mentorships_are_reminded(world: World) -> None:
    later = world.session_in(45, "later")
    started = world.session_in(-1, "started")
    active = await world.mentorship(later, started)
    pending = await world.mentorship(world.session_in(10), status=MatchStatus.PENDING)
    completed = await world.mentorship(world.session_in(10), status=MatchStatus.COMPLETED)

    assert await world.send()() == 0
    world.clock.advance(timedelta(minutes=16))  # "later" is 29 minutes away now
    assert await world.send()() == 1

    assert [n.payload["topic"] for n in (await world.reminders_of(active))["learner"]] == ["later"]
    for other in (pending, completed):
        assert (await world.reminders_of(other)) == {"learner": [], "mentor": []}


async def test_a_session_that_started_while_the_worker_was_down_is_not_reminded_late(world: World) -> None:
    mentorship = await world.mentorship(world.session_in(20))
    world.clock.advance(timedelta(minutes=21))
    assert await world.send()() == 0
    assert (await world.reminders_of(mentorship)) == {"learner": [], "mentor": []}
