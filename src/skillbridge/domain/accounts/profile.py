"""A user's public profile and the rules that keep it clean.

Every field is validated and normalised here, once, so that the mentor search and the matcher can compare
skills and languages as plain strings.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from skillbridge.domain.errors import ErrorCollector, InvalidInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.places import PlaceName
from skillbridge.domain.texts import N_

MAX_SKILLS = 50
MAX_SKILL_LENGTH = 50
MAX_LANGUAGES = 20
MAX_BIO_LENGTH = 2000
MAX_DISPLAY_NAME_LENGTH = 100
MAX_CITY_LENGTH = 100
HOURS_PER_WEEK = 168
MAX_MENTOR_CAPACITY = 50

T = TypeVar("T")
U = TypeVar("U")

_GITHUB_USERNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Symbols that carry meaning in skill names and would otherwise vanish ("C++" must not become "c").
_SKILL_SYMBOLS = (("++", "pp"), ("#", "sharp"), ("+", "plus"))


def skill_slug(raw: str) -> str:
    """Normalise one skill name to its slug.

    ``" Machine Learning "`` -> ``"machine-learning"``, ``"C++"`` -> ``"cpp"``, ``"Node.js"`` -> ``"node-js"``.
    """
    text = raw.strip().lower()
    for symbol, word in _SKILL_SYMBOLS:
        text = text.replace(symbol, word)
    return _NON_SLUG.sub("-", text).strip("-")


def normalise_skills(raw: Iterable[str], field_path: str = "skills") -> tuple[str, ...]:
    """Slugs of ``raw`` in first-seen order, without duplicates; at most ``MAX_SKILLS``."""
    errors = ErrorCollector()
    seen: dict[str, None] = {}
    for index, item in enumerate(raw):
        slug = skill_slug(item)
        if not slug:
            errors.add(f"{field_path}[{index}]", N_("a skill needs at least one letter or digit"))
        elif len(slug) > MAX_SKILL_LENGTH:
            errors.add(
                f"{field_path}[{index}]",
                N_("a skill is at most {max_skill_length} characters"),
                {"max_skill_length": MAX_SKILL_LENGTH},
            )
        else:
            seen.setdefault(slug, None)
    errors.raise_if_any()
    if len(seen) > MAX_SKILLS:
        raise InvalidInput(
            N_("at most {max_skills} distinct skills"), field=field_path, params={"max_skills": MAX_SKILLS}
        )
    return tuple(seen)


def normalise_languages(raw: Iterable[str], field_path: str = "languages") -> tuple[str, ...]:
    """ISO 639 language codes, lower-cased and deduplicated (``["EN", "sw"]`` -> ``("en", "sw")``)."""
    errors = ErrorCollector()
    seen: dict[str, None] = {}
    for index, item in enumerate(raw):
        code = item.strip().lower()
        if not _LANGUAGE_CODE.match(code):
            errors.add(f"{field_path}[{index}]", N_("a language is an ISO 639 code such as 'en', 'fr' or 'sw'"))
        else:
            seen.setdefault(code, None)
    errors.raise_if_any()
    if len(seen) > MAX_LANGUAGES:
        raise InvalidInput(
            N_("at most {max_languages} languages"), field=field_path, params={"max_languages": MAX_LANGUAGES}
        )
    return tuple(seen)


def normalise_slots(raw: Iterable[int], field_path: str = "weekly_slots") -> tuple[int, ...]:
    """Weekly UTC hour slots (0 = Monday 00:00 UTC ... 167 = Sunday 23:00 UTC), sorted and unique."""
    slots = set()
    for index, slot in enumerate(raw):
        if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < HOURS_PER_WEEK:
            raise InvalidInput(N_("a weekly slot is an hour of the week from 0 to 167"), field=f"{field_path}[{index}]")
        slots.add(slot)
    return tuple(sorted(slots))


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_github_username(name: str) -> bool:
    """GitHub's rule: 1-39 letters, digits or single inner hyphens."""
    return bool(_GITHUB_USERNAME.match(name))


@dataclass(frozen=True, slots=True)
class Location:
    """Where a user is: a point, and optionally a city and an ISO 3166-1 alpha-2 country code."""

    point: GeoPoint
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """The profile of a learner or mentor. Built through :func:`build_profile`, which validates it."""

    display_name: str | None = None
    skills: tuple[str, ...] = ()
    location: Location | None = None
    timezone: str | None = None
    hours_per_week: int = 0
    weekly_slots: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    github_username: str | None = None
    bio: str | None = None
    mentor_capacity: int | None = None


