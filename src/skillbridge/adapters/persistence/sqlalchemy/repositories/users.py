"""Users in SQL, and the mentor search translated into SQL filters."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CursorResult,
    Select,
    Subquery,
    Uuid,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.geo import distance_km
from skillbridge.adapters.persistence.sqlalchemy.mappers import (
    listed_mentor_from_row,
    user_from_row,
    user_language_values,
    user_skill_values,
    user_to_values,
)
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.mentor_directory import directory_page_statements
from skillbridge.adapters.persistence.sqlalchemy.tables import (
    UserLanguageRow,
    UserRow,
    UserSkillRow,
)
from skillbridge.adapters.persistence.sqlalchemy.views import open_mentor_places
from skillbridge.application.ports.repositories import UserRepository
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery, SkillMatch, distance_from
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.geo import GeoPoint, bounding_box
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# Widens the distance pre-filter box by ~0.1 m so float rounding at its edge never drops a mentor that
# the exact Haversine check would keep.
_BOX_MARGIN_DEGREES = 1e-6

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}

_RADIUS_TOLERANCE = 1e-9
_MENTOR_ROLE: ColumnElement[str] = literal_column(f"'{Role.MENTOR.value}'")
_GET_USER = select(UserRow).where(UserRow.id == bindparam("user_id")).execution_options(**_FRESH)
_GET_USER_DIRECT = CompiledRead(select(UserRow.__table__).where(UserRow.id == bindparam("user_id")))
# The ids as one array: one SQL text for any number of them, compiled once.
_GET_USERS_DIRECT = CompiledRead(
    select(UserRow.__table__).where(UserRow.id == any_(bindparam("user_ids", type_=ARRAY(Uuid()))))
)

#: Most mentors a search from a point considers: the nearest this many (by stored point) that pass every
#: other filter, and the radius when there is one. Their public distances are computed in Python (see
#: :meth:`SqlaUserRepository._page_by_distance`), so this bounds the work of a huge or missing radius; a
#: mentor beyond them is neither listed nor counted.
NEAR_SEARCH_CANDIDATES = 2000


#: The number of pending or active mentorships of each mentor that has any (through the view: every
#: learner's, not only those row-level security lets the caller see).
_OPEN_COUNTS: Subquery = (
    select(open_mentor_places.c.mentor_id, func.count().label("open_count"))
    .group_by(open_mentor_places.c.mentor_id)
    .subquery("open_mentorships")
)


def _with_open_counts(*columns: Any) -> Select[Any]:
    """``columns`` of the users, each joined to its row of :data:`_OPEN_COUNTS`."""
    return select(*columns).select_from(UserRow).outerjoin(_OPEN_COUNTS, _OPEN_COUNTS.c.mentor_id == UserRow.id)


def _candidates(shape: _Shape, *columns: Any) -> Select[Any]:
    """``columns`` of the users, joined to every mentor's capacity in use only when the free-capacity filter
    needs it (the join is what makes a search slow)."""
    if shape.free_capacity:
        return _with_open_counts(*columns)
    return select(*columns).select_from(UserRow)


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which filters a mentor search uses: searches of one shape share one statement, built once, and
    differ only in their bound values (building a statement was a fifth of a search's CPU)."""

    skills: bool
    all_skills: bool
    country: bool
    min_hours: bool
    language: bool
    free_capacity: bool

    @classmethod
    def of(cls, query: MentorQuery) -> _Shape:
        return cls(
            skills=bool(query.skills),
            all_skills=query.skill_match is SkillMatch.ALL,
            country=query.country is not None,
            min_hours=query.min_hours_per_week is not None,
            language=query.language is not None,
            free_capacity=query.has_free_capacity,
        )


def _bound_values(query: MentorQuery) -> dict[str, Any]:
    """The values of the bound parameters of :func:`_mentor_filters` and of the page."""
    wanted = sorted(set(query.skills))
    return {
        "skills": wanted,
        "skill_count": len(wanted),
        "country": query.country,
        "min_hours": query.min_hours_per_week,
        "language": query.language,
        "page_limit": query.page.limit,
        "page_offset": query.page.offset,
    }


