"""Matching rounds with a record: started by an admin, run within the request when small and as a job when not,
polled by id."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

import structlog

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.jobs.names import JobName
from skillbridge.application.matching.policy import MAX_JOB_ROUND_MENTORS, MatchingPolicy
from skillbridge.application.matching.round_solving import RoundLimits, RoundOutcome, RoundWork
from skillbridge.application.matching.rounds import RoundSummary, inline_limits, summary_of
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.job_queue import JobQueue
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict, DependencyUnavailable
from skillbridge.domain.jobs.failure import short_error
from skillbridge.domain.matching.round_runs import (
    EVERY_DOMAIN,
    MatchingRound,
    RoundInProgress,
    RoundStatus,
    scopes_overlap,
)
from skillbridge.domain.matching.scoring import Algorithm, Weights

_log = structlog.get_logger(__name__)


def job_limits(policy: MatchingPolicy) -> RoundLimits:
    """What a round run as a job takes: far more requests and mentors, and a longer time budget."""
    return RoundLimits(
        max_requests=policy.round_job_max_requests,
        max_mentors=MAX_JOB_ROUND_MENTORS,
        page_size=policy.round_page_size,
        batch_size=policy.round_batch_size,
        time_budget=policy.round_job_time_budget,
    )


@dataclass(frozen=True, slots=True)
class RoundStart:
    """A started round's record, and its summary when it ran within the request (None: queued as a job)."""

    record: MatchingRound
    summary: RoundSummary | None


async def _finish(uow: UnitOfWork, clock: Clock, outcome: RoundOutcome) -> MatchingRound:
    """Store the round as done, with its unassigned requests counted by reason."""
    assert outcome.progress is not None  # noqa: S101 - a round with a record always has its progress
    reasons = Counter(item.reason for item in outcome.unassigned)
    done = outcome.progress.finished(clock.now(), dict(sorted(reasons.items())))
    async with uow as unit:
        await unit.matching_rounds.save(done)
        await unit.commit()
    return done


async def _fail(uow: UnitOfWork, clock: Clock, round_id: UUID, error: BaseException) -> MatchingRound:
    """Store the round as failed (its counters as the last committed batch left them)."""
    async with uow as unit:
        failed = (await unit.matching_rounds.get(round_id)).failed(clock.now(), short_error(error))
        await unit.matching_rounds.save(failed)
        await unit.commit()
    return failed


