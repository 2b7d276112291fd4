"""Answers kept a short while per process: for reads that are the same for every caller and costly to repeat.

A popular read (a ranked forum search, the first page of mentors who know Python) costs the database
milliseconds each time, while its answer changes only when someone writes. Search indexes work the same
way: Elasticsearch makes new documents searchable within a second by default, not at once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from skillbridge.application.ports.clock import Clock

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Most answers kept at once; the least recently used goes first.
MAX_KEPT_ANSWERS = 512


class ShortLivedAnswers(Generic[K, V]):
    """Answers of one kind of read, each read at most once per ``ttl`` in this process.

    Rules:
    - the key is the whole question (an answer must be the same for every caller who asks it);
    - :meth:`forget_all` drops every kept answer at once (something changed through this process), so the
      next read sees the change; another process's answers show it within ``ttl``;
    - reads that miss the same key while it is being read wait for that one read (a burst after expiry
      makes one query, not one each); a waiter's cancellation does not cancel the read;
    - a ``ttl`` of zero keeps nothing: every read goes to the source;
    - a read that fails is not kept: each waiter gets the failure, the next one reads again.

    One instance per process (APP scope).
    """

    def __init__(self, clock: Clock, ttl: timedelta, max_entries: int = MAX_KEPT_ANSWERS) -> None:
        self._clock = clock
        self._ttl = ttl
        self._max_entries = max_entries
        self._answers: OrderedDict[K, tuple[datetime, V]] = OrderedDict()
        self._reading: dict[K, asyncio.Future[V]] = {}
        #: Bumped by :meth:`forget_all`: a read that began before a forget must not store its older answer.
        self._generation = 0

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    async def answer(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """The kept answer of ``key`` while it is fresh, else ``read()``'s (kept for ``ttl``)."""
        if not self.enabled:
            return await read()
        now = self._clock.now()
        kept = self._answers.get(key)
        if kept is not None and kept[0] > now:
            self._answers.move_to_end(key)
            return kept[1]
        pending = self._reading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        return await self._read(key, now, read)

    def forget_all(self) -> None:
        """Drop every kept answer; a read after this goes to the source, rather than wait for a read that
        began before the change."""
        self._answers.clear()
        self._reading.clear()
        self._generation += 1

    async def _read(self, key: K, now: datetime, read: Callable[[], Awaitable[V]]) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._reading[key] = future
        generation = self._generation
        try:
            answer = await read()
        except BaseException as failure:
            future.set_exception(failure)
            future.exception()  # retrieved here, so a read nobody waited for is not reported as lost
            raise
        else:
            future.set_result(answer)
            if generation == self._generation:
                self._keep(key, now + self._ttl, answer)
            return answer
        finally:
            if self._reading.get(key) is future:
                del self._reading[key]

    def _keep(self, key: K, until: datetime, answer: V) -> None:
        self._answers[key] = (until, answer)
        self._answers.move_to_end(key)
        while len(self._answers) > self._max_entries:
            self._answers.popitem(last=False)
