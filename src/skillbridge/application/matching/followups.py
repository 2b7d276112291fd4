"""What happens to a learner whose mentor said no or did not answer: the next mentor is offered."""

from __future__ import annotations

from datetime import datetime

from skillbridge.application.matching.news import tell_learner_of_follow_up, tell_mentor_of_request
from skillbridge.application.matching.offers import best_offer
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.mentorship import Mentorship, follow_up, offered


async def offer_next_mentor(
    uow: UnitOfWork,
    engine: MatchingEngine,
    policy: MatchingPolicy,
    notifier: Notifier,
    declined: Mentorship,
    now: datetime,
) -> Mentorship:
    """Store a new request with ``declined``'s needs: pending with the best mentor who has not declined
    this learner in this domain, or waiting for the next round when there is none (or the learner's
    profile no longer allows matching). Call after ``declined`` itself is stored as rejected or expired.
    """
    request = follow_up(declined, now)
    learner = await uow.users.get(declined.learner_id)
    try:
        offer = await best_offer(uow, engine, policy, learner, request.learner_needs)
    except InvalidInput:
        offer = None  # the profile lost its location or languages: wait until it is complete again
    if offer is not None:
        request = offered(request, offer, now, policy.respond_within)
    await uow.mentorships.add(request)
    await tell_mentor_of_request(notifier, uow, request)
    await tell_learner_of_follow_up(notifier, uow, declined, request)
    return request