@dataclass(frozen=True, slots=True)
class LocationInput:
    """Unvalidated location fields as they arrive from a client."""

    lat: float
    lon: float
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileInput:
    """Unvalidated profile fields. ``None`` leaves a field empty. A location given by name
    (:class:`PlaceName`) is resolved to its point by the application before the profile is built."""

    display_name: str | None = None
    skills: tuple[str, ...] = ()
    location: LocationInput | PlaceName | None = None
    timezone: str | None = None
    hours_per_week: int = 0
    weekly_slots: tuple[int, ...] = ()
    languages: tuple[str, ...] = field(default_factory=tuple)
    github_username: str | None = None
    bio: str | None = None
    mentor_capacity: int | None = None


def _clean_text(value: str | None, limit: int, field_path: str, errors: ErrorCollector) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > limit:
        errors.add(field_path, N_("at most {limit} characters"), {"limit": limit})
    return text or None


def _build_location(raw: LocationInput, errors: ErrorCollector) -> Location | None:
    try:
        point = GeoPoint(raw.lat, raw.lon)
    except InvalidInput as exc:
        errors.add(f"profile.location.{exc.field}", exc.text.message, exc.text.params)
        return None
    country = raw.country.strip().upper() if raw.country else None
    if country is not None and not _COUNTRY_CODE.match(country):
        errors.add("profile.location.country", N_("a country is an ISO 3166-1 alpha-2 code such as 'NG' or 'KE'"))
    city = _clean_text(raw.city, MAX_CITY_LENGTH, "profile.location.city", errors)
    return Location(point=point, city=city, country=country)


def _collect(
    errors: ErrorCollector,
    normalise: Callable[[Iterable[T], str], tuple[U, ...]],
    raw: Iterable[T],
    path: str,
) -> tuple[U, ...]:
    """Run one normaliser, moving its field errors into ``errors`` so all fields are reported together."""
    try:
        return normalise(raw, path)
    except InvalidInput as exc:
        errors.errors.extend(exc.errors)
        return ()


def build_profile(raw: ProfileInput, *, is_mentor: bool) -> Profile:
    """Validate and normalise ``raw``; raise :class:`InvalidInput` listing every field at fault.

    Rules: skills become unique slugs (at most 50); languages ISO 639 codes; the timezone an IANA name;
    hours per week 0-168; weekly slots hours 0-167; the GitHub username follows GitHub's rules; only
    mentors have a capacity (1-50, default 1 for a mentor).
    """
    errors = ErrorCollector()
    skills = _collect(errors, normalise_skills, raw.skills, "profile.skills")
    languages = _collect(errors, normalise_languages, raw.languages, "profile.languages")
    slots = _collect(errors, normalise_slots, raw.weekly_slots, "profile.weekly_slots")
    location = None
    if isinstance(raw.location, PlaceName):
        errors.add("profile.location", N_("a place given by name must be resolved to its point first"))
    elif raw.location is not None:
        location = _build_location(raw.location, errors)
    timezone = raw.timezone.strip() if raw.timezone else None
    if timezone is not None and timezone not in _known_timezones():
        errors.add("profile.timezone", N_("an IANA timezone name such as 'Africa/Lagos'"))
    if not 0 <= raw.hours_per_week <= HOURS_PER_WEEK:
        errors.add("profile.hours_per_week", N_("hours per week must be between 0 and 168"))
    github = raw.github_username.strip() if raw.github_username else None
    if github is not None and not is_github_username(github):
        errors.add("profile.github_username", N_("not a valid GitHub username"))
    capacity = raw.mentor_capacity
    if is_mentor:
        capacity = 1 if capacity is None else capacity
        if not 1 <= capacity <= MAX_MENTOR_CAPACITY:
            errors.add(
                "profile.mentor_capacity",
                N_("a mentor takes between 1 and {max_mentor_capacity} learners"),
                {"max_mentor_capacity": MAX_MENTOR_CAPACITY},
            )
    elif capacity is not None:
        errors.add("profile.mentor_capacity", N_("only mentors have a capacity"))
    display_name = _clean_text(raw.display_name, MAX_DISPLAY_NAME_LENGTH, "profile.display_name", errors)
    bio = _clean_text(raw.bio, MAX_BIO_LENGTH, "profile.bio", errors)
    errors.raise_if_any()
    return Profile(
        display_name=display_name,
        skills=skills,
        location=location,
        timezone=timezone,
        hours_per_week=raw.hours_per_week,
        weekly_slots=slots,
        languages=languages,
        github_username=github,
        bio=bio,
        mentor_capacity=capacity if is_mentor else None,
    )


def profile_input_of(profile: Profile) -> ProfileInput:
    """The input that rebuilds ``profile``: the base a partial update is applied on."""
    loc = profile.location
    return ProfileInput(
        display_name=profile.display_name,
        skills=profile.skills,
        location=LocationInput(loc.point.lat, loc.point.lon, loc.city, loc.country) if loc else None,
        timezone=profile.timezone,
        hours_per_week=profile.hours_per_week,
        weekly_slots=profile.weekly_slots,
        languages=profile.languages,
        github_username=profile.github_username,
        bio=profile.bio,
        mentor_capacity=profile.mentor_capacity,
    )
