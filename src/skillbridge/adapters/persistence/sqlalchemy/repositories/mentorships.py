"""Mentorships in SQL (storage and counting; matching adds the state machine later)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import mentorship_from_row, mentorship_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import MentorMatchRow
from skillbridge.application.ports.repositories import MentorshipRepository
from skillbridge.domain.errors import NotFound
from skillbridge.domain.matching.mentorship import OPEN_STATUSES, MatchStatus, Mentorship

_OPEN_STATUS_VALUES = sorted(status.value for status in OPEN_STATUSES)


class SqlaMentorshipRepository(MentorshipRepository):
    """:class:`MentorshipRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, mentorship: Mentorship) -> None:
        await self._session.execute(insert(MentorMatchRow).values(**mentorship_to_values(mentorship)))

    @translated
    async def get(self, mentorship_id: UUID) -> Mentorship:
        row = await self._session.scalar(
            select(MentorMatchRow).where(MentorMatchRow.id == mentorship_id).execution_options(populate_existing=True)
        )
        if row is None:
            raise NotFound("mentorship not found")
        return mentorship_from_row(row)

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
            counts[mentor_id] = count
        return counts

    @translated
    async def has_active(self, learner_id: UUID, mentor_id: UUID) -> bool:
        found = await self._session.scalar(
            select(MentorMatchRow.id)
            .where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.mentor_id == mentor_id,
                MentorMatchRow.status == MatchStatus.ACTIVE.value,
            )
            .limit(1)
        )
        return found is not None
