"""The mentorship repository's session queries for the reminder job, on memory, SQLite and PostgreSQL:
which sessions are due, and marking one reminded exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.schedule import ScheduledSession
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user

HOUR = timedelta(hours=1)


def _session(at_hours: float, topic: str = "review") -> ScheduledSession:
    return ScheduledSession(time=T0 + at_hours * HOUR, topic=topic, duration_minutes=60)


async def _active_with(
    store: Store, *sessions: ScheduledSession, status: MatchStatus = MatchStatus.ACTIVE
) -> Mentorship:
    learner, mentor = make_user(), make_mentor(f"M-{uuid4().hex[:8]}")
    mentorship = make_mentorship(learner.id, mentor.id, status=status, session_schedule=tuple(sessions))
    if status is not MatchStatus.PENDING:
        mentorship = replace(mentorship, expires_at=None)
    async with store.new_uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(mentorship)
        await uow.commit()
    return mentorship


async def test_due_sessions_are_those_of_active_mentorships_inside_the_window_soonest_first(store: Store) -> None:
    soon, later, past, far = _session(0.5, "soon"), _session(0.9, "later"), _session(-0.1, "past"), _session(5, "far")
    active = await _active_with(store, later, soon, past, far)
    await _active_with(store, _session(0.4, "pending one"), status=MatchStatus.PENDING)
    await _active_with(store, _session(0.4, "completed one"), status=MatchStatus.COMPLETED)

    async with store.new_uow() as uow:
        due = await uow.mentorships.sessions_due(T0, T0 + HOUR, 10)
        assert [(m.id, s.topic) for m, s in due] == [(active.id, "soon"), (active.id, "later")]
        assert due[0][0].learner_id == active.learner_id
        assert [s.topic for _, s in await uow.mentorships.sessions_due(T0, T0 + HOUR, 1)] == ["soon"]
        # the window is (after, until]: a session exactly at `after` has started
        assert [s.topic for _, s in await uow.mentorships.sessions_due(T0 + 0.5 * HOUR, T0 + HOUR, 10)] == ["later"]


async def test_a_session_is_marked_reminded_once_and_is_then_no_longer_due(store: Store) -> None:
    session = _session(0.5)
    await _active_with(store, session)
    async with store.new_uow() as uow:
        assert await uow.mentorships.mark_reminded(session.id, T0) is True
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.mentorships.mark_reminded(session.id, T0) is False
        assert await uow.mentorships.sessions_due(T0, T0 + HOUR, 10) == []
    async with store.new_uow() as uow:
        assert await uow.mentorships.mark_reminded(_session(0.2).id, T0) is False  # no such session


async def test_an_uncommitted_mark_leaves_the_session_due(store: Store) -> None:
    session = _session(0.5)
    await _active_with(store, session)
    async with store.new_uow() as uow:
        assert await uow.mentorships.mark_reminded(session.id, T0) is True  # rolled back on exit
    async with store.new_uow() as uow:
        assert [s.id for _, s in await uow.mentorships.sessions_due(T0, T0 + HOUR, 10)] == [session.id]


async def test_sessions_follow_the_schedule_as_it_changes_and_keep_their_reminder(store: Store) -> None:
    first, second, added = _session(0.3, "first"), _session(0.6, "second"), _session(0.8, "added")
    mentorship = await _active_with(store, first, second)
    async with store.new_uow() as uow:
        assert await uow.mentorships.mark_reminded(first.id, T0)
        await uow.commit()
    async with store.new_uow() as uow:
        current = await uow.mentorships.get(mentorship.id)
        await uow.mentorships.update(replace(current, session_schedule=(first, added)))
        await uow.commit()
    async with store.new_uow() as uow:
        # second was removed, added is new, first keeps its reminder
        assert [s.topic for _, s in await uow.mentorships.sessions_due(T0, T0 + HOUR, 10)] == ["added"]
        assert await uow.mentorships.mark_reminded(second.id, T0) is False


async def test_of_two_concurrent_marks_one_wins(store: Store) -> None:
    session = _session(0.5)
    await _active_with(store, session)

    async def mark() -> bool:
        try:
            async with store.new_uow() as uow:
                marked = await uow.mentorships.mark_reminded(session.id, T0)
                await asyncio.sleep(0.05)
                await uow.commit()
                return marked
        except Conflict:  # the memory adapter refuses the later commit instead
            return False

    assert sorted(await asyncio.gather(mark(), mark())) == [False, True]
