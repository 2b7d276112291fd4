"""The mentorship repository's lifecycle queries, held to one contract on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user


async def _people(store: Store, learners: int = 2, mentors: int = 2) -> tuple[list[User], list[User]]:
    people = [make_user() for _ in range(learners)], [make_mentor(f"M{index}") for index in range(mentors)]
    async with store.new_uow() as uow:
        for user in [*people[0], *people[1]]:
            await uow.users.add(user)
        await uow.commit()
    return people


async def test_update_stores_changes_with_optimistic_locking(store: Store) -> None:
    (learner, _), (mentor, other) = await _people(store)
    pending = make_mentorship(learner.id, mentor.id)
    async with store.new_uow() as uow:
        await uow.mentorships.add(pending)
        await uow.commit()

    active = replace(pending, status=MatchStatus.ACTIVE, expires_at=None, updated_at=T0 + timedelta(hours=1))
    async with store.new_uow() as uow:
        stored = await uow.mentorships.update(active)
        await uow.commit()
    assert stored.version == 2
    async with store.new_uow() as uow:
        again = await uow.mentorships.get(pending.id)
    assert (again.status, again.expires_at, again.version) == (MatchStatus.ACTIVE, None, 2)
    assert again.updated_at == T0 + timedelta(hours=1)
    assert again.session_schedule == pending.session_schedule

    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.mentorships.update(active)  # version 1 is stale now
    async with store.new_uow() as uow:
        with pytest.raises(NotFound):
            await uow.mentorships.update(make_mentorship(learner.id, other.id))
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):  # a pending match needs its mentor
            await uow.mentorships.update(replace(again, mentor_id=None))


async def test_a_second_open_request_in_a_domain_is_refused_on_update_too(store: Store) -> None:
    (learner, _), (mentor, _) = await _people(store)
    done = make_mentorship(learner.id, mentor.id, domain="python", status=MatchStatus.REJECTED)
    waiting = make_mentorship(learner.id, None, domain="python", status=MatchStatus.WAITING)
    async with store.new_uow() as uow:
        await uow.mentorships.add(done)
        await uow.mentorships.add(waiting)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.mentorships.update(replace(done, status=MatchStatus.PENDING))


async def test_a_participant_lists_their_matches_newest_first_filtered_by_status(store: Store) -> None:
    (ada, kofi), (mentor, other) = await _people(store)
    matches = [
        make_mentorship(ada.id, mentor.id, status=MatchStatus.ACTIVE, created_at=T0),
        make_mentorship(ada.id, other.id, status=MatchStatus.PENDING, created_at=T0 + timedelta(minutes=1)),
        make_mentorship(kofi.id, mentor.id, status=MatchStatus.COMPLETED, created_at=T0 + timedelta(minutes=2)),
        make_mentorship(ada.id, None, status=MatchStatus.WAITING, created_at=T0 + timedelta(minutes=3)),
    ]
    async with store.new_uow() as uow:
        for match in matches:
            await uow.mentorships.add(match)
        await uow.commit()

    async with store.new_uow() as uow:
        ada_all = await uow.mentorships.list_for_participant(ada.id, PageRequest())
        ada_open = await uow.mentorships.list_for_participant(
            ada.id, PageRequest(limit=1, offset=1), frozenset({MatchStatus.ACTIVE, MatchStatus.PENDING})
        )
        mentor_all = await uow.mentorships.list_for_participant(mentor.id, PageRequest())
        nobody = await uow.mentorships.list_for_participant(uuid4(), PageRequest())
    assert [m.id for m in ada_all.items] == [matches[3].id, matches[1].id, matches[0].id]
    assert ([m.id for m in ada_open.items], ada_open.total) == ([matches[0].id], 2)
    assert [m.id for m in mentor_all.items] == [matches[2].id, matches[0].id]
    assert (list(nobody.items), nobody.total) == ([], 0)


async def test_sweeps_find_waiting_requests_overdue_answers_and_declined_mentors(store: Store) -> None:
    (ada, kofi), (mentor, other) = await _people(store)
    waiting_late = make_mentorship(ada.id, None, status=MatchStatus.WAITING, created_at=T0 + timedelta(hours=1))
    waiting_early = make_mentorship(kofi.id, None, status=MatchStatus.WAITING, created_at=T0)
    overdue = make_mentorship(ada.id, mentor.id, domain="ml", expires_at=T0 + timedelta(days=1))
    more_overdue = make_mentorship(kofi.id, other.id, domain="ml", expires_at=T0 + timedelta(hours=2))
    not_yet = make_mentorship(kofi.id, mentor.id, domain="web", expires_at=T0 + timedelta(days=9))
    rejected = make_mentorship(ada.id, other.id, domain="ml", status=MatchStatus.REJECTED)
    expired = make_mentorship(ada.id, mentor.id, domain="ml", status=MatchStatus.EXPIRED)
    elsewhere = make_mentorship(ada.id, other.id, domain="web", status=MatchStatus.REJECTED)
    async with store.new_uow() as uow:
        for match in (waiting_late, waiting_early, overdue, more_overdue, not_yet, rejected, expired, elsewhere):
            await uow.mentorships.add(match)
        await uow.commit()

    now = T0 + timedelta(days=2)
    async with store.new_uow() as uow:
        assert [m.id for m in await uow.mentorships.list_waiting(10)] == [waiting_early.id, waiting_late.id]
        assert [m.id for m in await uow.mentorships.list_waiting(1)] == [waiting_early.id]
        assert [m.id for m in await uow.mentorships.list_overdue(now, 10)] == [more_overdue.id, overdue.id]
        assert await uow.mentorships.list_overdue(T0, 10) == []
        excluded = await uow.mentorships.exclusions([ada.id, kofi.id])
        assert excluded.declined[(ada.id, "ml")] == {mentor.id, other.id}
        assert excluded.mentors_for(ada.id, "web") == {other.id, mentor.id}  # declined in web; open in ml
        assert excluded.mentors_for(kofi.id, "ml") == {other.id, mentor.id}  # no decline; both open
        assert excluded.mentors_for(uuid4(), "ml") == frozenset()
        found = await uow.mentorships.find_open_request(ada.id, "ml")
        assert found is not None
        assert found.id == overdue.id
        assert await uow.mentorships.find_open_request(ada.id, "sql") is None


async def test_get_many_returns_the_users_that_exist(store: Store) -> None:
    (ada, _), (mentor,) = await _people(store, mentors=1)
    async with store.new_uow() as uow:
        found = await uow.users.get_many([ada.id, mentor.id, uuid4(), ada.id])
        assert await uow.users.get_many([]) == {}
    assert set(found) == {ada.id, mentor.id}
    assert found[mentor.id].email == mentor.email


async def test_a_mentor_is_never_booked_beyond_their_capacity(store: Store) -> None:
    (ada, kofi), (mentor,) = await _people(store, mentors=1)  # capacity 2
    first = make_mentorship(ada.id, mentor.id, domain="a")
    second = make_mentorship(kofi.id, mentor.id, domain="a", status=MatchStatus.ACTIVE)
    waiting = make_mentorship(ada.id, None, domain="b", status=MatchStatus.WAITING)
    async with store.new_uow() as uow:
        for match in (first, second, waiting):
            await uow.mentorships.add(match)
        await uow.commit()

    async with store.new_uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.mentorships.add(make_mentorship(kofi.id, mentor.id, domain="c"))
    assert caught.value.field == "mentor_id"
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.mentorships.update(replace(waiting, status=MatchStatus.PENDING, mentor_id=mentor.id))
    # Moving within the open statuses takes no new place: accepting is never refused for capacity.
    async with store.new_uow() as uow:
        await uow.mentorships.update(replace(first, status=MatchStatus.ACTIVE, expires_at=None))
        await uow.commit()


async def test_of_two_concurrent_bookings_of_a_last_place_one_is_refused(store: Store) -> None:
    (ada, kofi), (mentor,) = await _people(store, mentors=1)
    async with store.new_uow() as uow:
        await uow.mentorships.add(make_mentorship(ada.id, mentor.id, domain="held"))  # 1 of 2 places
        await uow.commit()

    async def book(learner_id: object) -> str:
        try:
            async with store.new_uow() as uow:
                await uow.mentorships.add(make_mentorship(learner_id, mentor.id, domain="race"))  # type: ignore[arg-type]
                await asyncio.sleep(0.05)  # both hold their write before either commits
                await uow.commit()
        except Conflict:
            return "refused"
        return "booked"

    assert sorted(await asyncio.gather(book(ada.id), book(kofi.id))) == ["booked", "refused"]
    async with store.new_uow() as uow:
        assert await uow.mentorships.count_open_by_mentor([mentor.id]) == {mentor.id: 2}
