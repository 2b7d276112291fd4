"""Profile rules: normalisation and validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.accounts.profile import (
    MAX_SKILLS,
    LocationInput,
    ProfileInput,
    build_profile,
    is_github_username,
    normalise_languages,
    normalise_skills,
    profile_input_of,
    skill_slug,
)
from skillbridge.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        (" Machine Learning ", "machine-learning"),
        ("C++", "cpp"),
        ("C#", "csharp"),
        ("Node.js", "node-js"),
        ("UI/UX", "ui-ux"),
        ("python", "python"),
    ],
)
def test_skill_slugs(raw: str, slug: str) -> None:
    assert skill_slug(raw) == slug


@given(st.text(max_size=60))
def test_slugging_is_idempotent(raw: str) -> None:
    assert skill_slug(skill_slug(raw)) == skill_slug(raw)


def test_skills_are_deduplicated_in_first_seen_order() -> None:
    assert normalise_skills(["Python", "SQL", " python ", "sql"]) == ("python", "sql")


def test_at_most_fifty_distinct_skills() -> None:
    assert len(normalise_skills([f"s{i}" for i in range(MAX_SKILLS)])) == MAX_SKILLS
    with pytest.raises(InvalidInput) as caught:
        normalise_skills([f"s{i}" for i in range(MAX_SKILLS + 1)])
    assert caught.value.field == "skills"


def test_symbol_only_skill_is_rejected_with_its_index() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_skills(["python", "!!!"])
    assert caught.value.field == "skills[1]"


def test_languages_are_codes() -> None:
    assert normalise_languages(["EN", " sw", "en"]) == ("en", "sw")
    with pytest.raises(InvalidInput):
        normalise_languages(["English"])


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("octocat", True),
        ("a-b-c", True),
        ("-a", False),
        ("a--b", False),
        ("a" * 39, True),
        ("a" * 40, False),
        ("a_b", False),
    ],
)
def test_github_usernames(name: str, ok: bool) -> None:
    assert is_github_username(name) is ok


def test_every_bad_field_is_reported_at_once() -> None:
    raw = ProfileInput(
        hours_per_week=169,
        timezone="Nowhere/City",
        languages=("english",),
        location=LocationInput(lat=100, lon=0),
        weekly_slots=(200,),
    )
    with pytest.raises(InvalidInput) as caught:
        build_profile(raw, is_mentor=False)
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "profile.hours_per_week",
        "profile.timezone",
        "profile.languages[0]",
        "profile.location.lat",
        "profile.weekly_slots[0]",
    }


def test_mentor_capacity_defaults_for_mentors_and_is_refused_for_learners() -> None:
    assert build_profile(ProfileInput(), is_mentor=True).mentor_capacity == 1
    with pytest.raises(InvalidInput):
        build_profile(ProfileInput(mentor_capacity=2), is_mentor=False)
    with pytest.raises(InvalidInput):
        build_profile(ProfileInput(mentor_capacity=0), is_mentor=True)


def test_country_is_upper_cased_and_checked() -> None:
    profile = build_profile(ProfileInput(location=LocationInput(lat=0, lon=0, country="ke")), is_mentor=False)
    assert profile.location is not None and profile.location.country == "KE"
    with pytest.raises(InvalidInput) as caught:
        build_profile(ProfileInput(location=LocationInput(lat=0, lon=0, country="KEN")), is_mentor=False)
    assert caught.value.field == "profile.location.country"


def test_profile_round_trips_through_its_input() -> None:
    profile = build_profile(
        ProfileInput(
            display_name="Amina",
            skills=("Go",),
            location=LocationInput(1, 2, "Kigali", "RW"),
            timezone="Africa/Kigali",
            hours_per_week=5,
            weekly_slots=(3, 1),
            languages=("rw",),
            github_username="amina",
            bio="hi",
            mentor_capacity=3,
        ),
        is_mentor=True,
    )
    assert build_profile(profile_input_of(profile), is_mentor=True) == profile
    assert profile.weekly_slots == (1, 3)
