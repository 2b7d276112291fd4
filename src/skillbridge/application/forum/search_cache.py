"""Full-text thread searches, kept a short while per process.

A ranked search reads every matching thread (``?q=python`` ranks most of the forum), so a popular query costs
the database milliseconds each time, while its answer changes only when someone posts. Search indexes work
the same way: Elasticsearch makes new documents searchable within a second by default, not at once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from skillbridge.application.ports.clock import Clock
from skillbridge.domain.forum.model import ThreadQuery, ThreadSummary
from skillbridge.domain.pagination import Page

#: Most answers kept at once; the least recently used goes first.
MAX_CACHED_SEARCHES = 512


class ThreadSearches:
    """The answers of full-text thread searches (queries with ``text``), each read from the database at most
    once per ``ttl`` in this process.

    Rules:
    - an answer is the same for every member (the forum has no per-reader visibility), so the query alone is
      the key: text, category and page;
    - a post made, edited or deleted through this process forgets every answer here at once
      (:meth:`forget_all`), so its author finds it on their next search; another process's answers show it
      within ``ttl`` (the staleness bound the setting ``SKILLBRIDGE_FORUM_SEARCH_CACHE_SECONDS`` states);
    - searches that miss the same key while it is being read wait for that one read (a burst after expiry
      makes one query, not one each); a waiter's cancellation does not cancel the read;
    - a ``ttl`` of zero keeps nothing: every search reads the database;
    - a read that fails is not kept: each waiter gets the failure, the next search reads again.

    One instance per process (APP scope).
    """

    def __init__(self, clock: Clock, ttl: timedelta, max_entries: int = MAX_CACHED_SEARCHES) -> None:
        self._clock = clock
        self._ttl = ttl
        self._max_entries = max_entries
        self._answers: OrderedDict[ThreadQuery, tuple[datetime, Page[ThreadSummary]]] = OrderedDict()
        self._reading: dict[ThreadQuery, asyncio.Future[Page[ThreadSummary]]] = {}
        #: Bumped by :meth:`forget_all`: a read that began before a forget must not store its older answer.
        self._generation = 0

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    async def answer(
        self, query: ThreadQuery, read: Callable[[], Awaitable[Page[ThreadSummary]]]
    ) -> Page[ThreadSummary]:
        """The kept answer of ``query`` while it is fresh, else ``read()``'s (kept for ``ttl``)."""
        if not self.enabled:
            return await read()
        now = self._clock.now()
        kept = self._answers.get(query)
        if kept is not None and kept[0] > now:
            self._answers.move_to_end(query)
            return kept[1]
        pending = self._reading.get(query)
        if pending is not None:
            return await asyncio.shield(pending)
        return await self._read(query, now, read)

    def forget_all(self) -> None:
        """Drop every kept answer (the forum changed through this process); a search after this reads anew,
        rather than wait for a read that began before the change."""
        self._answers.clear()
        self._reading.clear()
        self._generation += 1

    async def _read(
        self, query: ThreadQuery, now: datetime, read: Callable[[], Awaitable[Page[ThreadSummary]]]
    ) -> Page[ThreadSummary]:
        future: asyncio.Future[Page[ThreadSummary]] = asyncio.get_running_loop().create_future()
        self._reading[query] = future
        generation = self._generation
        try:
            page = await read()
        except BaseException as failure:
            future.set_exception(failure)
            future.exception()  # retrieved here, so a read nobody waited for is not reported as lost
            raise
        else:
            future.set_result(page)
            if generation == self._generation:
                self._keep(query, now + self._ttl, page)
            return page
        finally:
            if self._reading.get(query) is future:
                del self._reading[query]

    def _keep(self, query: ThreadQuery, until: datetime, page: Page[ThreadSummary]) -> None:
        self._answers[query] = (until, page)
        self._answers.move_to_end(query)
        while len(self._answers) > self._max_entries:
            self._answers.popitem(last=False)
