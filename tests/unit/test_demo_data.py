"""The demo population: valid, deterministic, varied and plausible."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skillbridge.application.accounts.registration import Registration
from skillbridge.domain.accounts.passwords import check_password
from skillbridge.domain.accounts.profile import build_profile, is_github_username, skill_slug
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import normalise_email
from skillbridge.domain.geo import GeoPoint, haversine_km
from skillbridge.main.demo_data import (
    CITIES,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    JITTER_DEGREES,
    TRACKS,
    demo_registrations,
)

EMAIL = re.compile(r"^[a-z0-9-]+\.[a-z0-9-]+[0-9]*@demo\.skillbridge\.africa$")
CITY_BY_NAME = {city.name: city for city in CITIES}


@pytest.fixture(scope="module")
def population() -> list[Registration]:
    return demo_registrations()


def test_default_population_has_forty_mentors_then_one_hundred_twenty_learners(population: list[Registration]) -> None:
    roles = [r.role for r in population]
    assert roles == [Role.MENTOR] * 40 + [Role.LEARNER] * 120


def test_every_registration_passes_the_profile_rules(population: list[Registration]) -> None:
    for registration in population:
        profile = build_profile(registration.profile, is_mentor=registration.role is Role.MENTOR)
        # Already normalised: validation changes nothing the matcher compares.
        assert profile.skills == registration.profile.skills
        assert profile.languages == registration.profile.languages
        assert profile.weekly_slots == registration.profile.weekly_slots


def test_the_shared_password_meets_the_policy_for_every_account(population: list[Registration]) -> None:
    for registration in population:
        assert registration.password == DEMO_PASSWORD
        check_password(DEMO_PASSWORD, email=registration.email)


def test_same_seed_same_people_other_seed_other_people() -> None:
    assert demo_registrations(seed=7) == demo_registrations(seed=7)
    assert demo_registrations(seed=7) != demo_registrations(seed=8)


@pytest.mark.parametrize(("mentors", "learners"), [(0, 0), (1, 0), (0, 3), (3, 2), (100, 400)])
def test_the_counts_are_the_ones_asked_for(mentors: int, learners: int) -> None:
    people = demo_registrations(seed=1, mentors=mentors, learners=learners)
    roles = Counter(r.role for r in people)
    assert (roles[Role.MENTOR], roles[Role.LEARNER]) == (mentors, learners)
    assert len({r.email for r in people}) == len(people)


def test_emails_are_unique_readable_and_on_the_demo_domain(population: list[Registration]) -> None:
    emails = [r.email for r in population]
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert normalise_email(email) == email
        assert email.endswith(f"@{DEMO_EMAIL_DOMAIN}")
        assert EMAIL.match(email), email


def test_github_usernames_are_valid_and_unique(population: list[Registration]) -> None:
    names = [r.profile.github_username for r in population if r.profile.github_username is not None]
    assert len(names) > len(population) // 2
    assert all(is_github_username(name) for name in names)
    assert len({name.lower() for name in names}) == len(names)


def test_people_spread_over_many_cities_in_both_roles(population: list[Registration]) -> None:
    for role in (Role.MENTOR, Role.LEARNER):
        cities = {r.profile.location.city for r in population if r.role is role and r.profile.location}
        assert len(cities) >= 15, role
    countries = {r.profile.location.country for r in population if r.profile.location}
    assert len(countries) >= 15


def test_location_timezone_and_country_belong_to_the_city(population: list[Registration]) -> None:
    assert len(CITIES) >= 15
    for registration in population:
        location = registration.profile.location
        assert location is not None
        assert location.city is not None
        city = CITY_BY_NAME[location.city]
        assert (location.country, registration.profile.timezone) == (city.country, city.timezone)
        assert abs(location.lat - city.lat) <= JITTER_DEGREES
        assert abs(location.lon - city.lon) <= JITTER_DEGREES
        assert haversine_km(GeoPoint(location.lat, location.lon), GeoPoint(city.lat, city.lon)) < 10


def test_city_coordinates_are_in_africa_and_timezones_are_african() -> None:
    for city in CITIES:
        assert -35 < city.lat < 38, city.name
        assert -18 < city.lon < 52, city.name
        assert city.timezone.startswith("Africa/")
        ZoneInfo(city.timezone)


def test_everyone_speaks_a_language_the_matcher_can_pair_on(population: list[Registration]) -> None:
    for registration in population:
        languages = registration.profile.languages
        assert {"en", "fr", "ar"} & set(languages), registration.email
        assert len(languages) >= 2  # a local language beside the shared one


def test_skills_come_from_the_vocabulary_three_to_eight_each(population: list[Registration]) -> None:
    vocabulary = {skill for track in TRACKS for skill in (*track.core, *track.extra)}
    assert all(skill_slug(skill) == skill for skill in vocabulary)
    for registration in population:
        skills = registration.profile.skills
        assert 3 <= len(skills) <= 8
        assert set(skills) <= vocabulary
    all_skills = Counter(skill for r in population for skill in r.profile.skills)
    assert len(all_skills) >= 30
    for expected in ("python", "javascript", "react", "django", "sql", "machine-learning", "flutter", "android"):
        assert all_skills[expected] > 0, expected


def test_hours_and_capacity_are_in_range_and_mentors_have_a_bio(population: list[Registration]) -> None:
    for registration in population:
        profile = registration.profile
        assert 2 <= profile.hours_per_week <= 20
        assert len(profile.weekly_slots) >= profile.hours_per_week
        if registration.role is Role.MENTOR:
            assert profile.mentor_capacity is not None
            assert 1 <= profile.mentor_capacity <= 5
            assert profile.bio
            assert len(profile.bio) < 300
        else:
            assert profile.mentor_capacity is None


def test_slots_are_local_evenings_and_weekends(population: list[Registration]) -> None:
    monday = datetime(2026, 1, 5, tzinfo=UTC)  # the reference week the generator converts in
    for registration in population:
        zone = ZoneInfo(registration.profile.timezone or "UTC")
        for slot in registration.profile.weekly_slots:
            local = (monday + timedelta(hours=slot)).astimezone(zone)
            if local.weekday() < 5:
                assert 18 <= local.hour < 22, (registration.email, slot, local)
            else:
                assert 8 <= local.hour < 19, (registration.email, slot, local)


def test_a_city_with_a_big_utc_offset_gets_shifted_slots() -> None:
    nairobi = [r for r in demo_registrations() if r.profile.timezone == "Africa/Nairobi"]
    assert nairobi
    # Nairobi is UTC+3: a weekday evening 18:00-21:59 local is 15:00-18:59 UTC.
    weekday_hours = {slot % 24 for r in nairobi for slot in r.profile.weekly_slots if slot < 120}
    assert weekday_hours <= set(range(15, 19))
