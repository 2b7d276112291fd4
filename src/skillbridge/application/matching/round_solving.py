"""The work of one matching round, whoever runs it (a request, or a job): read page by page, solve, write in
batches, each batch moving the round's progress in its own transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from skillbridge.application.matching.news import request_news
from skillbridge.application.matching.offers import offer_of
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.candidates import CandidateQuery
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import Mentorship, Offer, offered
from skillbridge.domain.matching.pairing import learner_profile, mentor_pool
from skillbridge.domain.matching.round_runs import MatchingRound
from skillbridge.domain.matching.scoring import (
    Algorithm,
    Assignment,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)

#: Why a request stayed waiting.
INCOMPLETE_PROFILE = "learner_profile_incomplete"
NO_MENTOR_AVAILABLE = "no_mentor_available"
NO_ELIGIBLE_MENTOR = "no_eligible_mentor"
PLACES_TAKEN = "places_taken_by_better_matches"
ONLY_DECLINED = "only_declined_mentors_fit"
EXCLUDED = "mentor_excluded_for_learner"
OUT_OF_TIME = "round_time_budget_spent"
#: Left unassigned by the solver in a round too large to ask, request by request, whether anyone was eligible.
NOT_PLACED = "not_placed_by_solver"

#: Most (unassigned request, mentor) pairs looked at to tell the unassigned apart as ``no_eligible_mentor`` or
#: ``places_taken_by_better_matches``: each request costs one recommendation over the whole mentor pool (a few
#: seconds per million pairs), which at 100,000 requests x 30,000 mentors would outlast the solve many times.
MAX_EXPLAINED_PAIRS = 2_000_000


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A request that stays waiting, and why (one of the module's reason codes)."""

    request: Mentorship
    reason: str


@dataclass(frozen=True, slots=True)
class RoundLimits:
    """How much one run of a round takes: requests (oldest first) and mentors read, page size of the reads,
    matches per written batch, and the time after which no further batch is written."""

    max_requests: int
    max_mentors: int
    page_size: int
    batch_size: int
    time_budget: timedelta


@dataclass(slots=True)
class RoundInput:
    """What a round read: the requests it can solve for (with their engine profiles), the mentors, the
    requests set aside already, the learners' exclusions, and how many waiting requests it left unread."""

    candidates: list[Mentorship] = field(default_factory=list)
    profiles: dict[str, LearnerProfile] = field(default_factory=dict)
    mentors: list[MentorProfile] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    exclusions: Exclusions | None = None
    left_waiting: int = 0

    @property
    def considered(self) -> int:
        return len(self.candidates) + len(self.unassigned)


@dataclass(slots=True)
class RoundOutcome:
    """What a round did: the requests it made pending, those it left waiting, their total score, the engine."""

    assigned: list[Mentorship]
    unassigned: list[Unassigned]
    total_score: float
    engine: str
    progress: MatchingRound | None = None


