"""Failed jobs in SQL, newest first through the ``failed_at`` index."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, CursorResult, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import failed_job_from_row, failed_job_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import FailedJobRow
from skillbridge.application.ports.repositories import FailedJobRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import NotFound
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}


class SqlaFailedJobRepository(FailedJobRepository):
    """:class:`FailedJobRepository` on a SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, failed: FailedJob) -> None:
        await self._session.execute(insert(FailedJobRow).values(**failed_job_to_values(failed)))

    @translated
    async def get(self, failed_job_id: UUID) -> FailedJob:
        row = await self._session.scalar(
            select(FailedJobRow).where(FailedJobRow.id == failed_job_id).execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound(N_("failed job not found"))
        return failed_job_from_row(row)

    @translated
    async def list(self, page: PageRequest, include_retried: bool = False) -> Page[FailedJob]:
        filters: list[ColumnElement[bool]] = [] if include_retried else [FailedJobRow.retried_at.is_(None)]
        total = await self._session.scalar(select(func.count()).select_from(FailedJobRow).where(*filters)) or 0
        rows = await self._session.scalars(
            select(FailedJobRow)
            .where(*filters)
            .order_by(FailedJobRow.failed_at.desc(), FailedJobRow.id.desc())
            .limit(page.limit)
            .offset(page.offset)
            .execution_options(**_FRESH)
        )
        return Page(items=[failed_job_from_row(row) for row in rows], total=total, limit=page.limit, offset=page.offset)

    @translated
    async def mark_retried(self, failed_job_id: UUID, at: datetime) -> bool:
        result = await self._session.execute(
            update(FailedJobRow)
            .where(FailedJobRow.id == failed_job_id, FailedJobRow.retried_at.is_(None))
            .values(retried_at=utc(at), updated_at=utc(at))
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 1:
            return True
        if await self._session.scalar(select(FailedJobRow.id).where(FailedJobRow.id == failed_job_id)) is None:
            raise NotFound(N_("failed job not found"))
        return False

    @translated
    async def purge(self, failed_before: datetime) -> int:
        result = await self._session.execute(delete(FailedJobRow).where(FailedJobRow.failed_at < utc(failed_before)))
        return cast(CursorResult[Any], result).rowcount
