"""The mentor search contract (domain/accounts/mentor_search.py) on every persistence adapter, with a
small population of mentors across the continent."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest

from skillbridge.adapters.persistence.sqlalchemy.repositories import users as sql_users
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MAX_RADIUS_KM, MentorCard, MentorQuery, SkillMatch
from skillbridge.domain.accounts.user import User
from skillbridge.domain.geo import GeoPoint, haversine_km
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.pagination import Page, PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user

LAGOS = GeoPoint(6.5244, 3.3792)
NAIROBI = GeoPoint(-1.2921, 36.8219)
JOHANNESBURG = GeoPoint(-26.2041, 28.0473)

# name, city, country, lat, lon, skills, languages, hours per week, capacity
POPULATION = [
    ("Amina", "Lagos", "NG", 6.5244, 3.3792, ("python", "data-science"), ("en", "yo"), 10, 2),
    ("Chidi", "Abuja", "NG", 9.0765, 7.3986, ("javascript", "react"), ("en", "ig"), 4, 1),
    ("Kwame", "Accra", "GH", 5.6037, -0.1870, ("python", "django"), ("en",), 6, 3),
    ("Wanjiru", "Nairobi", "KE", -1.2921, 36.8219, ("data-science", "machine-learning", "python"), ("en", "sw"), 8, 2),
    ("Nakato", "Kampala", "UG", 0.3476, 32.5825, ("go", "devops"), ("en", "lg"), 3, 1),
    ("Uwase", "Kigali", "RW", -1.9441, 30.0619, ("python", "machine-learning"), ("rw", "fr", "en"), 12, 4),
    ("Youssef", "Cairo", "EG", 30.0444, 31.2357, ("javascript", "node"), ("ar", "en"), 5, 2),
    ("Thandiwe", "Johannesburg", "ZA", -26.2041, 28.0473, ("rust", "go"), ("en", "zu"), 15, 5),
    ("Pieter", "Cape Town", "ZA", -33.9249, 18.4241, ("python",), ("af", "en"), 2, 1),
    ("Awa", "Dakar", "SN", 14.7167, -17.4677, ("react", "javascript"), ("fr", "wo"), 7, 2),
]
BY_AGE = [name for name, *_ in POPULATION] + ["Nomad"]


@pytest.fixture
async def mentors(store: Store) -> dict[str, User]:
    """The population, stored: ten located mentors, one without a location, one inactive, a learner who
    knows Python, and mentorships that fill Chidi and Nakato."""
    people: dict[str, User] = {}
    for minute, (name, city, country, lat, lon, skills, languages, hours, capacity) in enumerate(POPULATION):
        people[name] = make_mentor(
            name,
            skills=skills,
            languages=languages,
            at=location(lat, lon, country, city),
            hours=hours,
            capacity=capacity,
            created_at=T0 + timedelta(minutes=minute),
        )
    people["Nomad"] = make_mentor("Nomad", skills=("python",), hours=20, capacity=3, created_at=T0 + timedelta(hours=1))
    people["Retired"] = make_mentor(
        "Retired", skills=("python",), at=location(6.5, 3.4, "NG"), created_at=T0 - timedelta(days=1), is_active=False
    )
    learner_profile = replace(people["Amina"].profile, mentor_capacity=None)
    people["Learner"] = make_user("learner@example.org", profile=learner_profile, created_at=T0 - timedelta(days=2))
    learners = [make_user(created_at=T0 - timedelta(days=3)) for _ in range(6)]
    mentorships = [
        make_mentorship(learners[0].id, people["Chidi"].id, status=MatchStatus.ACTIVE),
        make_mentorship(learners[1].id, people["Nakato"].id, status=MatchStatus.PENDING),
        make_mentorship(learners[2].id, people["Amina"].id, status=MatchStatus.ACTIVE),
        make_mentorship(learners[3].id, people["Amina"].id, status=MatchStatus.COMPLETED),
        make_mentorship(learners[4].id, people["Pieter"].id, status=MatchStatus.CANCELLED),
        make_mentorship(learners[5].id, people["Thandiwe"].id, status=MatchStatus.PENDING),
        make_mentorship(learners[0].id, people["Thandiwe"].id, status=MatchStatus.PENDING),
    ]
    async with store.new_uow() as uow:
        for user in [*people.values(), *learners]:
            await uow.users.add(user)
        for mentorship in mentorships:
            await uow.mentorships.add(mentorship)
        await uow.commit()
    return people


async def search_page(store: Store, query: MentorQuery) -> Page[MentorCard]:
    """The page of ``query``, read both ways a unit of work offers: inside a transaction and in a block that
    only reads (on PostgreSQL that one goes straight to the driver, see ``raw.py``). They must agree."""
    async with store.new_uow() as uow:
        in_transaction = await uow.users.search_mentors(query)
    async with store.new_uow().reading() as uow:
        only_reading = await uow.users.search_mentors(query)
    assert only_reading == in_transaction
    return only_reading


async def search(store: Store, query: MentorQuery) -> tuple[list[str], int]:
    page = await search_page(store, query)
    return [card.mentor.profile.display_name or "" for card in page.items], page.total


async def test_without_filters_every_active_mentor_oldest_first(store: Store, mentors: dict[str, User]) -> None:
    assert await search(store, MentorQuery()) == (BY_AGE, 11)


@pytest.mark.parametrize(
    ("skills", "match", "expected"),
    [
        (
            ("python", "go"),
            SkillMatch.ANY,
            ["Amina", "Kwame", "Wanjiru", "Nakato", "Uwase", "Thandiwe", "Pieter", "Nomad"],
        ),
        (("python", "machine-learning"), SkillMatch.ALL, ["Wanjiru", "Uwase"]),
        (("python", "python"), SkillMatch.ALL, ["Amina", "Kwame", "Wanjiru", "Uwase", "Pieter", "Nomad"]),
        (("react", "cobol"), SkillMatch.ALL, []),
        (("cobol",), SkillMatch.ANY, []),
    ],
)
async def test_skills_any_or_all(
    store: Store, mentors: dict[str, User], skills: tuple[str, ...], match: SkillMatch, expected: list[str]
) -> None:
    assert await search(store, MentorQuery(skills=skills, skill_match=match)) == (expected, len(expected))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (MentorQuery(country="ZA"), ["Thandiwe", "Pieter"]),
        (MentorQuery(country="NG"), ["Amina", "Chidi"]),
        (MentorQuery(country="FR"), []),
        (MentorQuery(language="fr"), ["Uwase", "Awa"]),
        (MentorQuery(language="sw"), ["Wanjiru"]),
        (MentorQuery(min_hours_per_week=8), ["Amina", "Wanjiru", "Uwase", "Thandiwe", "Nomad"]),
        (MentorQuery(min_hours_per_week=21), []),
        (MentorQuery(has_free_capacity=True), [n for n in BY_AGE if n not in {"Chidi", "Nakato"}]),
        (
            MentorQuery(skills=("javascript",), language="en", has_free_capacity=True, min_hours_per_week=5),
            ["Youssef"],
        ),
    ],
    ids=[
        "country-za",
        "country-ng",
        "country-none",
        "language-fr",
        "language-sw",
        "hours-8",
        "hours-21",
        "free-capacity",
        "combined",
    ],
)
async def test_country_language_hours_and_free_capacity(
    store: Store, mentors: dict[str, User], query: MentorQuery, expected: list[str]
) -> None:
    assert await search(store, query) == (expected, len(expected))


async def test_near_a_point_nearest_first_and_unlocated_last(store: Store, mentors: dict[str, User]) -> None:
    expected = [
        "Amina",
        "Kwame",
        "Chidi",
        "Awa",
        "Uwase",
        "Nakato",
        "Wanjiru",
        "Youssef",
        "Thandiwe",
        "Pieter",
        "Nomad",
    ]
    page = await search_page(store, MentorQuery(near=LAGOS))
    assert [card.mentor.profile.display_name for card in page.items] == expected
    distances = [card.distance_km for card in page.items]
    assert distances[0] == 0.0
    assert distances[-1] is None
    kwame = mentors["Kwame"].profile.location
    assert kwame is not None
    assert distances[1] == haversine_km(LAGOS, kwame.point)
    assert distances[1] == pytest.approx(407, abs=1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (MentorQuery(near=NAIROBI, within_km=800), ["Wanjiru", "Nakato", "Uwase"]),
        (MentorQuery(near=NAIROBI, within_km=500), ["Wanjiru"]),
        (MentorQuery(near=JOHANNESBURG, within_km=3000, skills=("python",)), ["Pieter", "Uwase", "Wanjiru"]),
        (MentorQuery(near=NAIROBI, within_km=800, has_free_capacity=True), ["Wanjiru", "Uwase"]),
        (MentorQuery(near=LAGOS, within_km=600, country="NG"), ["Amina", "Chidi"]),
        (
            MentorQuery(near=LAGOS, within_km=MAX_RADIUS_KM),
            ["Amina", "Kwame", "Chidi", "Awa", "Uwase", "Nakato", "Wanjiru", "Youssef", "Thandiwe", "Pieter"],
        ),
    ],
    ids=["nairobi-800", "nairobi-500", "johannesburg-python", "free-capacity", "lagos-ng", "whole-earth"],
)
async def test_within_km_keeps_only_mentors_that_close(
    store: Store, mentors: dict[str, User], query: MentorQuery, expected: list[str]
) -> None:
    assert await search(store, query) == (expected, len(expected))


async def test_within_km_across_the_antimeridian(store: Store) -> None:
    suva = make_mentor("Suva", at=location(-18.1248, 178.4501, "FJ"))
    far = make_mentor("Far", at=location(-18.1248, 100.0, "ID"))
    async with store.new_uow() as uow:
        await uow.users.add(suva)
        await uow.users.add(far)
        await uow.commit()
    apia = GeoPoint(-13.8333, -171.7667)
    assert await search(store, MentorQuery(near=apia, within_km=1200)) == (["Suva"], 1)


async def test_cards_carry_open_mentorships_and_free_capacity(store: Store, mentors: dict[str, User]) -> None:
    page = await search_page(store, MentorQuery(country="NG"))
    amina, chidi = page.items
    assert (amina.open_mentorships, amina.free_capacity, amina.distance_km) == (1, 1, None)
    assert (chidi.open_mentorships, chidi.free_capacity) == (1, 0)
    assert amina.mentor == replace(mentors["Amina"], password_hash=None)  # the list never carries the hash
    assert mentors["Amina"].password_hash is not None  # positive control: she has one


@pytest.mark.parametrize("near", [None, LAGOS], ids=["by-age", "by-distance"])
async def test_pages_cover_the_list_without_overlap(
    store: Store, mentors: dict[str, User], near: GeoPoint | None
) -> None:
    everything, total = await search(store, MentorQuery(near=near))
    pages = []
    for offset in range(0, 12, 4):
        names, page_total = await search(store, MentorQuery(near=near, page=PageRequest(limit=4, offset=offset)))
        assert page_total == total == 11
        pages.append(names)
    assert [len(page) for page in pages] == [4, 4, 3]
    assert [name for page in pages for name in page] == everything
    assert await search(store, MentorQuery(near=near, page=PageRequest(limit=4, offset=20))) == ([], 11)


async def test_equal_creation_times_and_distances_are_ordered_by_id(store: Store) -> None:
    twins = [make_mentor(f"Twin{n}", at=location(0.0, 10.0)) for n in range(4)]
    async with store.new_uow() as uow:
        for twin in twins:
            await uow.users.add(twin)
        await uow.commit()
    expected = [t.profile.display_name for t in sorted(twins, key=lambda t: str(t.id))]
    assert await search(store, MentorQuery()) == (expected, 4)
    assert await search(store, MentorQuery(near=GeoPoint(1.0, 10.0))) == (expected, 4)


async def test_a_mentor_exactly_at_the_radius_is_within_it(store: Store) -> None:
    kampala = make_mentor("Kampala", at=location(0.3476, 32.5825, "UG"))
    async with store.new_uow() as uow:
        await uow.users.add(kampala)
        await uow.commit()
    exact = haversine_km(NAIROBI, GeoPoint(0.3476, 32.5825))
    assert await search(store, MentorQuery(near=NAIROBI, within_km=exact)) == (["Kampala"], 1)
    # Just outside: 1e-6 of the radius (half a metre here), well past the engines' rounding differences.
    assert await search(store, MentorQuery(near=NAIROBI, within_km=exact * (1 - 1e-6))) == ([], 0)


async def _store_neighbours(store: Store, count: int) -> list[User]:
    """``count`` mentors on a line east of Lagos, one every 1.5 km, each a minute younger than the last."""
    neighbours = [
        make_mentor(
            f"N{n:02}", at=location(LAGOS.lat, LAGOS.lon + n * 0.0135, "NG"), created_at=T0 + timedelta(minutes=n)
        )
        for n in range(count)
    ]
    async with store.new_uow() as uow:
        for mentor in neighbours:
            await uow.users.add(mentor)
        await uow.commit()
    return neighbours


def _point(user: User) -> GeoPoint:
    assert user.profile.location is not None
    return user.profile.location.point


@pytest.mark.parametrize("within", [None, 5.0, 12.0])
async def test_with_privacy_distances_and_radius_are_to_public_points_in_whole_bands(
    store: Store, within: float | None
) -> None:
    privacy = LocationPrivacy.from_secret("contract-test-location-key")
    neighbours = await _store_neighbours(store, 16)
    # The rule, written out: the distance to each public point, kept when its whole 5 km band is within the
    # radius rounded up to a whole band; nearest first, then oldest, then id.
    shown = {m.id: haversine_km(LAGOS, privacy.public_point(m.id, _point(m))) for m in neighbours}
    bound = None if within is None else math.ceil(within / 5) * 5
    kept = [m for m in neighbours if bound is None or (math.floor(shown[m.id] / 5) + 1) * 5 <= bound]
    expected = sorted(kept, key=lambda m: (shown[m.id], m.created_at, str(m.id)))
    query = MentorQuery(near=LAGOS, within_km=within, privacy=privacy, page=PageRequest(limit=5, offset=2))

    page = await search_page(store, query)

    assert page.total == len(expected)
    assert [card.mentor.id for card in page.items] == [m.id for m in expected[2:7]]
    assert [card.distance_km for card in page.items] == pytest.approx([shown[m.id] for m in expected[2:7]])


# The in-memory search reads every mentor: the bound is the SQL repository's.
@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_search_from_a_point_considers_the_nearest_candidates_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_users, "NEAR_SEARCH_CANDIDATES", 6)
    neighbours = await _store_neighbours(store, 10)

    names, total = await search(store, MentorQuery(near=LAGOS))

    assert total == 6
    assert names == [m.profile.display_name for m in neighbours[:6]]
