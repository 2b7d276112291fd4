"""The mentors a learner can be offered: a bounded query per request, kept a short while per process."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from skillbridge.application.matching.policy import MAX_ROUND_MENTORS, MatchingPolicy
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.matching.candidates import CandidateQuery, reach_km, stored_reach_km
from skillbridge.domain.matching.pairing import mentor_pool
from skillbridge.domain.matching.scoring import LearnerProfile, MentorProfile, Weights

#: Most pools kept at once; the oldest goes first.
MAX_CACHED_POOLS = 1024

_Key = tuple[tuple[str, ...], tuple[str, ...], float, float, float | None, int]


class MentorPool:
    """The candidate mentors of one request (:mod:`skillbridge.domain.matching.candidates`), read from the
    database at most once per ``policy.pool_cache_ttl`` for the same learner point, skills and languages.

    Rules: the pool never holds more than ``policy.pool_size`` mentors besides the excluded ones, which are
    removed after the cache (so one cached pool serves learners with different exclusions); a cached pool
    may list a mentor who filled up since, so whoever stores a request relies on the repository's capacity
    check in that transaction (and asks again with ``fresh=True``); requests that miss the cache for the same
    pool while it is being read wait for that one read instead of each reading it (a burst of learners after
    the pool expired, or at start, made one slow query each). One instance per process (APP scope).
    """

    def __init__(self, clock: Clock, policy: MatchingPolicy) -> None:
        self._clock = clock
        self._policy = policy
        self._pools: dict[_Key, tuple[datetime, list[MentorProfile]]] = {}
        self._reading: dict[_Key, asyncio.Future[list[MentorProfile]]] = {}

    async def candidates(
        self,
        uow: UnitOfWork,
        learner: LearnerProfile,
        weights: Weights,
        excluded: Collection[UUID] = (),
        *,
        fresh: bool = False,
    ) -> list[MentorProfile]:
        """The pool for ``learner`` (as the engines see them: at their public point), without ``excluded``,
        each mentor at their public point too."""
        reach = reach_km(weights, learner.remote_ok)
        limit = self._policy.pool_size + len(excluded)
        key: _Key = (learner.languages, learner.skills, learner.lat, learner.lon, reach, limit)
        now = self._clock.now()
        cached = None if fresh else self._pools.get(key)
        reading = None if fresh else self._reading.get(key)
        if cached is not None and cached[0] > now:
            profiles = cached[1]
        elif reading is not None:
            profiles = await asyncio.shield(reading)  # one waiter's cancellation must not cancel the read
        else:
            query = CandidateQuery(
                languages=learner.languages,
                skills=learner.skills,
                near=GeoPoint(learner.lat, learner.lon),
                reach_km=stored_reach_km(reach),
                limit=limit,
            )
            profiles = await self._read(key, now, uow, query, share=not fresh)
        skip = {str(mentor_id) for mentor_id in excluded}
        return [profile for profile in profiles if profile.id not in skip]

    async def _read(
        self, key: _Key, now: datetime, uow: UnitOfWork, query: CandidateQuery, *, share: bool
    ) -> list[MentorProfile]:
        """Read the pool, and let the requests that miss the cache meanwhile wait for this read (``share``)."""
        if not share:
            return self._keep(key, now, mentor_pool(await uow.mentorships.candidates(query), self._policy.privacy))
        future: asyncio.Future[list[MentorProfile]] = asyncio.get_running_loop().create_future()
        self._reading[key] = future
        try:
            profiles = self._keep(key, now, mentor_pool(await uow.mentorships.candidates(query), self._policy.privacy))
        except BaseException as failure:
            future.set_exception(failure)  # the waiters fail with it (a 503 when the database is away)
            future.exception()  # retrieved here, so a read nobody waited for is not reported as lost
            raise
        else:
            future.set_result(profiles)
            return profiles
        finally:
            del self._reading[key]

    def _keep(self, key: _Key, now: datetime, profiles: list[MentorProfile]) -> list[MentorProfile]:
        ttl = self._policy.pool_cache_ttl
        if ttl.total_seconds() <= 0:
            return profiles
        if len(self._pools) >= MAX_CACHED_POOLS:
            for stale in [k for k, (until, _) in self._pools.items() if until <= now]:
                del self._pools[stale]
            if len(self._pools) >= MAX_CACHED_POOLS:
                del self._pools[next(iter(self._pools))]
        self._pools.pop(key, None)
        self._pools[key] = (now + ttl, profiles)
        return profiles


async def every_free_mentor(uow: UnitOfWork, privacy: LocationPrivacy) -> list[MentorProfile]:
    """Every matchable mentor with a free place (at most ``MAX_ROUND_MENTORS``), at their public points, for
    a matching round."""
    return mentor_pool(await uow.mentorships.candidates(CandidateQuery(limit=MAX_ROUND_MENTORS)), privacy)
