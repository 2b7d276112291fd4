"""Searching for mentors."""

from __future__ import annotations

from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery
from skillbridge.domain.pagination import Page


class SearchMentors:
    """List active mentors by skills (any or all), country, distance, weekly hours, language and free
    capacity, in a stable order with the total count. Any signed-in user may search."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: MentorQuery) -> Page[MentorCard]:
        async with self._uow.reading() as uow:
            return await uow.users.search_mentors(query)
