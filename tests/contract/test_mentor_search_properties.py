"""Property: for any population and any query, the SQL mentor search (SQLite) returns exactly what the
in-memory search returns, which applies the domain rule (``mentor_fits``/``sort_key``) by brute force:
the same mentors, in the same order, with the same counts, distances and totals, with exact distances and
with distances to public points (``MentorQuery.privacy``)."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.tables import metadata
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorQuery, SkillMatch
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.matching.mentorship import OPEN_STATUSES, MatchStatus, Mentorship
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user

CITIES = {
    "Lagos": ("NG", 6.5244, 3.3792),
    "Abuja": ("NG", 9.0765, 7.3986),
    "Accra": ("GH", 5.6037, -0.1870),
    "Nairobi": ("KE", -1.2921, 36.8219),
    "Kigali": ("RW", -1.9441, 30.0619),
    "Cairo": ("EG", 30.0444, 31.2357),
    "Johannesburg": ("ZA", -26.2041, 28.0473),
    "Suva": ("FJ", -18.1248, 178.4501),
}
SKILLS = ["python", "go", "rust", "react", "data-science"]
LANGUAGES = ["en", "fr", "sw", "yo"]
LEARNERS = 4
PRIVACY = LocationPrivacy.from_secret("property-test-location-key")


@dataclass
class Population:
    users: list[User]
    mentorships: list[Mentorship]


@st.composite
def populations(draw: st.DrawFn) -> Population:
    learners = [make_user(created_at=T0 - timedelta(days=1)) for _ in range(LEARNERS)]
    users: list[User] = list(learners)
    mentorships: list[Mentorship] = []
    for index in range(draw(st.integers(0, 14))):
        city = draw(st.sampled_from([None, *CITIES]))
        at = None
        if city is not None:
            country, lat, lon = CITIES[city]
            jitter = draw(st.sampled_from([0.0, 0.25, -1.5]))
            at = location(lat + jitter, lon, country)
        statuses = draw(st.lists(st.sampled_from(MatchStatus), max_size=LEARNERS))
        # Storage refuses to overbook a mentor, so the capacity holds at least the open mentorships drawn.
        open_count = sum(status in OPEN_STATUSES for status in statuses)
        mentor = make_mentor(
            f"M{index}",
            skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=3, unique=True))),
            languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), max_size=2, unique=True))),
            at=at,
            hours=draw(st.integers(0, 20)),
            capacity=max(draw(st.integers(1, 3)), open_count),
            created_at=T0 + timedelta(minutes=draw(st.integers(0, 3))),  # ties on purpose
            is_active=draw(st.booleans()),
        )
        mentor = replace(mentor, role=draw(st.sampled_from([Role.MENTOR, Role.MENTOR, Role.MENTOR, Role.ADMIN])))
        users.append(mentor)
        for learner, status in zip(learners, statuses, strict=False):
            # A waiting request has no mentor yet (and holds none of this mentor's places).
            holder = None if status is MatchStatus.WAITING else mentor.id
            mentorships.append(make_mentorship(learner.id, holder, status=status))
    return Population(users, mentorships)


@st.composite
def queries(draw: st.DrawFn) -> MentorQuery:
    near = None
    within = None
    if draw(st.booleans()):
        _, lat, lon = CITIES[draw(st.sampled_from(list(CITIES)))]
        near = GeoPoint(lat, lon)
        within = draw(st.none() | st.floats(1.0, 8000.0) | st.sampled_from([5.0, 10.0, 300.0, 1000.0, 20_000.0]))
    return MentorQuery(
        skills=tuple(draw(st.lists(st.sampled_from([*SKILLS, "cobol"]), max_size=3))),
        skill_match=draw(st.sampled_from(SkillMatch)),
        country=draw(st.none() | st.sampled_from(["NG", "KE", "ZA", "FJ", "US"])),
        near=near,
        within_km=within,
        min_hours_per_week=draw(st.none() | st.integers(0, 21)),
        language=draw(st.none() | st.sampled_from(LANGUAGES)),
        has_free_capacity=draw(st.booleans()),
        page=PageRequest(limit=draw(st.integers(1, 8)), offset=draw(st.integers(0, 10))),
        privacy=draw(st.sampled_from([None, PRIVACY])),
    )


async def _store(uow: UnitOfWork, population: Population) -> None:
    async with uow:
        for user in population.users:
            await uow.users.add(user)
        for mentorship in population.mentorships:
            await uow.mentorships.add(mentorship)
        await uow.commit()


async def _answer(uow: UnitOfWork, query: MentorQuery) -> tuple[list[tuple[Any, ...]], int]:
    async with uow:
        page = await uow.users.search_mentors(query)
    rows = [(card.mentor, card.open_mentorships, card.distance_km) for card in page.items]
    return rows, page.total


async def _clear(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(delete(table))


def test_sql_search_equals_the_brute_force_search(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "property.db"
    shutil.copyfile(sqlite_template, path)
    with asyncio.Runner() as runner:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        sessions = create_session_factory(engine)

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(population=populations(), queries=st.lists(queries(), min_size=1, max_size=4))
        def same_answers(population: Population, queries: list[MentorQuery]) -> None:
            memory = MemoryDatabase()
            runner.run(_clear(engine))
            runner.run(_store(SqlaUnitOfWork(sessions), population))
            runner.run(_store(MemoryUnitOfWork(memory), population))
            for query in queries:
                expected = runner.run(_answer(MemoryUnitOfWork(memory), query))
                assert runner.run(_answer(SqlaUnitOfWork(sessions), query)) == expected, query

        try:
            same_answers()
        finally:
            runner.run(engine.dispose())
