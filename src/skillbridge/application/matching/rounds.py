"""A matching round: one optimal assignment of the waiting requests to the mentors with free places."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.news import request_news
from skillbridge.application.matching.offers import offer_of
from skillbridge.application.matching.policy import ROUND_BATCH, MatchingPolicy
from skillbridge.application.matching.pool import every_free_mentor
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import Mentorship, Offer, offered
from skillbridge.domain.matching.pairing import learner_profile
from skillbridge.domain.matching.scoring import Algorithm, Assignment, LearnerProfile, Recommendation, Weights

#: Why a request stayed waiting.
INCOMPLETE_PROFILE = "learner_profile_incomplete"
NO_MENTOR_AVAILABLE = "no_mentor_available"
NO_ELIGIBLE_MENTOR = "no_eligible_mentor"
PLACES_TAKEN = "places_taken_by_better_matches"
ONLY_DECLINED = "only_declined_mentors_fit"
EXCLUDED = "mentor_excluded_for_learner"
OUT_OF_TIME = "round_time_budget_spent"


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A request that stays waiting, and why (one of the module's reason codes)."""

    request: Mentorship
    reason: str


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """What a round did: the requests now pending, those it took that still wait with reasons, how many
    waiting requests it left for the next round without looking at them, the total score, the engine and
    algorithm used, and the wall time in milliseconds."""

    assigned: tuple[Mentorship, ...]
    unassigned: tuple[Unassigned, ...]
    total_score: float
    engine: str
    algorithm: Algorithm
    elapsed_ms: float
    left_waiting: int = 0


@dataclass(slots=True)
class _Solved:
    """The assignments a round means to write, in order, and the requests it already set aside."""

    offers: list[tuple[Mentorship, Offer]]
    unassigned: list[Unassigned]


class RunMatchingRound:
    """Assign the waiting requests (oldest first, at most ``policy.round_max_requests``) in one optimal
    (or greedy) assignment over every mentor's free places.

    Rules:
    - admins only; requests are the engine's learners (one learner may wait in several domains); a
      request whose learner lacks a location or language stays waiting;
    - reading takes a fixed number of queries whatever the number of requests (the requests, their
      learners, the free mentors, the learners' exclusions), then one solve;
    - a pair is never offered when the mentor declined this learner in this domain (reason
      ``only_declined_mentors_fit``), blocked them, or already holds an open match with them, also one
      made earlier in this round (reason ``mentor_excluded_for_learner``): the engines take no per-pair
      exclusions, so such assignments are dropped after the solve (the request waits for the next round);
    - the assignments are written in batches of ``ROUND_BATCH``, each in its own transaction with a fixed
      number of statements (mentors locked, places counted, requests re-read, one update, one insert of
      the mentors' notifications); an assignment whose request changed meanwhile or whose mentor filled
      up is dropped (``places_taken_by_better_matches``);
    - time: once ``policy.round_time_budget`` has passed on the clock since the round began, no further
      batch is written and those requests stay waiting (``round_time_budget_spent``); the first batch is
      always written, so every round moves;
    - every new pending match gets ``policy.respond_within`` to be answered; ``left_waiting`` counts the
      requests beyond the round's cap, which the next round takes.
    """

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, clock: Clock, notifier: Notifier
    ) -> None:
        self._notifier = notifier
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock

    async def __call__(
        self, principal: Principal, weights: Weights | None = None, algorithm: Algorithm = "optimal"
    ) -> RoundSummary:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:matching_round")
        weights = weights or self._policy.weights
        started = time.perf_counter()
        began = self._clock.now()
        async with self._uow as uow:
            waiting = list(await uow.mentorships.list_waiting(self._policy.round_max_requests))
            left = max(0, await uow.mentorships.count_waiting() - len(waiting))
            learners = await uow.users.get_many(sorted({request.learner_id for request in waiting}))
            profiles: dict[str, LearnerProfile] = {}
            unassigned: list[Unassigned] = []
            for request in waiting:
                try:
                    profiles[str(request.id)] = learner_profile(
                        learners[request.learner_id],
                        request.learner_needs,
                        privacy=self._policy.privacy,
                        as_id=str(request.id),
                    )
                except InvalidInput:
                    unassigned.append(Unassigned(request, INCOMPLETE_PROFILE))
            mentors = await every_free_mentor(uow, self._policy.privacy)
            candidates = [request for request in waiting if str(request.id) in profiles]
            if not candidates or not mentors:
                unassigned.extend(Unassigned(request, NO_MENTOR_AVAILABLE) for request in candidates)
                return RoundSummary((), tuple(unassigned), 0.0, self._engine.name, algorithm, _since(started), left)
            exclusions = await uow.mentorships.exclusions(sorted({request.learner_id for request in candidates}))
        result = await self._engine.assign(list(profiles.values()), mentors, weights, algorithm=algorithm)
        by_id = {str(request.id): request for request in candidates}
        solved = _Solved([], unassigned)
        _keep_allowed(result.assignments, by_id, exclusions, solved)
        for request_id in result.unassigned:
            best = await self._engine.recommend(profiles[request_id], mentors, 1, weights)
            solved.unassigned.append(Unassigned(by_id[request_id], PLACES_TAKEN if best else NO_ELIGIBLE_MENTOR))
        assigned, total = await self._write(solved, began)
        return RoundSummary(
            tuple(assigned), tuple(solved.unassigned), total, result.engine, algorithm, _since(started), left
        )

    async def _write(self, solved: _Solved, began: datetime) -> tuple[list[Mentorship], float]:
        assigned: list[Mentorship] = []
        total = 0.0
        for start in range(0, len(solved.offers), ROUND_BATCH):
            batch = solved.offers[start : start + ROUND_BATCH]
            if start > 0 and self._clock.now() - began >= self._policy.round_time_budget:
                solved.unassigned.extend(Unassigned(request, OUT_OF_TIME) for request, _ in solved.offers[start:])
                break
            now = self._clock.now()
            async with self._uow as uow:
                stored = await uow.mentorships.offer_many(
                    [offered(request, offer, now, self._policy.respond_within) for request, offer in batch]
                )
                news = [item for item in map(request_news, stored) if item is not None]
                await self._notifier.notify_many(uow, news)
                await uow.commit()
            taken = {mentorship.id for mentorship in stored}
            assigned.extend(stored)
            total += sum(offer.score for request, offer in batch if request.id in taken)
            solved.unassigned.extend(
                Unassigned(request, PLACES_TAKEN) for request, _ in batch if request.id not in taken
            )
        return assigned, total


def _keep_allowed(
    assignments: tuple[Assignment, ...], by_id: dict[str, Mentorship], exclusions: Exclusions, solved: _Solved
) -> None:
    """Turn the solver's assignments into offers, dropping the pairs the round may not make."""
    paired: set[tuple[UUID, UUID]] = set()
    for assignment in assignments:
        request = by_id[assignment.learner_id]
        offer = offer_of(Recommendation(assignment.mentor_id, assignment.score, assignment.components))
        pair = (request.learner_id, offer.mentor_id)
        if offer.mentor_id in exclusions.declined.get((request.learner_id, request.domain), frozenset()):
            solved.unassigned.append(Unassigned(request, ONLY_DECLINED))
        elif offer.mentor_id in exclusions.barred.get(request.learner_id, frozenset()) or pair in paired:
            solved.unassigned.append(Unassigned(request, EXCLUDED))
        else:
            paired.add(pair)
            solved.offers.append((request, offer))


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
