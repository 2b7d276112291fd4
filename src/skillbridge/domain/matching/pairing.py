"""From accounts to matching: the profiles the engines score, and why a pair cannot be matched.

A learner needs a location and at least one spoken language to be matched (without them no distance
or common language can be known); a mentor without them, or without a free place, is left out of the
pool rather than scored as if they stood at (0, 0).

The engines see everyone at their public point (:mod:`skillbridge.domain.accounts.location_privacy`), never
at the stored one: a score, its distance component and its ``distance_km`` reach the other side of the pair,
and a precise distance to a stored point would give that point away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import ErrorCollector
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.scoring import LearnerProfile, MentorProfile, ScoreComponents, Weights
from skillbridge.domain.texts import N_, Param


def learner_profile(
    learner: User,
    needs: LearnerNeeds,
    *,
    privacy: LocationPrivacy,
    as_id: str | None = None,
    at_own_point: bool = False,
) -> LearnerProfile:
    """What the engines know of ``learner`` asking for ``needs``, under ``as_id`` (the learner's id unless
    given: a matching round uses request ids, since one learner may wait in several domains).

    The learner stands at their public point, since a stored match's score is shown to the mentor too; with
    ``at_own_point`` (for what only the learner sees) at their own point, so that what they are shown is
    measured to the mentors' public points only: a learner moving their own point can then find a mentor's
    public point at best, never an error-prone guess that may by chance fall near the true one.

    Raises:
        InvalidInput: the profile lacks a location (``profile.location``) or a language
            (``profile.languages``); the learner is told what to fill in.
    """
    profile = learner.profile
    location = profile.location
    if location is None or not profile.languages:
        errors = ErrorCollector()
        if location is None:
            errors.add("profile.location", N_("set your location in your profile so mentors near you can be found"))
        if not profile.languages:
            errors.add("profile.languages", N_("add the languages you speak to your profile"))
        raise errors.as_error()
    point = location.point if at_own_point else privacy.public_point(learner.id, location.point)
    return LearnerProfile(
        id=as_id or str(learner.id),
        skills=needs.skills,
        lat=point.lat,
        lon=point.lon,
        remote_ok=needs.remote_ok,
        hours_per_week=float(needs.hours_per_week),
        slots=profile.weekly_slots,
        languages=profile.languages,
    )


def mentor_profile(card: MentorCard, privacy: LocationPrivacy) -> MentorProfile | None:
    """What the engines know of the mentor on ``card``; None when they cannot be matched right now."""
    mentor, profile = card.mentor, card.mentor.profile
    if not (mentor.is_mentor and mentor.is_active) or profile.location is None or not profile.languages:
        return None
    if card.free_capacity <= 0:
        return None
    public = privacy.public_point(mentor.id, profile.location.point)
    return MentorProfile(
        id=str(mentor.id),
        skills=profile.skills,
        lat=public.lat,
        lon=public.lon,
        slots=profile.weekly_slots,
        languages=profile.languages,
        capacity=card.free_capacity,
    )


def mentor_pool(cards: Iterable[MentorCard], privacy: LocationPrivacy) -> list[MentorProfile]:
    """The matchable mentors among ``cards``, in their order."""
    return [profile for card in cards if (profile := mentor_profile(card, privacy)) is not None]


def components_document(components: ScoreComponents) -> dict[str, float]:
    """The score components as stored with a match and shown to clients."""
    return {
        "skill": components.skill,
        "distance": components.distance,
        "availability": components.availability,
        "distance_km": components.distance_km,
        "score": components.score,
    }


#: Why a mentor cannot be matched at all; also all a learner hears of a mentor who blocked them.
UNAVAILABLE_MESSAGE = N_("this mentor has no free place right now or has not set a location and languages")


@dataclass(frozen=True, slots=True)
class Ineligibility:
    """Why a pair cannot be matched: a stable code and a sentence for people."""

    code: str
    #: An English message id; its values in ``params``.
    message: str
    params: Mapping[str, Param] = field(default_factory=dict)


def why_ineligible(
    learner: LearnerProfile, mentor: MentorProfile | None, components: ScoreComponents | None, weights: Weights
) -> Ineligibility | None:
    """The first rule the pair breaks (language, capacity, minimum score), or None if it is eligible.

    ``mentor`` is None when the mentor is not matchable at all (no location, language or free place).
    """
    if mentor is None:
        return Ineligibility("mentor_unavailable", UNAVAILABLE_MESSAGE)
    if set(learner.languages).isdisjoint(mentor.languages):
        return Ineligibility("no_common_language", N_("you and this mentor share no spoken language"))
    if mentor.capacity <= 0:
        return Ineligibility("no_free_capacity", N_("this mentor has no free place right now"))
    if components is not None and components.score < weights.min_score:
        return Ineligibility(
            "score_below_minimum",
            N_(
                "the match scores {score}, below the minimum of {minimum} "
                "(skills {skill}, distance {distance}, availability {availability})"
            ),
            {
                "score": f"{components.score:.2f}",
                "minimum": f"{weights.min_score:.2f}",
                "skill": f"{components.skill:.2f}",
                "distance": f"{components.distance:.2f}",
                "availability": f"{components.availability:.2f}",
            },
        )
    return None
