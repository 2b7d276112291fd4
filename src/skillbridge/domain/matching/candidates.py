"""The mentor pool of one request, bounded before any scoring: who can possibly be eligible, best guesses first.

A mentor is a candidate only if they are an active mentor with a location, a free place and a language in
common with the learner (the scorer refuses everyone else), and either share a wanted skill or stand
close enough that distance and availability alone could reach the minimum score (:func:`reach_km`). The
scorer sees both people at their public points while the query filters the mentors' stored points, so the
reach is widened by the farthest a public point lies from the stored one (:func:`stored_reach_km`). This
prefilter never drops a pair the scorer would accept. Then the pool is capped: mentors sharing the most
wanted skills first, then the nearest (an equirectangular estimate, plain arithmetic any database
computes), then the oldest account and the id, so the order is stable. The in-memory repository applies
:func:`is_candidate` and :func:`candidate_order` itself; the SQL one translates them, and the contract
tests hold the two to the same answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from skillbridge.domain.accounts.location_privacy import MAX_PUBLIC_OFFSET_KM
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.geo import GeoPoint, bounding_box
from skillbridge.domain.matching.scoring import Weights

#: Added to the reach so that rounding never drops a mentor right at the edge.
REACH_MARGIN_KM = 1.0


def reach_km(weights: Weights, remote_ok: bool) -> float | None:
    """The farthest a mentor sharing none of the wanted skills may stand and still be eligible: 0.0 when
    no such mentor can be, None when distance cannot exclude one.

    Without a common skill the score is at most ``(wd * exp(-d / scale) + wa) / den`` (availability at
    its best, 1), so the mentor can reach ``min_score`` only while ``exp(-d / scale) >= r`` with
    ``r = (min_score * den - wa) / wd``.
    """
    wd = weights.distance * weights.remote_distance_factor if remote_ok else weights.distance
    den = weights.skill + wd + weights.availability
    if den == 0.0:
        return None if weights.min_score <= 0.0 else 0.0
    needed = weights.min_score * den - weights.availability
    if needed <= 0.0:
        return None
    if wd == 0.0 or needed > wd:
        return 0.0
    return -weights.distance_scale_km * math.log(needed / wd) + REACH_MARGIN_KM


def stored_reach_km(public_reach_km: float | None) -> float | None:
    """How far from the learner's public point a mentor's stored point may lie when their public points are
    at most ``public_reach_km`` apart (:func:`reach_km`): farther by the public point's largest offset. 0.0
    (nobody without a common skill) and None (any distance) stay as they are."""
    if not public_reach_km:
        return public_reach_km
    return public_reach_km + MAX_PUBLIC_OFFSET_KM


@dataclass(frozen=True, slots=True)
class CandidateQuery:
    """Which mentors may be offered to one learner: ``languages`` (at least one in common; empty: any),
    ``skills`` wanted, the learner's point ``near`` with the skill-less ``reach_km`` (see :func:`reach_km`),
    ``excluded`` mentors (declined, blocking, already matched), at most ``limit`` of them.

    ``after`` pages a pool that neither skills nor a point order (a matching round's every free mentor):
    only the mentors whose ``(created_at, id)`` follow it, the last of the previous page."""

    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    near: GeoPoint | None = None
    reach_km: float | None = None
    excluded: frozenset[UUID] = field(default_factory=frozenset)
    limit: int = 200
    after: tuple[datetime, UUID] | None = None

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        """The lat/lon box a skill-less mentor must stand in, or None when any point will do."""
        if self.near is None or self.reach_km is None:
            return None
        return bounding_box(self.near, self.reach_km)


def is_candidate(query: CandidateQuery, card: MentorCard) -> bool:
    """Whether ``card``'s mentor belongs in the pool of ``query``."""
    mentor, profile = card.mentor, card.mentor.profile
    if not (mentor.is_mentor and mentor.is_active) or profile.location is None or not profile.languages:
        return False
    if card.free_capacity <= 0 or mentor.id in query.excluded:
        return False
    if query.languages and set(query.languages).isdisjoint(profile.languages):
        return False
    if query.after is not None and (mentor.created_at, str(mentor.id)) <= (query.after[0], str(query.after[1])):
        return False
    if not query.skills or shared_skills(query, card) > 0 or query.reach_km is None:
        return True
    box = query.box
    if box is None:
        return query.near is None
    min_lat, max_lat, min_lon, max_lon = box
    point = profile.location.point
    return min_lat <= point.lat <= max_lat and min_lon <= point.lon <= max_lon


def shared_skills(query: CandidateQuery, card: MentorCard) -> int:
    """How many of the wanted skills the mentor offers."""
    return len(set(query.skills) & set(card.mentor.profile.skills))


def rough_distance(query: CandidateQuery, lat: float, lon: float) -> float:
    """The equirectangular squared distance (in squared degrees) from the learner: an order, not a length."""
    if query.near is None:
        return 0.0
    scale = math.cos(math.radians(query.near.lat))
    return (lat - query.near.lat) ** 2 + ((lon - query.near.lon) * scale) ** 2


def candidate_order(query: CandidateQuery, card: MentorCard) -> tuple[int, float, str, str]:
    """The pool's order: most shared skills, then nearest, then oldest account, then id."""
    location = card.mentor.profile.location
    distance = rough_distance(query, location.point.lat, location.point.lon) if location is not None else math.inf
    return (-shared_skills(query, card), distance, card.mentor.created_at.isoformat(), str(card.mentor.id))