def _mentor_filters(shape: _Shape) -> list[ColumnElement[bool]]:
    """SQL for every filter of :func:`~skillbridge.domain.accounts.mentor_search.mentor_fits` but the
    distance, with the values bound (see :func:`_bound_values`)."""
    # The role is written into the SQL, not bound: a prepared statement's generic plan could not otherwise
    # use the partial index of the active mentors (ix_users_active_mentors_created_at_id).
    filters: list[ColumnElement[bool]] = [UserRow.role == _MENTOR_ROLE, UserRow.is_active.is_(True)]
    if shape.skills:
        wanted = UserSkillRow.skill.in_(bindparam("skills", expanding=True))
        of_user = (UserSkillRow.user_id == UserRow.id, wanted)
        if shape.all_skills:
            held = select(func.count()).select_from(UserSkillRow).where(*of_user).correlate(UserRow)
            filters.append(held.scalar_subquery() == bindparam("skill_count"))
        else:
            filters.append(exists().where(*of_user).correlate(UserRow))
    if shape.country:
        filters.append(UserRow.country == bindparam("country"))
    if shape.min_hours:
        filters.append(UserRow.hours_per_week >= bindparam("min_hours"))
    if shape.language:
        filters.append(
            exists()
            .where(UserLanguageRow.user_id == UserRow.id, UserLanguageRow.language == bindparam("language"))
            .correlate(UserRow)
        )
    if shape.free_capacity:
        filters.append(func.coalesce(UserRow.mentor_capacity, 0) - func.coalesce(_OPEN_COUNTS.c.open_count, 0) > 0)
    return filters


def _near_filters(query: MentorQuery) -> list[ColumnElement[bool]]:
    """The bounding box of a search from a point with a radius (values inline: these statements vary anyway)."""
    radius = query.prefilter_radius_km
    if radius is None or query.near is None:
        return []
    min_lat, max_lat, min_lon, max_lon = bounding_box(query.near, radius)
    return [
        UserRow.latitude.between(min_lat - _BOX_MARGIN_DEGREES, max_lat + _BOX_MARGIN_DEGREES),
        UserRow.longitude.between(min_lon - _BOX_MARGIN_DEGREES, max_lon + _BOX_MARGIN_DEGREES),
    ]


@functools.lru_cache(maxsize=64)
def _page_by_age_statements(shape: _Shape) -> tuple[Select[Any], Select[Any]]:
    """The page statement of a search without a point, and its count, for ``shape``: the page is chosen on
    narrow rows (ids in order, the total as a window count), then only its rows are read, with the capacity
    in use counted for its mentors alone. (Joining every mentor's count to the wide rows let PostgreSQL pick
    a nested loop over all of them: 50 ms instead of 4 on 2,000 mentors.) A block that only reads, on
    PostgreSQL, searches the mentor directory instead (``mentor_directory.py``)."""
    filters = _mentor_filters(shape)
    order = (UserRow.created_at, UserRow.id)
    chosen = (
        _candidates(shape, UserRow.id)
        .where(*filters)
        .add_columns(func.row_number().over(order_by=order).label("place"), func.count().over().label("total"))
        .order_by(*order)
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
        .cte("page")
    )
    page_open_counts = (
        select(open_mentor_places.c.mentor_id, func.count().label("open_count"))
        .where(open_mentor_places.c.mentor_id.in_(select(chosen.c.id)))
        .group_by(open_mentor_places.c.mentor_id)
        .subquery("page_open_counts")
    )
    page = (
        select(
            UserRow,
            func.coalesce(page_open_counts.c.open_count, 0).label("open_count"),
            chosen.c.total,
        )
        .join(chosen, chosen.c.id == UserRow.id)
        .outerjoin(page_open_counts, page_open_counts.c.mentor_id == UserRow.id)
        .order_by(chosen.c.place)
        .execution_options(**_FRESH)
    )
    return page, _candidates(shape, func.count()).where(*filters)


