"""Mentorships in SQL: storage with optimistic locking, the participant's list, and the sweeps' queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import mentorship_from_row, mentorship_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import MatchSessionRow, MentorMatchRow, UserRow
from skillbridge.application.ports.repositories import MentorshipRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.mentorship import (
    DECLINED_STATUSES,
    LEARNER_OPEN_STATUSES,
    OPEN_STATUSES,
    MatchStatus,
    Mentorship,
)
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.pagination import Page, PageRequest

_OPEN_STATUS_VALUES = sorted(status.value for status in OPEN_STATUSES)
_LEARNER_OPEN_STATUS_VALUES = sorted(status.value for status in LEARNER_OPEN_STATUSES)
_DECLINED_STATUS_VALUES = sorted(status.value for status in DECLINED_STATUSES)
# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}


class SqlaMentorshipRepository(MentorshipRepository):
    """:class:`MentorshipRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, mentorship: Mentorship) -> None:
        if mentorship.status in OPEN_STATUSES and mentorship.mentor_id is not None:
            await self._refuse_overbooking(mentorship.mentor_id, mentorship.id)
        await self._session.execute(insert(MentorMatchRow).values(**mentorship_to_values(mentorship)))
        await self._keep_sessions_in_step(mentorship, stored=set())

    async def _keep_sessions_in_step(self, mentorship: Mentorship, stored: set[UUID] | None = None) -> None:
        """Make ``match_sessions`` hold exactly the mentorship's sessions. Sessions never change once added
        (they are added and removed), so rows are only inserted and deleted, and a kept session keeps its
        ``reminded_at``. ``stored``: the session ids already there, when known (none for a new mentorship,
        which saves the query)."""
        wanted = {session.id: session for session in mentorship.session_schedule}
        if stored is None:
            query = select(MatchSessionRow.id).where(MatchSessionRow.match_id == mentorship.id)
            stored = set(await self._session.scalars(query))
        if gone := stored - wanted.keys():
            await self._session.execute(delete(MatchSessionRow).where(MatchSessionRow.id.in_(gone)))
        if new := [wanted[session_id] for session_id in wanted.keys() - stored]:
            await self._session.execute(
                insert(MatchSessionRow),
                [{"id": s.id, "match_id": mentorship.id, "starts_at": utc(s.time), "reminded_at": None} for s in new],
            )

    async def _refuse_overbooking(self, mentor_id: UUID, taking: UUID) -> None:
        """Raise Conflict, before the write that would take one of the mentor's places (``taking``), if
        they have none left.

        A no-op update of the mentor's row comes first: it locks that row on PostgreSQL and takes SQLite's
        write lock, so of two transactions booking the last place at once the second waits for the first
        to commit, then counts its row and is refused. Nothing is written when it raises.
        """
        locked = await self._session.execute(
            update(UserRow)
            .where(UserRow.id == mentor_id)
            # updated_at named too, or its onupdate default would stamp the mentor as changed
            .values(mentor_capacity=UserRow.mentor_capacity, updated_at=UserRow.updated_at)
            .returning(UserRow.mentor_capacity)
            .execution_options(synchronize_session=False)
        )
        capacity = locked.scalar_one_or_none()
        held = await self._session.scalar(
            select(func.count())
            .select_from(MentorMatchRow)
            .where(
                MentorMatchRow.mentor_id == mentor_id,
                MentorMatchRow.status.in_(_OPEN_STATUS_VALUES),
                MentorMatchRow.id != taking,
            )
        )
        if (held or 0) + 1 > (capacity or 0):
            raise Conflict("this mentor has no free place left", field="mentor_id")

    @translated
    async def get(self, mentorship_id: UUID) -> Mentorship:
        row = await self._session.scalar(
            select(MentorMatchRow).where(MentorMatchRow.id == mentorship_id).execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound("mentorship not found")
        return mentorship_from_row(row)

    @translated
    async def update(self, mentorship: Mentorship) -> Mentorship:
        values = mentorship_to_values(mentorship)
        del values["id"], values["created_at"], values["learner_id"]
        values["version"] = mentorship.version + 1
        before = await self._session.scalar(select(MentorMatchRow.status).where(MentorMatchRow.id == mentorship.id))
        takes_a_place = before not in _OPEN_STATUS_VALUES and mentorship.status in OPEN_STATUSES
        if before is not None and takes_a_place and mentorship.mentor_id is not None:
            await self._refuse_overbooking(mentorship.mentor_id, mentorship.id)
        result = await self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.id == mentorship.id, MentorMatchRow.version == mentorship.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            stored = await self._session.scalar(
                select(MentorMatchRow.version).where(MentorMatchRow.id == mentorship.id)
            )
            if stored is None:
                raise NotFound("mentorship not found")
            raise Conflict("the match was changed meanwhile; reload and try again", field="version")
        await self._keep_sessions_in_step(mentorship)
        return replace(mentorship, version=mentorship.version + 1, updated_at=utc(mentorship.updated_at))

    @translated
    async def list_for_participant(
        self, user_id: UUID, page: PageRequest, statuses: frozenset[MatchStatus] | None = None
    ) -> Page[Mentorship]:
        filters = [or_(MentorMatchRow.learner_id == user_id, MentorMatchRow.mentor_id == user_id)]
        if statuses is not None:
            filters.append(MentorMatchRow.status.in_(sorted(status.value for status in statuses)))
        total = await self._session.scalar(select(func.count()).select_from(MentorMatchRow).where(*filters)) or 0
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(*filters)
            .order_by(MentorMatchRow.created_at.desc(), MentorMatchRow.id.desc())
            .limit(page.limit)
            .offset(page.offset)
            .execution_options(**_FRESH)
        )
        return Page(items=[mentorship_from_row(row) for row in rows], total=total, limit=page.limit, offset=page.offset)

    @translated
    async def find_open_request(self, learner_id: UUID, domain: str) -> Mentorship | None:
        row = await self._session.scalar(
            select(MentorMatchRow)
            .where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.domain == domain,
                MentorMatchRow.status.in_(_LEARNER_OPEN_STATUS_VALUES),
            )
            .limit(1)
            .execution_options(**_FRESH)
        )
        return None if row is None else mentorship_from_row(row)

    @translated
    async def list_waiting(self, limit: int) -> Sequence[Mentorship]:
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.status == MatchStatus.WAITING.value)
            .order_by(MentorMatchRow.created_at, MentorMatchRow.id)
            .limit(limit)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    @translated
    async def list_overdue(self, now: datetime, limit: int) -> Sequence[Mentorship]:
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.status == MatchStatus.PENDING.value, MentorMatchRow.expires_at <= utc(now))
            .order_by(MentorMatchRow.expires_at, MentorMatchRow.id)
            .limit(limit)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    @translated
    async def declined_mentors(self, learner_id: UUID, domain: str) -> frozenset[UUID]:
        rows = await self._session.scalars(
            select(MentorMatchRow.mentor_id).where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.domain == domain,
                MentorMatchRow.status.in_(_DECLINED_STATUS_VALUES),
            )
        )
        return frozenset(mentor_id for mentor_id in rows if mentor_id is not None)

    @translated
    async def mentor_record(self, mentor_id: UUID) -> tuple[int, int, float | None]:
        row = (
            await self._session.execute(
                select(func.count(), func.count(MentorMatchRow.rating), func.avg(MentorMatchRow.rating)).where(
                    MentorMatchRow.mentor_id == mentor_id, MentorMatchRow.status == MatchStatus.COMPLETED.value
                )
            )
        ).one()
        completed, rated, average = row
        return int(completed), int(rated), (float(average) if average is not None else None)

    @translated
    async def count_open_by_mentor(self, mentor_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(mentor_ids, 0)
        if not counts:
            return counts
        rows = await self._session.execute(
            select(MentorMatchRow.mentor_id, func.count())
            .where(MentorMatchRow.mentor_id.in_(counts), MentorMatchRow.status.in_(_OPEN_STATUS_VALUES))
            .group_by(MentorMatchRow.mentor_id)
        )
        for mentor_id, count in rows:
            if mentor_id is not None:  # the filter on mentor_id already excludes waiting requests
                counts[mentor_id] = count
        return counts

    @translated
    async def has_active(self, learner_id: UUID, mentor_id: UUID, domain: str) -> bool:
        found = await self._session.scalar(
            select(MentorMatchRow.id)
            .where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.mentor_id == mentor_id,
                MentorMatchRow.status == MatchStatus.ACTIVE.value,
                MentorMatchRow.domain == domain,
            )
            .limit(1)
        )
        return found is not None

    @translated
    async def sessions_due(
        self, after: datetime, until: datetime, limit: int
    ) -> Sequence[tuple[Mentorship, ScheduledSession]]:
        due = (
            await self._session.execute(
                select(MatchSessionRow.id, MatchSessionRow.match_id)
                .join(MentorMatchRow, MentorMatchRow.id == MatchSessionRow.match_id)
                .where(
                    MatchSessionRow.starts_at > utc(after),
                    MatchSessionRow.starts_at <= utc(until),
                    MatchSessionRow.reminded_at.is_(None),
                    MentorMatchRow.status == MatchStatus.ACTIVE.value,
                )
                .order_by(MatchSessionRow.starts_at, MatchSessionRow.id)
                .limit(limit)
            )
        ).all()
        if not due:
            return []
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.id.in_({match_id for _, match_id in due}))
            .execution_options(**_FRESH)
        )
        mentorships = {row.id: mentorship_from_row(row) for row in rows}
        found: list[tuple[Mentorship, ScheduledSession]] = []
        for session_id, match_id in due:
            mentorship = mentorships[match_id]
            session = next((s for s in mentorship.session_schedule if s.id == session_id), None)
            if session is not None:
                found.append((mentorship, session))
        return found

    @translated
    async def mark_reminded(self, session_id: UUID, at: datetime) -> bool:
        # The condition on reminded_at makes this a compare-and-set: of two workers, the second updates 0 rows.
        result = await self._session.execute(
            update(MatchSessionRow)
            .where(MatchSessionRow.id == session_id, MatchSessionRow.reminded_at.is_(None))
            .values(reminded_at=utc(at))
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount == 1
