"""The mentors a learner can be offered: a bounded query per request, kept a short while per process."""

from __future__ import annotations

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
    check in that transaction (and asks again with ``fresh=True``). One instance per process (APP scope).
    """

    def __init__(self, clock: Clock, policy: MatchingPolicy) -> None:
        self._clock = clock
        self._policy = policy
        self._pools: dict[_Key, tuple[datetime, list[MentorProfile]]] = {}

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
        if cached is not None and cached[0] > now:
            profiles = cached[1]
        else:
            query = CandidateQuery(
                languages=learner.languages,
                skills=learner.skills,
                near=GeoPoint(learner.lat, learner.lon),
                reach_km=stored_reach_km(reach),
                limit=limit,
            )
            profiles = mentor_pool(await uow.mentorships.candidates(query), self._policy.privacy)
            self._keep(key, now, profiles)
        skip = {str(mentor_id) for mentor_id in excluded}
        return [profile for profile in profiles if profile.id not in skip]

    def _keep(self, key: _Key, now: datetime, profiles: list[MentorProfile]) -> None:
        ttl = self._policy.pool_cache_ttl
        if ttl.total_seconds() <= 0:
            return
        if len(self._pools) >= MAX_CACHED_POOLS:
            for stale in [k for k, (until, _) in self._pools.items() if until <= now]:
                del self._pools[stale]
            if len(self._pools) >= MAX_CACHED_POOLS:
                del self._pools[next(iter(self._pools))]
        self._pools.pop(key, None)
        self._pools[key] = (now + ttl, profiles)


async def every_free_mentor(uow: UnitOfWork, privacy: LocationPrivacy) -> list[MentorProfile]:
    """Every matchable mentor with a free place (at most ``MAX_ROUND_MENTORS``), at their public points, for
    a matching round."""
    return mentor_pool(await uow.mentorships.candidates(CandidateQuery(limit=MAX_ROUND_MENTORS)), privacy)
