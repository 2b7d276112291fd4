"""The mentors a learner can be offered right now, and one learner's request as the engines see it."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery
from skillbridge.domain.matching.pairing import mentor_pool
from skillbridge.domain.matching.scoring import MentorProfile
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest


async def free_mentor_cards(uow: UnitOfWork) -> list[MentorCard]:
    """Every active mentor with a free place, in the mentor list's stable order.

    Reads the mentor search page by page (its order is stable, so pages neither overlap nor skip) inside
    the caller's unit of work.
    """
    cards: list[MentorCard] = []
    offset = 0
    while True:
        page = await uow.users.search_mentors(
            MentorQuery(has_free_capacity=True, page=PageRequest(limit=MAX_LIMIT, offset=offset))
        )
        cards.extend(page.items)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return cards


async def matchable_mentors(
    uow: UnitOfWork, privacy: LocationPrivacy, excluded: Collection[UUID] = ()
) -> list[MentorProfile]:
    """The mentors the engines may pair with a learner, at their public points: free, located, speaking
    some language, and not among ``excluded`` (mentors who already declined this learner's request)."""
    skip = {str(mentor_id) for mentor_id in excluded}
    return [profile for profile in mentor_pool(await free_mentor_cards(uow), privacy) if profile.id not in skip]