class RoundWork:
    """Read, solve and write one round (the steps :class:`~skillbridge.application.matching.rounds.
    RunMatchingRound` documents), for a request or a job. ``uow`` must act for the system already."""

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, clock: Clock, notifier: Notifier
    ) -> None:
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock
        self._notifier = notifier

    async def read(self, domain: str | None, limits: RoundLimits) -> RoundInput:
        """Page through the waiting requests (their learners page by page) and the free mentors; at 100,000
        requests no statement returns more than ``limits.page_size`` rows of either."""
        read = RoundInput()
        async with self._uow as uow:
            after: tuple[datetime, UUID] | None = None
            while (wanted := min(limits.page_size, limits.max_requests - read.considered)) > 0:
                page = list(await uow.mentorships.waiting_page(domain, after, wanted))
                if not page:
                    break
                self._profile(page, await uow.users.get_many(sorted({r.learner_id for r in page})), read)
                after = (page[-1].created_at, page[-1].id)
                if len(page) < wanted:
                    break
            if read.considered >= limits.max_requests:
                read.left_waiting = max(0, await uow.mentorships.count_waiting(domain) - read.considered)
            read.mentors = await self._free_mentors(uow, limits)
            if read.candidates and read.mentors:
                read.exclusions = await uow.mentorships.exclusions(sorted({r.learner_id for r in read.candidates}))
        return read

    def _profile(self, page: list[Mentorship], learners: dict[UUID, User], read: RoundInput) -> None:
        for request in page:
            try:
                read.profiles[str(request.id)] = learner_profile(
                    learners[request.learner_id],
                    request.learner_needs,
                    privacy=self._policy.privacy,
                    as_id=str(request.id),
                )
            except InvalidInput:
                read.unassigned.append(Unassigned(request, INCOMPLETE_PROFILE))
            else:
                read.candidates.append(request)

    async def _free_mentors(self, uow: UnitOfWork, limits: RoundLimits) -> list[MentorProfile]:
        """Every matchable mentor with a free place, oldest account first, page by page (keyset)."""
        mentors: list[MentorProfile] = []
        after: tuple[datetime, UUID] | None = None
        read = 0
        while (wanted := min(limits.page_size, limits.max_mentors - read)) > 0:
            cards = list(await uow.mentorships.candidates(CandidateQuery(limit=wanted, after=after)))
            if not cards:
                break
            read += len(cards)
            mentors.extend(mentor_pool(cards, self._policy.privacy))
            after = (cards[-1].mentor.created_at, cards[-1].mentor.id)
            if len(cards) < wanted:
                break
        return mentors

    async def solve_and_write(
        self,
        read: RoundInput,
        weights: Weights,
        algorithm: Algorithm,
        limits: RoundLimits,
        progress: MatchingRound | None = None,
    ) -> RoundOutcome:
        """Solve ``read``; write the offers in batches, moving ``progress`` (saved with each batch)."""
        began = self._clock.now()
        unassigned = list(read.unassigned)
        if not read.candidates or not read.mentors or read.exclusions is None:
            unassigned.extend(Unassigned(request, NO_MENTOR_AVAILABLE) for request in read.candidates)
            if progress is not None:  # stored when the round finishes: nothing is written before
                progress = progress.solved(
                    progress.matches_stored + read.considered, self._engine.name, read.left_waiting
                )
            return RoundOutcome([], unassigned, 0.0, self._engine.name, progress)
        result = await self._engine.assign(list(read.profiles.values()), read.mentors, weights, algorithm=algorithm)
        by_id = {str(request.id): request for request in read.candidates}
        offers = _allowed_offers(result.assignments, by_id, read.exclusions, unassigned)
        explain = len(result.unassigned) * len(read.mentors) <= MAX_EXPLAINED_PAIRS
        for request_id in result.unassigned:
            reason = NOT_PLACED
            if explain:
                best = await self._engine.recommend(read.profiles[request_id], read.mentors, 1, weights)
                reason = PLACES_TAKEN if best else NO_ELIGIBLE_MENTOR
            unassigned.append(Unassigned(by_id[request_id], reason))
        if progress is not None:
            progress = progress.solved(progress.matches_stored + read.considered, result.engine, read.left_waiting)
            async with self._uow as uow:
                await uow.matching_rounds.save(progress)
                await uow.commit()
        outcome = RoundOutcome([], unassigned, 0.0, result.engine, progress)
        await self._write(offers, began, limits, outcome)
        return outcome

    async def _write(
        self, offers: list[tuple[Mentorship, Offer]], began: datetime, limits: RoundLimits, outcome: RoundOutcome
    ) -> None:
        for start in range(0, len(offers), limits.batch_size):
            batch = offers[start : start + limits.batch_size]
            if start > 0 and self._clock.now() - began >= limits.time_budget:
                outcome.unassigned.extend(Unassigned(request, OUT_OF_TIME) for request, _ in offers[start:])
                break
            now = self._clock.now()
            async with self._uow as uow:
                stored = await uow.mentorships.offer_many(
                    [offered(request, offer, now, self._policy.respond_within) for request, offer in batch]
                )
                news = [item for item in map(request_news, stored) if item is not None]
                await self._notifier.notify_many(uow, news)
                taken = {mentorship.id for mentorship in stored}
                score = sum(offer.score for request, offer in batch if request.id in taken)
                if outcome.progress is not None:
                    # With the batch, in its transaction: the counters never run ahead of what is stored.
                    outcome.progress = outcome.progress.with_batch(len(stored), score)
                    await uow.matching_rounds.save(outcome.progress)
                await uow.commit()
            outcome.assigned.extend(stored)
            outcome.total_score += score
            outcome.unassigned.extend(
                Unassigned(request, PLACES_TAKEN) for request, _ in batch if request.id not in taken
            )


def _allowed_offers(
    assignments: tuple[Assignment, ...],
    by_id: dict[str, Mentorship],
    exclusions: Exclusions,
    unassigned: list[Unassigned],
) -> list[tuple[Mentorship, Offer]]:
    """Turn the solver's assignments into offers, dropping the pairs the round may not make."""
    offers: list[tuple[Mentorship, Offer]] = []
    paired: set[tuple[UUID, UUID]] = set()
    for assignment in assignments:
        request = by_id[assignment.learner_id]
        offer = offer_of(Recommendation(assignment.mentor_id, assignment.score, assignment.components))
        pair = (request.learner_id, offer.mentor_id)
        if offer.mentor_id in exclusions.declined.get((request.learner_id, request.domain), frozenset()):
            unassigned.append(Unassigned(request, ONLY_DECLINED))
        elif offer.mentor_id in exclusions.barred.get(request.learner_id, frozenset()) or pair in paired:
            unassigned.append(Unassigned(request, EXCLUDED))
        else:
            paired.add(pair)
            offers.append((request, offer))
    return offers


def since(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return (time.perf_counter() - started) * 1000.0