class SqlaUserRepository(UserRepository):
    """:class:`UserRepository` on a SQLAlchemy session (SQLite or PostgreSQL).

    The profile document is the source of the entity; ``user_skills``, ``user_languages`` and the
    search columns of ``users`` are copies written with it, read only by the mentor search.

    Given ``direct`` (the asyncpg connection of a block that only reads), :meth:`get` and the mentor list
    without a point, the hottest reads, go straight to it (see ``raw.py``).
    """

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct

    @translated
    async def add(self, user: User) -> None:
        await self._refuse_taken_keys(user)
        await self._session.execute(insert(UserRow).values(**user_to_values(user)))
        await self._write_search_copies(user)

    @translated
    async def get(self, user_id: UUID) -> User:
        values = {"user_id": user_id}
        if self._direct is not None:
            record = await _GET_USER_DIRECT.fetchrow(self._direct, values)
            row = None if record is None else cast(UserRow, Fields(record))
        else:
            row = await self._session.scalar(_GET_USER, values)
        if row is None:
            raise NotFound(N_("user not found"))
        return user_from_row(row)

    @translated
    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        if self._direct is not None:
            records = await _GET_USERS_DIRECT.fetch(self._direct, {"user_ids": wanted})
            return {record["id"]: user_from_row(cast(UserRow, Fields(record))) for record in records}
        rows = await self._session.scalars(select(UserRow).where(UserRow.id.in_(wanted)).execution_options(**_FRESH))
        return {row.id: user_from_row(row) for row in rows}

    @translated
    async def find_by_email(self, email: str) -> User | None:
        row = await self._session.scalar(
            select(UserRow).where(UserRow.email == email.strip().lower()).execution_options(**_FRESH)
        )
        return None if row is None else user_from_row(row)

    @translated
    async def find_by_github_id(self, github_id: int) -> User | None:
        row = await self._session.scalar(
            select(UserRow).where(UserRow.github_id == github_id).execution_options(**_FRESH)
        )
        return None if row is None else user_from_row(row)

    @translated
    async def update(self, user: User) -> User:
        await self._refuse_taken_keys(user)
        values = user_to_values(user)
        del values["id"], values["created_at"]
        values["version"] = user.version + 1
        result = await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user.id, UserRow.version == user.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            stored = await self._session.scalar(select(UserRow.version).where(UserRow.id == user.id))
            if stored is None:
                raise NotFound(N_("user not found"))
            raise Conflict(N_("the user was changed meanwhile; reload and try again"), field="version")
        await self._session.execute(delete(UserSkillRow).where(UserSkillRow.user_id == user.id))
        await self._session.execute(delete(UserLanguageRow).where(UserLanguageRow.user_id == user.id))
        await self._write_search_copies(user)
        return replace(user, version=user.version + 1, updated_at=utc(user.updated_at))

    @translated
    async def list(self, page: PageRequest, role: Role | None = None) -> Page[User]:
        filters = [] if role is None else [UserRow.role == role.value]
        total = await self._session.scalar(select(func.count()).select_from(UserRow).where(*filters)) or 0
        rows = await self._session.scalars(
            select(UserRow)
            .where(*filters)
            .order_by(UserRow.created_at, UserRow.id)
            .limit(page.limit)
            .offset(page.offset)
            .execution_options(**_FRESH)
        )
        return Page(items=[user_from_row(row) for row in rows], total=total, limit=page.limit, offset=page.offset)

    @translated
    async def search_mentors(self, query: MentorQuery) -> Page[MentorCard]:
        """Without a point, one statement (:meth:`_page_by_age`); from a point, two
        (:meth:`_page_by_distance`)."""
        shape = _Shape.of(query)
        values = _bound_values(query)
        if query.near is None:
            return await self._page_by_age(query.page, shape, values)
        return await self._page_by_distance(query, query.near, shape, values)

    async def _page_by_age(self, page: PageRequest, shape: _Shape, values: dict[str, Any]) -> Page[MentorCard]:
        """Oldest first, in one statement (see :func:`_page_by_age_statements`); a second only to count when
        the page is past the end."""
        if self._direct is not None:
            return await self._page_by_age_direct(self._direct, page, shape, values)
        statement, count = _page_by_age_statements(shape)
        rows = (await self._session.execute(statement, values)).all()
        total = rows[0][2] if rows else await self._session.scalar(count, values) or 0
        cards = [
            MentorCard(listed_mentor_from_row(row), open_mentorships=in_use, distance_km=None)
            for row, in_use, _ in rows
        ]
        return Page(items=cards, total=total, limit=page.limit, offset=page.offset)

    async def _page_by_age_direct(
        self, driver: asyncpg.Connection, page: PageRequest, shape: _Shape, values: dict[str, Any]
    ) -> Page[MentorCard]:
        """:meth:`_page_by_age` on the driver, from the mentor directory (``mentor_directory.py``)."""
        statement, count = directory_page_statements(shape)
        records = await statement.fetch(driver, values)
        if records:
            total = records[0]["total"]
        else:
            counted = await count.fetchrow(driver, values)
            total = counted[0] if counted is not None else 0
        cards = [
            MentorCard(
                listed_mentor_from_row(cast(UserRow, Fields(record))),
                open_mentorships=record["open_count"],
                distance_km=None,
            )
            for record in records
        ]
        return Page(items=cards, total=total, limit=page.limit, offset=page.offset)

    async def _page_by_distance(
        self, query: MentorQuery, near: GeoPoint, shape: _Shape, values: dict[str, Any]
    ) -> Page[MentorCard]:
        """Nearest first, in two statements. The distance that orders and filters is to each mentor's public
        point (:meth:`MentorQuery.distance_to`), keyed and so out of SQL's reach: the first statement reads
        the candidates' stored points (within ``query.prefilter_radius_km`` when there is a radius, the
        nearest :data:`NEAR_SEARCH_CANDIDATES` by stored point), which are ranked and paged here; the second
        reads the page's rows with their capacity in use. The total counts the candidates that pass."""
        filters = [*_mentor_filters(shape), *_near_filters(query)]
        distance = distance_km(UserRow.latitude, UserRow.longitude, near)
        radius = query.prefilter_radius_km
        if radius is not None:
            # PostgreSQL's trigonometry and Python's may differ in the last bits: a mentor within a
            # millionth of a millimetre per kilometre of the radius counts as inside it.
            filters = [*filters, distance <= radius * (1 + _RADIUS_TOLERANCE)]
        candidates = await self._session.execute(
            _candidates(shape, UserRow.id, UserRow.latitude, UserRow.longitude, UserRow.created_at)
            .where(*filters)
            .order_by(distance.is_(None), distance, UserRow.created_at, UserRow.id)  # the unplaced last
            .limit(NEAR_SEARCH_CANDIDATES),
            values,
        )
        keyed: list[tuple[float, str, str, UUID]] = []
        for user_id, lat, lon, created_at in candidates:
            shown = query.distance_to(user_id, GeoPoint(lat, lon)) if lat is not None and lon is not None else None
            if query.reaches(shown):
                keyed.append((math.inf if shown is None else shown, utc(created_at).isoformat(), str(user_id), user_id))
        keyed.sort()
        page_ids = [user_id for *_, user_id in keyed[query.page.offset : query.page.offset + query.page.limit]]
        cards: list[MentorCard] = []
        if page_ids:
            in_use = func.coalesce(_OPEN_COUNTS.c.open_count, 0)
            rows = await self._session.execute(
                _with_open_counts(UserRow, in_use).where(UserRow.id.in_(page_ids)).execution_options(**_FRESH)
            )
            found = {row.id: (listed_mentor_from_row(row), count) for row, count in rows}
            for mentor, count in (found[user_id] for user_id in page_ids):
                cards.append(MentorCard(mentor, open_mentorships=count, distance_km=distance_from(query, mentor)))
        return Page(items=cards, total=len(keyed), limit=query.page.limit, offset=query.page.offset)

    async def _refuse_taken_keys(self, user: User) -> None:
        """Raise Conflict if another user holds this email or GitHub id (before the database refuses it and
        the transaction, on PostgreSQL, becomes unusable)."""
        taken = [UserRow.email == user.email]
        if user.github_id is not None:
            taken.append(UserRow.github_id == user.github_id)
        rows = await self._session.execute(
            select(UserRow.email, UserRow.github_id).where(or_(*taken), UserRow.id != user.id)
        )
        clashes = rows.all()
        if any(email == user.email for email, _ in clashes):
            raise Conflict(N_("this email is already registered"), field="email")
        if clashes:
            raise Conflict(N_("this GitHub account is linked to another user"), field="github_id")

    async def _write_search_copies(self, user: User) -> None:
        if skills := user_skill_values(user):
            await self._session.execute(insert(UserSkillRow), skills)
        if languages := user_language_values(user):
            await self._session.execute(insert(UserLanguageRow), languages)
