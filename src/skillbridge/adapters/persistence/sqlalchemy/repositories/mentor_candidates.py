"""The mentor pool of one request in SQL: :mod:`skillbridge.domain.matching.candidates` as one bounded query."""

from __future__ import annotations

import math
from typing import Any, cast

from sqlalchemy import ColumnElement, Text, UnaryExpression, and_, exists, func, literal, literal_column, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.mappers import user_from_row
from skillbridge.adapters.persistence.sqlalchemy.tables import UserLanguageRow, UserRow, UserSkillRow
from skillbridge.adapters.persistence.sqlalchemy.views import mentor_directory, open_mentor_places
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.matching.candidates import CandidateQuery

# Written as the GIN indexes of migration 0017 write them.
_SKILLS: ColumnElement[Any] = literal_column("mentor_directory.profile -> 'skills'")
_LANGUAGES: ColumnElement[Any] = literal_column("mentor_directory.profile -> 'languages'")


def _near_enough(
    query: CandidateQuery, shared: ColumnElement[int], latitude: Any, longitude: Any
) -> ColumnElement[bool] | None:
    """A mentor sharing no wanted skill must stand in the reach box; None when nothing needs checking."""
    if not query.skills or query.reach_km is None:
        return None
    box = query.box
    if box is None:
        return None
    min_lat, max_lat, min_lon, max_lon = box
    in_box = and_(latitude.between(min_lat, max_lat), longitude.between(min_lon, max_lon))
    return or_(shared > 0, in_box)


def _after(query: CandidateQuery, created_at: Any, id_: Any) -> ColumnElement[bool] | None:
    """The keyset of a paged pool: the mentors after ``query.after`` in (created_at, id) order."""
    if query.after is None:
        return None
    at, last = query.after
    return or_(created_at > at, and_(created_at == at, id_ > last))


def _best_first(query: CandidateQuery, shared: ColumnElement[int], latitude: Any, longitude: Any) -> list[Any]:
    """Most shared skills first, then nearest the query's point (a flat approximation: only the order counts)."""
    order: list[UnaryExpression[Any]] = [shared.desc()]
    if query.near is not None:
        scale = math.cos(math.radians(query.near.lat))
        d_lat = latitude - query.near.lat
        d_lon = (longitude - query.near.lon) * scale
        order.append((d_lat * d_lat + d_lon * d_lon).asc())
    return order


async def candidate_cards(session: AsyncSession, query: CandidateQuery) -> list[MentorCard]:
    """:meth:`MentorshipRepository.candidates` on ``session``: on PostgreSQL from the mentor directory
    (:func:`_directory_candidate_cards`), on SQLite from the tables."""
    if session.get_bind().dialect.name == "postgresql":
        return await _directory_candidate_cards(session, query)
    # Through the view: every learner's open mentorships fill a mentor's places, not only the caller's.
    open_count = (
        select(func.count())
        .select_from(open_mentor_places)
        .where(open_mentor_places.c.mentor_id == UserRow.id)
        .correlate(UserRow)
        .scalar_subquery()
    )
    shared = (
        select(func.count())
        .select_from(UserSkillRow)
        .where(UserSkillRow.user_id == UserRow.id, UserSkillRow.skill.in_(sorted(set(query.skills))))
        .correlate(UserRow)
        .scalar_subquery()
        if query.skills
        else literal(0)
    )
    speaks = UserLanguageRow.user_id == UserRow.id
    language = and_(speaks, UserLanguageRow.language.in_(sorted(set(query.languages)))) if query.languages else speaks
    filters: list[ColumnElement[bool]] = [
        UserRow.role == Role.MENTOR.value,
        UserRow.is_active.is_(True),
        UserRow.latitude.is_not(None),
        UserRow.longitude.is_not(None),
        func.coalesce(UserRow.mentor_capacity, 0) - open_count > 0,
        exists().where(language).correlate(UserRow),
    ]
    if query.excluded:
        filters.append(UserRow.id.not_in(sorted(query.excluded)))
    if (near_enough := _near_enough(query, shared, UserRow.latitude, UserRow.longitude)) is not None:
        filters.append(near_enough)
    if (after := _after(query, UserRow.created_at, UserRow.id)) is not None:
        filters.append(after)
    order = _best_first(query, shared, UserRow.latitude, UserRow.longitude)
    rows = await session.execute(
        select(UserRow, open_count)
        .where(*filters)
        .order_by(*order, UserRow.created_at, UserRow.id)
        .limit(query.limit)
        .execution_options(populate_existing=True)
    )
    return [MentorCard(mentor=user_from_row(row), open_mentorships=int(held), distance_km=None) for row, held in rows]


async def _directory_candidate_cards(session: AsyncSession, query: CandidateQuery) -> list[MentorCard]:
    """:func:`candidate_cards` from the ``mentor_directory`` view (migration 0017): the skills and languages
    are its profile documents' (the tables' copies hold the same), and row-level security is not paid per
    mentor and per skill (the tables' statement took 100 ms and more as the application role)."""
    directory = mentor_directory.c
    open_count = (
        select(func.count())
        .select_from(open_mentor_places)
        .where(open_mentor_places.c.mentor_id == directory.id)
        .correlate(mentor_directory)
        .scalar_subquery()
    )
    shared: ColumnElement[int] = literal(0)
    if query.skills:
        wanted = (
            func.unnest(literal(sorted(set(query.skills)), ARRAY(Text())))
            .table_valued("skill")
            .render_derived(name="wanted")
        )
        shared = select(func.count()).select_from(wanted).where(_SKILLS.op("?")(wanted.c.skill)).scalar_subquery()
    speaks = (
        _LANGUAGES.op("?|")(literal(sorted(set(query.languages)), ARRAY(Text()))).self_group()
        if query.languages
        else func.jsonb_array_length(_LANGUAGES) > 0
    )
    filters: list[ColumnElement[bool]] = [
        directory.latitude.is_not(None),
        directory.longitude.is_not(None),
        func.coalesce(directory.mentor_capacity, 0) - open_count > 0,
        speaks,
    ]
    if query.excluded:
        filters.append(directory.id.not_in(sorted(query.excluded)))
    if (near_enough := _near_enough(query, shared, directory.latitude, directory.longitude)) is not None:
        filters.append(near_enough)
    if (after := _after(query, directory.created_at, directory.id)) is not None:
        filters.append(after)
    order = _best_first(query, shared, directory.latitude, directory.longitude)
    rows = await session.execute(
        select(mentor_directory, open_count.label("open_count"))
        .where(*filters)
        .order_by(*order, directory.created_at, directory.id)
        .limit(query.limit)
    )
    return [
        # The view has no terms version (nobody else's business): the card's mentor is left without one.
        MentorCard(
            mentor=user_from_row(cast(UserRow, row), with_terms=False),
            open_mentorships=int(row.open_count),
            distance_km=None,
        )
        for row in rows
    ]


async def skill_offered(session: AsyncSession, skill: str) -> bool:
    """:meth:`MentorshipRepository.skill_offered` on ``session``."""
    found = await session.scalar(
        select(UserSkillRow.user_id)
        .join(UserRow, UserRow.id == UserSkillRow.user_id)
        .where(UserSkillRow.skill == skill, UserRow.role == Role.MENTOR.value, UserRow.is_active.is_(True))
        .limit(1)
    )
    return found is not None
