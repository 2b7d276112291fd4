"""Searching for mentors."""

from __future__ import annotations

from dataclasses import replace

from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery
from skillbridge.domain.pagination import Page


class SearchMentors:
    """List active mentors by skills (any or all), country, distance, weekly hours, language and free
    capacity, in a stable order with the total count. Any signed-in user may search.

    Distances are to each mentor's public point (``privacy``), and ``within_km`` keeps whole bands, so a
    search from points the caller picks learns a mentor's band from a point near their true one, never
    more (see :mod:`skillbridge.domain.accounts.location_privacy`).
    """

    def __init__(self, uow: UnitOfWork, privacy: LocationPrivacy) -> None:
        self._uow = uow
        self._privacy = privacy

    async def __call__(self, query: MentorQuery) -> Page[MentorCard]:
        async with self._uow.reading() as uow:
            return await uow.users.search_mentors(replace(query, privacy=self._privacy))
