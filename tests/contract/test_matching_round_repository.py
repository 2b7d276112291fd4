"""The matching-round repository on memory, SQLite and PostgreSQL: stored as given, one open round per scope,
and the keyset pages a round reads the waiting requests and the free mentors by."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.candidates import CandidateQuery
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.matching.round_runs import EVERY_DOMAIN, MatchingRound, RoundStatus
from skillbridge.domain.matching.scoring import Weights
from tests.contract.conftest import Store
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user

LAGOS = location(6.52, 3.38, "NG", "Lagos")


def _round(scope: str = "python", minutes: int = 0) -> MatchingRound:
    return MatchingRound(
        scope=scope,
        algorithm="greedy",
        requested_by=None,
        created_at=T0 + timedelta(minutes=minutes),
        weights=Weights(min_score=0.3),
    )


async def _add(store: Store, matching_round: MatchingRound) -> None:
    async with store.new_uow() as uow:
        await uow.matching_rounds.add(matching_round)
        await uow.commit()


async def test_a_round_is_stored_as_given_and_its_progress_saved(store: Store) -> None:
    first = _round()
    async with store.new_uow() as uow:
        await uow.matching_rounds.add(first)
        await uow.commit()
    moved = first.running(T0 + timedelta(seconds=5)).solved(300, "native", 7).with_batch(40, 31.5).with_batch(2, 1.5)
    done = moved.finished(T0 + timedelta(minutes=1), {"no_eligible_mentor": 3})
    async with store.new_uow() as uow:
        assert await uow.matching_rounds.get(first.id) == first
        await uow.matching_rounds.save(moved)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.matching_rounds.get(first.id) == moved
        assert [item.id for item in await uow.matching_rounds.list_open()] == [first.id]
        await uow.matching_rounds.save(done)
        await uow.commit()
    async with store.new_uow() as uow:
        stored = await uow.matching_rounds.get(first.id)
        assert (stored.status, stored.matches_stored, stored.batches_written) == (RoundStatus.DONE, 42, 2)
        assert stored.total_score == pytest.approx(33.0)
        assert stored == done
        assert await uow.matching_rounds.list_open() == []
        with pytest.raises(NotFound):
            await uow.matching_rounds.get(uuid4())
        with pytest.raises(NotFound):
            await uow.matching_rounds.save(_round())


async def test_one_open_round_per_scope(store: Store) -> None:
    open_round = _round("python")
    async with store.new_uow() as uow:
        await uow.matching_rounds.add(open_round)
        await uow.matching_rounds.add(_round(EVERY_DOMAIN, 1))  # control: another scope is free
        await uow.commit()
    with pytest.raises(Conflict):
        await _add(store, _round("python", 2))
    async with store.new_uow() as uow:
        await uow.matching_rounds.save(open_round.failed(T0 + timedelta(minutes=3), "RuntimeError: boom"))
        await uow.commit()
    again = _round("python", 4)
    async with store.new_uow() as uow:  # the scope is free once its round failed
        await uow.matching_rounds.add(again)
        await uow.commit()
    async with store.new_uow() as uow:
        assert [item.scope for item in await uow.matching_rounds.list_open()] == [EVERY_DOMAIN, "python"]


async def test_waiting_requests_and_free_mentors_are_read_page_by_page(store: Store) -> None:
    learners = [make_user(f"l{i}@example.org") for i in range(5)]
    mentors = [make_mentor(f"m{i}", at=LAGOS, capacity=1, created_at=T0 + timedelta(minutes=i)) for i in range(5)]
    full = make_mentor("full", at=LAGOS, capacity=1, created_at=T0 + timedelta(minutes=2, seconds=30))
    requests = [
        make_mentorship(
            learner.id,
            None,
            status=MatchStatus.WAITING,
            domain="python" if i % 2 == 0 else "design",
            created_at=T0 + timedelta(minutes=i // 2),  # two share each instant: the id breaks the tie
        )
        for i, learner in enumerate(learners)
    ]
    async with store.new_uow() as uow:
        for user in (*learners, *mentors, full):
            await uow.users.add(user)
        for request in requests:
            await uow.mentorships.add(request)
        await uow.mentorships.add(make_mentorship(learners[0].id, full.id, status=MatchStatus.ACTIVE, domain="x"))
        await uow.commit()
    expected = [r.id for r in sorted(requests, key=lambda r: (r.created_at, str(r.id)))]
    async with store.new_uow() as uow:
        first = await uow.mentorships.waiting_page(None, None, 2)
        second = await uow.mentorships.waiting_page(None, (first[-1].created_at, first[-1].id), 2)
        third = await uow.mentorships.waiting_page(None, (second[-1].created_at, second[-1].id), 2)
        assert [r.id for r in (*first, *second, *third)] == expected
        python = await uow.mentorships.waiting_page("python", None, 10)
        assert [r.id for r in python] == [i for i in expected if i in {r.id for r in requests[::2]}]
        assert (await uow.mentorships.count_waiting("python"), await uow.mentorships.count_waiting()) == (3, 5)

        page = await uow.mentorships.candidates(CandidateQuery(limit=2))
        rest = await uow.mentorships.candidates(
            CandidateQuery(limit=10, after=(page[-1].mentor.created_at, page[-1].mentor.id))
        )
        # Oldest account first; the mentor without a free place is in neither page.
        assert [card.mentor.id for card in (*page, *rest)] == [mentor.id for mentor in mentors]
