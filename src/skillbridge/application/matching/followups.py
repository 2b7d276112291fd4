"""What happens to a learner whose mentor said no or did not answer: the next mentor is offered."""

from __future__ import annotations

from datetime import datetime

from skillbridge.application.matching.news import tell_learner_of_follow_up, tell_mentor_of_request
from skillbridge.application.matching.offers import add_with_best_offer
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.mentorship import Mentorship, follow_up


async def offer_next_mentor(
    uow: UnitOfWork,
    engine: MatchingEngine,
    pool: MentorPool,
    policy: MatchingPolicy,
    notifier: Notifier,
    declined: Mentorship,
    now: datetime,
) -> Mentorship:
    """Store a new request with ``declined``'s needs: pending with the best mentor who has not declined
    this learner in this domain, has not blocked them and holds no open match with them, or waiting for
    the next round when there is none (or the learner's profile no longer allows matching). Call after
    ``declined`` itself is stored as rejected or expired: the new request takes its place, so the learner
    never holds more open requests than before.
    """
    # The learner's history with other mentors and those mentors' places are beyond the declining mentor.
    await uow.elevate("matching:offer_next_mentor")
    request = follow_up(declined, now)
    learner = await uow.users.get(declined.learner_id)
    excluded = (await uow.mentorships.exclusions([learner.id])).mentors_for(learner.id, request.domain)
    try:
        request = await add_with_best_offer(uow, engine, pool, policy, learner, request, excluded, now)
    except InvalidInput:  # the profile lost its location or languages: wait until it is complete again
        await uow.mentorships.add(request)
    await tell_mentor_of_request(notifier, uow, request)
    await tell_learner_of_follow_up(notifier, uow, declined, request)
    return request
