"""Rounds with a record, on the in-memory adapters: who may start and read them, inline or queued by size,
failures stored (freeing the domain), deliveries of a finished round ignored, the unassigned told apart only
within a budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest

from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching import round_solving
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.round_jobs import ExecuteMatchingRound, GetMatchingRound, StartMatchingRound
from skillbridge.application.matching.round_solving import NO_ELIGIBLE_MENTOR, NOT_PLACED
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.job_queue import JobArgument
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import DependencyUnavailable, Forbidden
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.matching.round_runs import RoundInProgress, RoundStatus
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Weights,
)
from tests.support.entities import location, make_mentor, make_mentorship, make_user

LAGOS = location(6.52, 3.38, "NG", "Lagos")
POLICY = MatchingPolicy(round_inline_max_requests=2)
ADMIN = Principal(make_user().id, Role.ADMIN, email_verified=True)


class AwayEngine(ReferenceMatchingEngine):
    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        raise DependencyUnavailable("the matcher service does not answer")


class BrokenEngine(ReferenceMatchingEngine):
    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        raise RuntimeError("the solver fell over")


@dataclass
class RecordingQueue:
    """A queue that keeps what it was given (or refuses everything)."""

    refuse: bool = False
    queued: list[tuple[str, dict[str, JobArgument]]] = field(default_factory=list)

    async def enqueue(self, name: str, arguments: Mapping[str, JobArgument]) -> None:
        if self.refuse:
            raise DependencyUnavailable("the job queue does not answer")
        self.queued.append((name, dict(arguments)))


@dataclass
class World:
    db: MemoryDatabase = field(default_factory=MemoryDatabase)
    clock: MutableClock = field(default_factory=MutableClock)

    def start(self, queue: RecordingQueue, engine: Any = None, policy: MatchingPolicy = POLICY) -> StartMatchingRound:
        engine = engine or ReferenceMatchingEngine()
        return StartMatchingRound(
            MemoryUnitOfWork(self.db),
            engine,
            policy,
            self.clock,
            Notifier(self.clock),
            queue,
        )

    def execute(self, engine: Any = None) -> ExecuteMatchingRound:
        engine = engine or ReferenceMatchingEngine()
        return ExecuteMatchingRound(MemoryUnitOfWork(self.db), engine, POLICY, self.clock, Notifier(self.clock))

    async def waiting(self, count: int, *, mentor_languages: tuple[str, ...] = ("en",)) -> None:
        """``count`` learners waiting in "python" and one new mentor of it with one place."""
        mentor = make_mentor(
            f"m-{uuid4().hex[:8]}", skills=("python",), at=LAGOS, capacity=1, languages=mentor_languages
        )
        learners = [
            make_user(profile=Profile(display_name="L", skills=("python",), location=LAGOS, languages=("en",)))
            for _ in range(count)
        ]
        async with MemoryUnitOfWork(self.db) as uow:
            for user in (mentor, *learners):
                await uow.users.add(user)
            for learner in learners:
                waiting = make_mentorship(learner.id, None, status=MatchStatus.WAITING, domain="python")
                await uow.mentorships.add(waiting)
            await uow.commit()


async def test_only_admins_start_or_read_rounds() -> None:
    world = World()
    await world.waiting(1)
    started = await world.start(RecordingQueue())(ADMIN)  # control: an admin may
    for role in (Role.LEARNER, Role.MENTOR):
        someone = Principal(make_user().id, role, email_verified=True)
        with pytest.raises(Forbidden):
            await world.start(RecordingQueue())(someone)
        with pytest.raises(Forbidden):
            await GetMatchingRound(MemoryUnitOfWork(world.db))(someone, started.record.id)
    assert (await GetMatchingRound(MemoryUnitOfWork(world.db))(ADMIN, started.record.id)) == started.record


async def test_a_small_round_runs_at_once_and_a_large_one_is_queued() -> None:
    world = World()
    await world.waiting(2)
    queue = RecordingQueue()
    small = await world.start(queue)(ADMIN, domain="python")
    assert small.summary is not None and small.record.status is RoundStatus.DONE
    assert queue.queued == []

    await world.waiting(3)  # 1 left from before + 3 > 2
    large = await world.start(queue)(ADMIN, domain="python")
    assert (large.summary, large.record.status) == (None, RoundStatus.QUEUED)
    assert queue.queued == [("run_matching_round", {"round_id": str(large.record.id)})]
    with pytest.raises(RoundInProgress) as refused:
        await world.start(queue)(ADMIN)  # every domain overlaps the queued one
    assert refused.value.round_id == large.record.id

    done = await world.execute()(large.record.id)
    assert (done.status, done.requests_considered, done.matches_stored) == (RoundStatus.DONE, 4, 1)
    assert await world.execute()(large.record.id) == done  # a second delivery changes nothing


async def test_a_round_that_raises_is_stored_failed_and_frees_its_domain() -> None:
    world = World()
    await world.waiting(1)
    with pytest.raises(RuntimeError):
        await world.start(RecordingQueue(), BrokenEngine())(ADMIN, domain="python")
    [failed] = world.db.state.matching_rounds.values()
    assert (failed.status, failed.error) == (RoundStatus.FAILED, "RuntimeError: the solver fell over")
    again = await world.start(RecordingQueue())(ADMIN, domain="python")  # the domain is free again
    assert again.record.status is RoundStatus.DONE

    await world.waiting(3)
    queued = await world.start(RecordingQueue())(ADMIN, domain="python")
    failed_job = await world.execute(BrokenEngine())(queued.record.id)  # stored failed, not raised
    assert (failed_job.status, failed_job.error) == (RoundStatus.FAILED, "RuntimeError: the solver fell over")
    assert failed_job.finished_at == world.clock.now()


async def test_a_job_the_queue_refuses_is_stored_failed() -> None:
    world = World()
    await world.waiting(3)
    with pytest.raises(DependencyUnavailable):
        await world.start(RecordingQueue(refuse=True))(ADMIN, domain="python")
    retried = await world.start(RecordingQueue())(ADMIN, domain="python")  # the domain was freed
    assert retried.record.status is RoundStatus.QUEUED


async def test_the_unassigned_are_told_apart_only_within_the_pair_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    await world.waiting(3, mentor_languages=("fr",))  # no language in common: the engine assigns no one
    unexplained = await world.start(RecordingQueue(), policy=MatchingPolicy())(ADMIN)
    assert unexplained.summary is not None
    assert [item.reason for item in unexplained.summary.unassigned] == [NO_ELIGIBLE_MENTOR] * 3  # control

    monkeypatch.setattr(round_solving, "MAX_EXPLAINED_PAIRS", 2)  # 3 unassigned x 1 mentor > 2
    beyond = await world.start(RecordingQueue(), policy=MatchingPolicy())(ADMIN)
    assert beyond.summary is not None
    assert [item.reason for item in beyond.summary.unassigned] == [NOT_PLACED] * 3
    assert beyond.record.unassigned == {NOT_PLACED: 3}


async def test_a_job_cut_by_an_unavailable_dependency_stays_running_and_the_retry_finishes_it() -> None:
    world = World()
    await world.waiting(3)
    queued = await world.start(RecordingQueue())(ADMIN, domain="python")

    with pytest.raises(DependencyUnavailable):  # raised: the queue retries the job
        await world.execute(AwayEngine())(queued.record.id)
    async with MemoryUnitOfWork(world.db) as uow:
        assert (await uow.matching_rounds.get(queued.record.id)).status is RoundStatus.RUNNING

    done = await world.execute()(queued.record.id)
    assert (done.status, done.matches_stored) == (RoundStatus.DONE, 1)
