"""Badges and the records that earn them, held to one contract on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import MatchStatus
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user
from tests.support.roadmaps import make_roadmap


async def test_badges_are_listed_oldest_first_and_held_once_per_type(store: Store) -> None:
    user, admin = make_user(), make_user()
    later = Badge(user_id=user.id, type="silver-mentor", criteria={"name": "Silver"}, awarded_at=T0 + timedelta(1))
    first = Badge(
        user_id=user.id, type="bronze-mentor", criteria={"name": "Bronze"}, awarded_at=T0, awarded_by=admin.id
    )
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.users.add(admin)
        await uow.badges.add(later)
        await uow.badges.add(first)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.badges.list_for_user(user.id) == [first, later]
        assert await uow.badges.list_for_user(admin.id) == []
    for clash in (replace(first, id=uuid4()), Badge(user_id=uuid4(), type="x", criteria={}, awarded_at=T0)):
        async with store.new_uow() as uow:
            with pytest.raises(Conflict):
                await uow.badges.add(clash)  # both adapters check at the write


async def test_records_count_completed_mentorships_ratings_and_finished_roadmaps(store: Store) -> None:
    mentor, learners = make_mentor("Rated", capacity=5), [make_user() for _ in range(4)]
    done = {"status": MatchStatus.COMPLETED, "accepted_at": T0, "completed_at": T0 + timedelta(days=20)}
    matches = [
        make_mentorship(learners[0].id, mentor.id, rating=5, **done),
        make_mentorship(learners[1].id, mentor.id, rating=2, **done),
        make_mentorship(learners[2].id, mentor.id, **done),
        make_mentorship(learners[3].id, mentor.id, status=MatchStatus.ACTIVE),
    ]
    async with store.new_uow() as uow:
        for user in (mentor, *learners):
            await uow.users.add(user)
        for match in matches:
            await uow.mentorships.add(match)
        await uow.roadmaps.add(make_roadmap(learners[0].id, progress=100.0))
        await uow.roadmaps.add(make_roadmap(learners[0].id, progress=40.0))
        await uow.commit()

    async with store.new_uow() as uow:
        completions = await uow.mentorships.completions(mentor.id)
        assert sorted((c.learner_id, c.rating) for c in completions) == sorted(
            [(learners[0].id, 5), (learners[1].id, 2), (learners[2].id, None)]
        )
        assert {(c.accepted_at, c.completed_at) for c in completions} == {(T0, T0 + timedelta(days=20))}
        assert await uow.mentorships.completions(learners[0].id) == []
        assert await uow.roadmaps.count_completed(learners[0].id) == 1
        assert await uow.roadmaps.count_completed(learners[1].id) == 0
