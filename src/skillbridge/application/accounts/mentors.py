"""Searching for mentors."""

from __future__ import annotations

from dataclasses import replace

from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.short_lived_answers import ShortLivedAnswers
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery
from skillbridge.domain.pagination import Page


class MentorSearches(ShortLivedAnswers[MentorQuery, Page[MentorCard]]):
    """The answers of mentor searches, each read from the database at most once per ``ttl`` in this process.

    - An answer is the same for every signed-in caller (the list shows nothing that depends on who asks, and
      distances are to each mentor's public point), so the query alone is the key: filters, point and page.
    - Every write committed through this process forgets every answer here at once (the composition root
      gives :meth:`forget_all` to the process's units of work), so a mentor who edits their profile, or a
      learner whose request was accepted, sees the change on their next search; another process's answers
      show it within ``ttl`` (the setting ``SKILLBRIDGE_MENTOR_SEARCH_CACHE_SECONDS``).
    """


class SearchMentors:
    """List active mentors by skills (any or all), country, distance, weekly hours, language and free
    capacity, in a stable order with the total count. Any signed-in user may search.

    Distances are to each mentor's public point (``privacy``), and ``within_km`` keeps whole bands, so a
    search from points the caller picks learns a mentor's band from a point near their true one, never
    more (see :mod:`skillbridge.domain.accounts.location_privacy`). Answers may come from
    :class:`MentorSearches`.
    """

    def __init__(self, uow: UnitOfWork, privacy: LocationPrivacy, searches: MentorSearches) -> None:
        self._uow = uow
        self._privacy = privacy
        self._searches = searches

    async def __call__(self, query: MentorQuery) -> Page[MentorCard]:
        return await self._searches.answer(query, lambda: self._read(query))

    async def _read(self, query: MentorQuery) -> Page[MentorCard]:
        async with self._uow.reading() as uow:
            return await uow.users.search_mentors(replace(query, privacy=self._privacy))
