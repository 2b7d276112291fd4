"""A matching round: one optimal assignment of every waiting request to the mentors with free places."""

from __future__ import annotations

import time
from dataclasses import dataclass

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.news import tell_mentor_of_request
from skillbridge.application.matching.offers import offer_of
from skillbridge.application.matching.policy import MAX_ROUND_REQUESTS, MatchingPolicy
from skillbridge.application.matching.pool import matchable_mentors
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.mentorship import Mentorship, offered
from skillbridge.domain.matching.pairing import learner_profile
from skillbridge.domain.matching.scoring import Algorithm, LearnerProfile, Recommendation, Weights

#: Why a request stayed waiting.
INCOMPLETE_PROFILE = "learner_profile_incomplete"
NO_MENTOR_AVAILABLE = "no_mentor_available"
NO_ELIGIBLE_MENTOR = "no_eligible_mentor"
PLACES_TAKEN = "places_taken_by_better_matches"
ONLY_DECLINED = "only_declined_mentors_fit"


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A request that stays waiting, and why (one of the module's reason codes)."""

    request: Mentorship
    reason: str


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """What a round did: the requests now pending, those still waiting with reasons, the total score,
    the engine and algorithm used, and the wall time in milliseconds."""

    assigned: tuple[Mentorship, ...]
    unassigned: tuple[Unassigned, ...]
    total_score: float
    engine: str
    algorithm: Algorithm
    elapsed_ms: float


class RunMatchingRound:
    """Assign the waiting requests (oldest first, at most ``MAX_ROUND_REQUESTS``) in one optimal (or
    greedy) assignment over every mentor's free places.

    Rules: admins only. Requests are the engine's learners (one learner may wait in several domains); a
    request whose learner lacks a location or language stays waiting. A pair whose mentor declined this
    learner in this domain is not offered again: such an assignment is dropped after the solve (the
    request stays waiting, reason ``only_declined_mentors_fit``); the engines take no per-pair
    exclusions, and declines are rare enough that re-solving would not pay. Every new pending match
    gets ``policy.respond_within`` to be answered.
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
        weights = weights or self._policy.weights
        started = time.perf_counter()
        now = self._clock.now()
        async with self._uow as uow:
            waiting = list(await uow.mentorships.list_waiting(MAX_ROUND_REQUESTS))
            learners = await uow.users.get_many([request.learner_id for request in waiting])
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
            mentors = await matchable_mentors(uow, self._policy.privacy)
            candidates = [request for request in waiting if str(request.id) in profiles]
            if not candidates or not mentors:
                unassigned.extend(Unassigned(request, NO_MENTOR_AVAILABLE) for request in candidates)
                return RoundSummary((), tuple(unassigned), 0.0, self._engine.name, algorithm, _since(started))
            result = await self._engine.assign(list(profiles.values()), mentors, weights, algorithm=algorithm)
            by_id = {str(request.id): request for request in candidates}
            assigned: list[Mentorship] = []
            total = 0.0
            for assignment in result.assignments:
                request = by_id[assignment.learner_id]
                offer = offer_of(Recommendation(assignment.mentor_id, assignment.score, assignment.components))
                declined = await uow.mentorships.declined_mentors(request.learner_id, request.domain)
                if offer.mentor_id in declined:
                    unassigned.append(Unassigned(request, ONLY_DECLINED))
                    continue
                pending = await uow.mentorships.update(offered(request, offer, now, self._policy.respond_within))
                await tell_mentor_of_request(self._notifier, uow, pending)
                assigned.append(pending)
                total += assignment.score
            for request_id in result.unassigned:
                request = by_id[request_id]
                best = await self._engine.recommend(profiles[request_id], mentors, 1, weights)
                unassigned.append(Unassigned(request, PLACES_TAKEN if best else NO_ELIGIBLE_MENTOR))
            await uow.commit()
        return RoundSummary(tuple(assigned), tuple(unassigned), total, result.engine, algorithm, _since(started))


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
