"""A learner asks for a mentor."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.news import tell_mentor_of_request
from skillbridge.application.matching.offers import best_offer, chosen_offer
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import Mentorship, Offer, new_request
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import learner_profile


class RequestMentor:
    """Create the signed-in learner's request for a mentor.

    Rules:
    - learners only (Forbidden for mentors and admins); the learner's profile needs a location and a
      language (InvalidInput naming the profile field otherwise);
    - one open request (waiting, pending or active) per learner and domain: Conflict otherwise, also when
      two arrive at once (the database's unique index decides);
    - with ``mentor_id``: that mentor if the pair is eligible, else InvalidInput with the reason;
    - without: the best eligible mentor; when nobody fits, the request waits (status ``waiting``) for
      the next matching round.
    The result is pending (the mentor has ``policy.respond_within`` to answer, and is notified) or waiting.
    """

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, clock: Clock, notifier: Notifier
    ) -> None:
        self._notifier = notifier
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock

    async def __call__(self, principal: Principal, needs: LearnerNeeds, mentor_id: UUID | None = None) -> Mentorship:
        principal.require(Role.LEARNER)
        async with self._uow as uow:
            learner = await uow.users.get(principal.user_id)
            learner_profile(
                learner, needs, privacy=self._policy.privacy
            )  # refuses an incomplete profile before anything else
            await _refuse_second_request(uow, principal.user_id, needs.domain)
            offer: Offer | None
            if mentor_id is not None:
                offer = await chosen_offer(uow, self._policy, learner, needs, mentor_id)
            else:
                offer = await best_offer(uow, self._engine, self._policy, learner, needs)
            request = new_request(learner.id, needs, self._clock.now(), offer, self._policy.respond_within)
            await uow.mentorships.add(request)
            await tell_mentor_of_request(self._notifier, uow, request)
            await uow.commit()
        return request


async def _refuse_second_request(uow: UnitOfWork, learner_id: UUID, domain: str) -> None:
    other = await uow.mentorships.find_open_request(learner_id, domain)
    if other is not None:
        raise Conflict(
            f"you already have a {other.status.value} match request for {domain} ({other.id})", field="domain"
        )
