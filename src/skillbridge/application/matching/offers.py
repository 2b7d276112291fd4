"""Finding the mentor for one request: the best eligible one, or a chosen one with the reason they do not fit."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import matchable_mentors
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.mentorship import Offer
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import components_document, learner_profile, mentor_profile, why_ineligible
from skillbridge.domain.matching.scoring import Recommendation, score


def offer_of(recommendation: Recommendation) -> Offer:
    """The offer a recommendation makes."""
    return Offer(
        mentor_id=UUID(recommendation.mentor_id),
        score=recommendation.score,
        components=components_document(recommendation.components),
    )


async def best_offer(
    uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, learner: User, needs: LearnerNeeds
) -> Offer | None:
    """The best eligible mentor for ``learner``'s ``needs`` under ``policy`` (mentors who declined this
    learner in this domain left out), or None when nobody fits right now."""
    declined = await uow.mentorships.declined_mentors(learner.id, needs.domain)
    mentors = await matchable_mentors(uow, policy.privacy, excluded=declined)
    if not mentors:
        return None
    learner_side = learner_profile(learner, needs, privacy=policy.privacy)
    best = await engine.recommend(learner_side, mentors, 1, policy.weights)
    return offer_of(best[0]) if best else None


async def chosen_offer(
    uow: UnitOfWork, policy: MatchingPolicy, learner: User, needs: LearnerNeeds, mentor_id: UUID
) -> Offer:
    """The offer to the mentor the learner chose.

    Raises:
        InvalidInput: (field ``mentor_id``) no such active mentor, they declined this learner's request in
            this domain before, or the pair is not eligible; the message says which rule and the score.
    """
    mentor = (await uow.users.get_many([mentor_id])).get(mentor_id)
    if mentor is None or not (mentor.is_mentor and mentor.is_active):
        raise InvalidInput("no active mentor has this id", field="mentor_id")
    if mentor_id in await uow.mentorships.declined_mentors(learner.id, needs.domain):
        raise InvalidInput("this mentor already declined your request in this domain", field="mentor_id")
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
        raise InvalidInput(reason.message if reason else "this mentor cannot be matched", field="mentor_id")
    return Offer(mentor_id=mentor_id, score=components.score, components=components_document(components))
