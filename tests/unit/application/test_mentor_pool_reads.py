"""The mentor pool reads the database once for a burst of requests that miss its cache together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.matching.candidates import CandidateQuery
from skillbridge.domain.matching.scoring import LearnerProfile, Weights
from tests.support.entities import location, make_mentor

POLICY = MatchingPolicy(respond_within=timedelta(days=3), pool_cache_ttl=timedelta(seconds=30))
WEIGHTS = Weights()
LAGOS = location(6.52, 3.38, "NG", "Lagos")


def _learner(skills: tuple[str, ...] = ("python",)) -> LearnerProfile:
    return LearnerProfile(
        id="learner",
        skills=skills,
        lat=6.52,
        lon=3.38,
        remote_ok=True,
        hours_per_week=3,
        slots=(10,),
        languages=("en",),
    )


class GatedCandidates:
    """The repository's ``candidates``, held until ``opened`` is set, counting its calls."""

    def __init__(self, cards: Sequence[MentorCard], failure: BaseException | None = None) -> None:
        self.cards = list(cards)
        self.failure = failure
        self.calls = 0
        self.opened = asyncio.Event()

    async def __call__(self, _query: CandidateQuery) -> Sequence[MentorCard]:
        self.calls += 1
        await self.opened.wait()
        if self.failure is not None:
            raise self.failure
        return self.cards


def _unit(candidates: GatedCandidates) -> Any:
    """The part of a unit of work the pool uses."""
    return SimpleNamespace(mentorships=SimpleNamespace(candidates=candidates))


async def _settle() -> None:
    """Let every started task run until it waits (nothing here does real I/O)."""
    for _ in range(20):
        await asyncio.sleep(0)


def _cards() -> list[MentorCard]:
    mentor = make_mentor("Chidi", skills=("python",), at=LAGOS)
    return [MentorCard(mentor, open_mentorships=0, distance_km=None)]


async def _burst(pool: MentorPool, candidates: GatedCandidates, learners: Sequence[LearnerProfile]) -> list[Any]:
    tasks = [asyncio.create_task(pool.candidates(_unit(candidates), learner, WEIGHTS)) for learner in learners]
    await _settle()  # every task has reached the pool; the first of each pool is inside its read
    candidates.opened.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_burst_for_one_pool_reads_once_and_every_request_gets_it() -> None:
    candidates = GatedCandidates(_cards())
    pool = MentorPool(MutableClock(), POLICY)
    results = await _burst(pool, candidates, [_learner()] * 8)
    assert candidates.calls == 1
    assert [len(result) for result in results] == [1] * 8
    assert len({result[0].id for result in results}) == 1  # the one mentor of the one read


async def test_different_pools_are_read_apart() -> None:
    candidates = GatedCandidates(_cards())
    pool = MentorPool(MutableClock(), POLICY)
    await _burst(pool, candidates, [_learner(("python",)), _learner(("sql",)), _learner(("python",))])
    assert candidates.calls == 2  # one read per pool: python's burst shared one


async def test_a_failed_read_fails_its_waiters_and_the_next_request_reads_again() -> None:
    candidates = GatedCandidates(_cards(), failure=DependencyUnavailable("the database cannot be reached"))
    pool = MentorPool(MutableClock(), POLICY)
    results = await _burst(pool, candidates, [_learner()] * 3)
    assert candidates.calls == 1
    assert all(isinstance(result, DependencyUnavailable) for result in results)
    candidates.failure = None
    again = await pool.candidates(_unit(candidates), _learner(), WEIGHTS)
    assert candidates.calls == 2 and len(again) == 1


async def test_a_fresh_read_never_waits_on_another() -> None:
    candidates = GatedCandidates(_cards())
    pool = MentorPool(MutableClock(), POLICY)
    waiting = asyncio.create_task(pool.candidates(_unit(candidates), _learner(), WEIGHTS))
    await _settle()
    fresh = asyncio.create_task(pool.candidates(_unit(candidates), _learner(), WEIGHTS, fresh=True))
    await _settle()
    assert candidates.calls == 2  # the fresh one did not wait for the first read
    candidates.opened.set()
    await asyncio.gather(waiting, fresh)
    assert candidates.calls == 2
