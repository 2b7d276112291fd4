"""Finding mentors: the query, its result rows, and the rule that decides whether a mentor fits.

The in-memory repository applies :func:`mentor_fits` directly; the SQL repository translates the same
rule into queries, and the repository contract tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from skillbridge.domain.accounts.location_privacy import BAND_KM, MAX_PUBLIC_OFFSET_KM, LocationPrivacy, within_band
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import GeoPoint, haversine_km
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.texts import N_

MAX_RADIUS_KM = 20_037.6  # half the Earth's circumference: any larger radius means "anywhere"


class SkillMatch(StrEnum):
    ANY = "any"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class MentorQuery:
    """Filters of the mentor list; every filter left at its default is off.

    Results are ordered by distance when ``near`` is given, else by creation time, with the user id as
    the final tie-breaker so that pages never overlap or skip.

    With ``privacy`` (always, when the query comes from a person: see :class:`SearchMentors`), distances
    are to each mentor's public point and ``within_km`` compares bands
    (:func:`~skillbridge.domain.accounts.location_privacy.within_band`); without it, to the stored points
    exactly (tools and tests only).
    """

    skills: tuple[str, ...] = ()
    skill_match: SkillMatch = SkillMatch.ANY
    country: str | None = None
    near: GeoPoint | None = None
    within_km: float | None = None
    min_hours_per_week: int | None = None
    language: str | None = None
    has_free_capacity: bool = False
    page: PageRequest = field(default_factory=PageRequest)
    privacy: LocationPrivacy | None = None

    def distance_to(self, user_id: UUID, point: GeoPoint) -> float | None:
        """The distance from the query point to the user ``user_id`` standing at ``point`` (None without
        a query point)."""
        if self.near is None:
            return None
        if self.privacy is None:
            return haversine_km(self.near, point)
        return self.privacy.public_distance_km(self.near, user_id, point)

    def reaches(self, distance_km: float | None) -> bool:
        """Whether a mentor at ``distance_km`` (from :meth:`distance_to`) passes ``within_km``."""
        if self.within_km is None:
            return True
        if distance_km is None:
            return False
        if self.privacy is None:
            return distance_km <= self.within_km
        return within_band(distance_km, self.within_km)

    @property
    def prefilter_radius_km(self) -> float | None:
        """A radius around ``near`` that surely holds the stored point of every mentor :meth:`reaches`
        keeps (for a database's bounding box on the stored columns), or None without ``within_km``."""
        if self.within_km is None:
            return None
        if self.privacy is None:
            return self.within_km
        return -(-self.within_km // BAND_KM) * BAND_KM + MAX_PUBLIC_OFFSET_KM

    def __post_init__(self) -> None:
        if self.within_km is not None:
            if self.near is None:
                raise InvalidInput(N_("within_km needs lat and lon"), field="within_km")
            if not 0 < self.within_km <= MAX_RADIUS_KM:
                raise InvalidInput(
                    N_("within_km must be between 0 and {max_radius_km}"),
                    field="within_km",
                    params={"max_radius_km": MAX_RADIUS_KM},
                )


@dataclass(frozen=True, slots=True)
class MentorCard:
    """One row of the mentor list. Its mentor comes without a password hash: a search reads only what every
    signed-in user may see of a mentor (on PostgreSQL, the ``mentor_directory`` view)."""

    mentor: User
    open_mentorships: int
    distance_km: float | None

    @property
    def free_capacity(self) -> int:
        return max(0, (self.mentor.profile.mentor_capacity or 0) - self.open_mentorships)


def distance_from(query: MentorQuery, mentor: User) -> float | None:
    """The mentor's distance from the query point, if both are known."""
    if mentor.profile.location is None:
        return None
    return query.distance_to(mentor.id, mentor.profile.location.point)


def mentor_fits(query: MentorQuery, card: MentorCard) -> bool:
    """Whether ``card`` passes every filter of ``query`` (the mentor's role and activity included)."""
    mentor = card.mentor
    profile = mentor.profile
    if not (mentor.is_mentor and mentor.is_active):
        return False
    if query.skills:
        have = set(profile.skills)
        wanted = set(query.skills)
        fits = wanted <= have if query.skill_match is SkillMatch.ALL else bool(wanted & have)
        if not fits:
            return False
    if query.country is not None and (profile.location is None or profile.location.country != query.country):
        return False
    if not query.reaches(card.distance_km):
        return False
    if query.min_hours_per_week is not None and profile.hours_per_week < query.min_hours_per_week:
        return False
    if query.language is not None and query.language not in profile.languages:
        return False
    return not (query.has_free_capacity and card.free_capacity <= 0)


def sort_key(query: MentorQuery, card: MentorCard) -> tuple[float, str, str]:
    """The list order: nearest first when a point is given (unknown distance last), then oldest, then id."""
    distance = card.distance_km if card.distance_km is not None else float("inf")
    primary = distance if query.near is not None else 0.0
    return (primary, card.mentor.created_at.isoformat(), str(card.mentor.id))
