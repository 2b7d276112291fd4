"""Finding the mentor for one request: the best eligible one, or a chosen one with the reason they do not fit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import Mentorship, Offer, offered
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import (
    UNAVAILABLE_MESSAGE,
    components_document,
    learner_profile,
    mentor_profile,
    why_ineligible,
)
from skillbridge.domain.matching.scoring import Recommendation, score
from skillbridge.domain.texts import N_


def offer_of(recommendation: Recommendation) -> Offer:
    """The offer a recommendation makes."""
    return Offer(
        mentor_id=UUID(recommendation.mentor_id),
        score=recommendation.score,
        components=components_document(recommendation.components),
    )


async def best_offer(
    uow: UnitOfWork,
    engine: MatchingEngine,
    pool: MentorPool,
    policy: MatchingPolicy,
    learner: User,
    needs: LearnerNeeds,
    excluded: Collection[UUID],
    *,
    fresh: bool = False,
) -> Offer | None:
    """The best eligible mentor for ``learner``'s ``needs`` under ``policy`` among the pool without
    ``excluded`` (mentors who declined this learner in this domain, blocked them, or hold an open match
    with them), or None when nobody fits right now. Both sides are scored at their public points."""
    profile = learner_profile(learner, needs, privacy=policy.privacy)
    mentors = await pool.candidates(uow, profile, policy.weights, excluded, fresh=fresh)
    if not mentors:
        return None
    best = await engine.recommend(profile, mentors, 1, policy.weights)
    return offer_of(best[0]) if best else None


async def add_with_best_offer(
    uow: UnitOfWork,
    engine: MatchingEngine,
    pool: MentorPool,
    policy: MatchingPolicy,
    learner: User,
    request: Mentorship,
    excluded: Collection[UUID],
    now: datetime,
) -> Mentorship:
    """Store the waiting ``request`` pending with its best mentor, or waiting when nobody fits; return it.

    The pool may come from the cache and list a mentor who filled up since: the repository's capacity
    check refuses that write (nothing is stored), and the pool is then read afresh, once.
    """
    for fresh in (False, True):
        offer = await best_offer(uow, engine, pool, policy, learner, request.learner_needs, excluded, fresh=fresh)
        stored = request if offer is None else offered(request, offer, now, policy.respond_within)
        try:
            await uow.mentorships.add(stored)
        except Conflict as exc:
            if fresh or offer is None or exc.field != "mentor_id":
                raise
            continue
        return stored
    raise AssertionError("unreachable: the fresh attempt returns or raises")  # pragma: no cover


async def chosen_offer(
    uow: UnitOfWork,
    policy: MatchingPolicy,
    learner: User,
    needs: LearnerNeeds,
    mentor_id: UUID,
    exclusions: Exclusions,
) -> Offer:
    """The offer to the mentor the learner chose.

    Raises:
        InvalidInput: (field ``mentor_id``) no such active mentor, they declined this learner's request in
            this domain before, or the pair is not eligible; the message says which rule and the score. A
            mentor who blocked the learner gets the answer of an unavailable mentor: the block stays private.
    """
    mentor = (await uow.users.get_many([mentor_id])).get(mentor_id)
    if mentor is None or not (mentor.is_mentor and mentor.is_active):
        raise InvalidInput(N_("no active mentor has this id"), field="mentor_id")
    if mentor_id in exclusions.declined.get((learner.id, needs.domain), frozenset()):
        raise InvalidInput(N_("this mentor already declined your request in this domain"), field="mentor_id")
    if mentor_id in exclusions.mentors_for(learner.id, needs.domain):
        raise InvalidInput(UNAVAILABLE_MESSAGE, field="mentor_id")
    weights = policy.weights
    learner_side = learner_profile(learner, needs, privacy=policy.privacy)
    open_count = (await uow.mentorships.count_open_by_mentor([mentor_id]))[mentor_id]
    mentor_side = mentor_profile(
        MentorCard(mentor=mentor, open_mentorships=open_count, distance_km=None), policy.privacy
    )
    # One pair: the domain's scoring rule, the very one every engine applies, explains it best.
    components = score(learner_side, mentor_side, weights) if mentor_side is not None else None
    reason = why_ineligible(learner_side, mentor_side, components, weights)
    if reason is not None or components is None:  # no components means no mentor side: a reason exists
        if reason is None:
            raise InvalidInput(N_("this mentor cannot be matched"), field="mentor_id")
        raise InvalidInput(reason.message, field="mentor_id", params=reason.params)
    return Offer(mentor_id=mentor_id, score=components.score, components=components_document(components))
