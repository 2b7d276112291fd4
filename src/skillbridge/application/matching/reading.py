"""Reading mentorships: one (its participants only) and the signed-in user's list."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import NotFound
from skillbridge.domain.matching.mentorship import Actor, MatchStatus, Mentorship
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_


async def participant_view(uow: UnitOfWork, principal: Principal, match_id: UUID) -> tuple[Mentorship, Actor]:
    """The mentorship and the caller's part in it; NotFound for anyone else, so ids cannot be probed."""
    mentorship = await uow.mentorships.get(match_id)
    actor = mentorship.actor(principal.user_id)
    if actor is None:
        raise NotFound(N_("mentorship not found"))
    return mentorship, actor


class GetMatch:
    """One mentorship, for its learner or mentor."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, match_id: UUID) -> Mentorship:
        async with self._uow.reading() as uow:
            mentorship, _ = await participant_view(uow, principal, match_id)
        return mentorship


class ListMyMatches:
    """The mentorships the signed-in user takes part in (as learner or mentor), newest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(
        self, principal: Principal, page: PageRequest, statuses: frozenset[MatchStatus] | None = None
    ) -> Page[Mentorship]:
        async with self._uow.reading() as uow:
            return await uow.mentorships.list_for_participant(principal.user_id, page, statuses)
