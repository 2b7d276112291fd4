"""A learner asks for a mentor."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.domains import resolve_domain
from skillbridge.application.matching.news import tell_mentor_of_request
from skillbridge.application.matching.offers import add_with_best_offer, chosen_offer
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.matching.limits import DomainNames, refuse_beyond_limits
from skillbridge.domain.matching.mentorship import Mentorship, new_request
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import learner_profile


class RequestMentor:
    """Create the signed-in learner's request for a mentor.

    Rules:
    - learners only (Forbidden for mentors and admins), whose email address is verified (Forbidden,
      field ``email``, until then); the learner's profile needs a location and a
      language (InvalidInput naming the profile field otherwise);
    - the domain is a catalog domain (an alias names its domain: ``py`` is ``python``) or a skill some
      active mentor offers, else InvalidInput (field ``learner_needs.domain``, ``allowed`` the catalog's);
    - one open request (waiting, pending or active) per learner and domain, at most
      ``policy.max_open_requests`` waiting or pending at once, and at most one pending or active match
      with any one mentor: Conflict otherwise, also when two arrive at once (the learner's requests are
      locked while they are counted; the database's unique indexes back the last two);
    - with ``mentor_id``: that mentor if the pair is eligible, else InvalidInput with the reason (a mentor
      who blocked this learner is reported unavailable, like a full one);
    - without: the best eligible mentor (never one who declined this request's domain, blocked the
      learner, or already has an open match with them); when nobody fits, the request waits (status
      ``waiting``) for the next matching round.
    The result is pending (the mentor has ``policy.respond_within`` to answer, and is notified) or waiting.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        engine: MatchingEngine,
        policy: MatchingPolicy,
        clock: Clock,
        notifier: Notifier,
        pool: MentorPool,
        domains: DomainNames,
    ) -> None:
        self._notifier = notifier
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock
        self._pool = pool
        self._domains = domains

    async def __call__(self, principal: Principal, needs: LearnerNeeds, mentor_id: UUID | None = None) -> Mentorship:
        principal.require(Role.LEARNER)
        principal.require_verified()
        now = self._clock.now()
        async with self._uow as uow:
            learner = await uow.users.get(principal.user_id)
            # refuses an incomplete profile before anything else
            learner_profile(learner, needs, privacy=self._policy.privacy)
            needs = replace(needs, domain=await resolve_domain(uow, self._domains, needs.domain))
            held = await uow.mentorships.lock_open_for_learner(learner.id)
            refuse_beyond_limits(held, needs.domain, self._policy.max_open_requests, mentor_id)
            exclusions = await uow.mentorships.exclusions([learner.id])
            if mentor_id is not None:
                offer = await chosen_offer(uow, self._policy, learner, needs, mentor_id, exclusions)
                request = new_request(learner.id, needs, now, offer, self._policy.respond_within)
                await uow.mentorships.add(request)
            else:
                excluded = exclusions.mentors_for(learner.id, needs.domain)
                waiting = new_request(learner.id, needs, now, None, self._policy.respond_within)
                request = await add_with_best_offer(
                    uow, self._engine, self._pool, self._policy, learner, waiting, excluded, now
                )
            await tell_mentor_of_request(self._notifier, uow, request)
            await uow.commit()
        return request
