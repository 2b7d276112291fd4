"""Roadmaps and their versions in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import CursorResult, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import (
    roadmap_from_row,
    roadmap_to_values,
    roadmap_version_from_row,
    roadmap_version_to_values,
)
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import DirectPage, page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import ProgressLogRow, RoadmapRow, RoadmapVersionRow
from skillbridge.application.ports.repositories import RoadmapRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion
from skillbridge.domain.texts import N_

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}

# Built once: the hot read of every roadmap request does not rebuild its expression each time.
_SHOWN = RoadmapRow.deleted_at.is_(None)
_GET_ROADMAP = select(RoadmapRow).where(RoadmapRow.id == bindparam("roadmap_id"), _SHOWN).execution_options(**_FRESH)
_GET_ROADMAP_DIRECT = CompiledRead(select(RoadmapRow.__table__).where(RoadmapRow.id == bindparam("roadmap_id"), _SHOWN))
_OF_ROADMAP = RoadmapVersionRow.roadmap_id == bindparam("roadmap_id")
_VERSIONS_DIRECT = DirectPage(
    select(RoadmapVersionRow.__table__).where(_OF_ROADMAP).order_by(RoadmapVersionRow.version.desc()),
    select(func.count()).select_from(RoadmapVersionRow).where(_OF_ROADMAP),
)


class SqlaRoadmapRepository(RoadmapRepository):
    """:class:`RoadmapRepository` on a SQLAlchemy session (SQLite or PostgreSQL).

    Given ``direct`` (the asyncpg connection of a block that only reads), :meth:`get`, the hottest read, and
    :meth:`list_versions` go straight to it (see ``raw.py``).
    """

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct

    @translated
    async def add(self, roadmap: Roadmap) -> None:
        await self._session.execute(insert(RoadmapRow).values(**roadmap_to_values(roadmap)))

    @translated
    async def get(self, roadmap_id: UUID) -> Roadmap:
        values = {"roadmap_id": roadmap_id}
        if self._direct is not None:
            record = await _GET_ROADMAP_DIRECT.fetchrow(self._direct, values)
            row = None if record is None else cast(RoadmapRow, Fields(record))
        else:
            row = await self._session.scalar(_GET_ROADMAP, values)
        if row is None:
            raise NotFound(N_("roadmap not found"))
        return roadmap_from_row(row)

    @translated
    async def update(self, roadmap: Roadmap) -> Roadmap:
        values = roadmap_to_values(roadmap)
        del values["id"], values["created_at"], values["user_id"]
        values["version"] = roadmap.version + 1
        result = await self._session.execute(
            update(RoadmapRow)
            .where(RoadmapRow.id == roadmap.id, RoadmapRow.version == roadmap.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            stored = await self._session.scalar(select(RoadmapRow.version).where(RoadmapRow.id == roadmap.id))
            if stored is None:
                raise NotFound(N_("roadmap not found"))
            raise Conflict(N_("the roadmap was changed meanwhile; reload and try again"), field="version")
        return replace(roadmap, version=roadmap.version + 1, updated_at=utc(roadmap.updated_at))

    @translated
    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Roadmap]:
        mine = (RoadmapRow.user_id == user_id, _SHOWN)
        rows, total = await page_and_total(
            self._session,
            select(RoadmapRow).where(*mine).order_by(RoadmapRow.created_at.desc(), RoadmapRow.id.desc()),
            select(func.count()).select_from(RoadmapRow).where(*mine),
            page,
        )
        return Page(items=[roadmap_from_row(row) for (row,) in rows], total=total, limit=page.limit, offset=page.offset)

    @translated
    async def count_completed(self, user_id: UUID) -> int:
        finished = (RoadmapRow.user_id == user_id, RoadmapRow.progress >= 100, _SHOWN)
        return await self._session.scalar(select(func.count()).select_from(RoadmapRow).where(*finished)) or 0

    @translated
    async def add_version(self, snapshot: RoadmapVersion) -> None:
        await self._session.execute(insert(RoadmapVersionRow).values(**roadmap_version_to_values(snapshot)))

    @translated
    async def list_versions(self, roadmap_id: UUID, page: PageRequest) -> Page[RoadmapVersion]:
        if self._direct is not None:
            records, total = await _VERSIONS_DIRECT.read(self._direct, {"roadmap_id": roadmap_id}, page)
            versions = [roadmap_version_from_row(cast(RoadmapVersionRow, Fields(record))) for record in records]
            return Page(items=versions, total=total, limit=page.limit, offset=page.offset)
        of_roadmap = RoadmapVersionRow.roadmap_id == roadmap_id
        rows, total = await page_and_total(
            self._session,
            select(RoadmapVersionRow).where(of_roadmap).order_by(RoadmapVersionRow.version.desc()),
            select(func.count()).select_from(RoadmapVersionRow).where(of_roadmap),
            page,
        )
        items = [roadmap_version_from_row(row) for (row,) in rows]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @translated
    async def list_by_repository(self, repository: str) -> Sequence[Roadmap]:
        rows = await self._session.scalars(
            select(RoadmapRow)
            .where(func.lower(RoadmapRow.repository) == repository.lower(), _SHOWN)
            .order_by(RoadmapRow.created_at, RoadmapRow.id)
            .execution_options(**_FRESH)
        )
        return [roadmap_from_row(row) for row in rows]

    @translated
    async def find_deleted(self, roadmap_id: UUID) -> Roadmap | None:
        row = await self._session.scalar(
            select(RoadmapRow)
            .where(RoadmapRow.id == roadmap_id, RoadmapRow.deleted_at.is_not(None))
            .execution_options(**_FRESH)
        )
        return None if row is None else roadmap_from_row(row)

    @translated
    async def list_deleted_for_user(self, user_id: UUID) -> Sequence[Roadmap]:
        rows = await self._session.scalars(
            select(RoadmapRow)
            .where(RoadmapRow.user_id == user_id, RoadmapRow.deleted_at.is_not(None))
            .order_by(RoadmapRow.deleted_at.desc(), RoadmapRow.id.desc())
            .execution_options(**_FRESH)
        )
        return [roadmap_from_row(row) for row in rows]

    @translated
    async def purge_deleted(self, deleted_before: datetime) -> int:
        expired = select(RoadmapRow.id).where(RoadmapRow.deleted_at < utc(deleted_before))
        # Explicitly, not only through ON DELETE CASCADE: the rows of a roadmap go with it on every backend.
        await self._session.execute(delete(ProgressLogRow).where(ProgressLogRow.roadmap_id.in_(expired)))
        await self._session.execute(delete(RoadmapVersionRow).where(RoadmapVersionRow.roadmap_id.in_(expired)))
        result = await self._session.execute(delete(RoadmapRow).where(RoadmapRow.deleted_at < utc(deleted_before)))
        return cast(CursorResult[Any], result).rowcount