class StartMatchingRound:
    """Start a matching round over the waiting requests of one domain (or of every domain).

    Rules:
    - admins only;
    - one open (queued or running) round at a time per scope, and none beside a round of every domain:
      :class:`RoundInProgress` (a Conflict naming the open round) otherwise, also when a concurrent start
      won the race (the partial unique index of the store holds it);
    - a scope holding at most ``policy.round_inline_max_requests`` waiting requests is solved within the
      call, with :class:`~skillbridge.application.matching.rounds.RunMatchingRound`'s rules and limits, and
      the summary is returned; a larger one is queued as the ``run_matching_round`` job
      (:class:`ExecuteMatchingRound`) and only its record is returned;
    - either way the round has a record whose progress moves with each stored batch; a round that raised
      is stored as failed (and the error raised again when it ran within the call); a job the queue refused
      is stored as failed and DependencyUnavailable raised.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        engine: MatchingEngine,
        policy: MatchingPolicy,
        clock: Clock,
        notifier: Notifier,
        queue: JobQueue,
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._queue = queue
        self._work = RoundWork(uow, engine, policy, clock, notifier)

    async def __call__(
        self,
        principal: Principal,
        weights: Weights | None = None,
        algorithm: Algorithm = "optimal",
        domain: str | None = None,
    ) -> RoundStart:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:matching_round")
        started = time.perf_counter()
        record, inline = await self._claim(principal, weights, algorithm, domain or EVERY_DOMAIN)
        if not inline:
            try:
                await self._queue.enqueue(JobName.RUN_MATCHING_ROUND, {"round_id": str(record.id)})
            except Exception as exc:
                await _fail(self._uow, self._clock, record.id, exc)
                raise
            async with self._uow.reading() as uow:  # an in-process queue has run it already
                return RoundStart(await uow.matching_rounds.get(record.id), None)
        limits = inline_limits(self._policy)
        try:
            read = await self._work.read(domain, limits)
            outcome = await self._work.solve_and_write(
                read, weights or self._policy.weights, algorithm, limits, progress=record
            )
        except Exception as exc:
            await _fail(self._uow, self._clock, record.id, exc)
            raise
        done = await _finish(self._uow, self._clock, outcome)
        return RoundStart(done, summary_of(outcome, algorithm, started, read.left_waiting))

    async def _claim(
        self, principal: Principal, weights: Weights | None, algorithm: Algorithm, scope: str
    ) -> tuple[MatchingRound, bool]:
        """Store the round's record (running when it runs within the call, else queued)."""
        now = self._clock.now()
        try:
            async with self._uow as uow:
                await _refuse_overlap(uow, scope)
                waiting = await uow.mentorships.count_waiting(None if scope == EVERY_DOMAIN else scope)
                inline = waiting <= self._policy.round_inline_max_requests
                record = MatchingRound(
                    scope=scope,
                    algorithm=algorithm,
                    requested_by=principal.user_id,
                    created_at=now,
                    weights=weights,
                    status=RoundStatus.RUNNING if inline else RoundStatus.QUEUED,
                    started_at=now if inline else None,
                )
                await uow.matching_rounds.add(record)
                await uow.commit()
        except RoundInProgress:
            raise
        except Conflict:  # a concurrent start of the same scope committed first
            async with self._uow.reading() as uow:
                await _refuse_overlap(uow, scope)
            raise
        return record, inline


async def _refuse_overlap(uow: UnitOfWork, scope: str) -> None:
    for other in await uow.matching_rounds.list_open():
        if scopes_overlap(other.scope, scope):
            raise RoundInProgress(other.id)


class GetMatchingRound:
    """One matching round's record: status, progress, timings and result summary. Admins only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, round_id: UUID) -> MatchingRound:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:read_matching_round")
        async with self._uow.reading() as uow:
            return await uow.matching_rounds.get(round_id)


class ExecuteMatchingRound:
    """The ``run_matching_round`` job: run a queued round with the job's limits (:func:`job_limits`).

    Rules:
    - a round that is done or failed already is returned as it is (a queue delivers at least once);
    - a running round is one whose earlier delivery died: it is taken up again, reading what still waits,
      so the matches it stored are not offered twice (they wait no more) and its counters go on from the
      last committed batch;
    - DependencyUnavailable (the database or the engine away, a statement timed out) leaves the round
      running and is raised, for the queue to deliver the job again later;
    - any other error stores the round as failed (freeing its domain) and is not raised: an admin starts a
      new round, which takes what still waits.
    """

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, clock: Clock, notifier: Notifier
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock
        self._work = RoundWork(uow, engine, policy, clock, notifier)

    async def __call__(self, round_id: UUID) -> MatchingRound:
        self._uow.act_for_system("job:run_matching_round")
        async with self._uow as uow:
            record = await uow.matching_rounds.get(round_id)
            if not record.is_open:
                return record
            record = record.running(self._clock.now())
            await uow.matching_rounds.save(record)
            await uow.commit()
        limits = job_limits(self._policy)
        try:
            read = await self._work.read(record.domain, limits)
            outcome = await self._work.solve_and_write(
                read, record.weights or self._policy.weights, record.algorithm, limits, progress=record
            )
        except DependencyUnavailable:
            # The database or the engine is away for now: the round stays running, the queue retries the job
            # (with backoff), and the retry goes on from the last committed batch.
            _log.warning("matching_round_interrupted", round_id=str(round_id), exc_info=True)
            raise
        except Exception as exc:
            _log.warning("matching_round_failed", round_id=str(round_id), exc_info=True)
            return await _fail(self._uow, self._clock, round_id, exc)
        return await _finish(self._uow, self._clock, outcome)
