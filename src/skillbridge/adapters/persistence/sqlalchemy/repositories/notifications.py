"""Notifications in SQL, read through the ``(user_id, read, created_at)`` index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import ColumnElement, CursorResult, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import notification_from_row, notification_to_values
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import DirectPage, page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import NotificationRow
from skillbridge.application.ports.repositories import NotificationRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import NotFound
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}


def _of(user_id: UUID | ColumnElement[Any], *, unread_only: bool) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [NotificationRow.user_id == user_id, NotificationRow.deleted_at.is_(None)]
    if unread_only:
        filters.append(NotificationRow.read.is_(False))
    return filters


_UNREAD_UNDELETED = (NotificationRow.read.is_(False), NotificationRow.deleted_at.is_(None))


#: Built once, on the table (no ORM bulk-insert bookkeeping: nothing reads the rows back as objects).
_INSERT = insert(cast(Table, NotificationRow.__table__))


def _direct_page(*, unread_only: bool) -> DirectPage:
    filters = _of(bindparam("user_id"), unread_only=unread_only)
    return DirectPage(
        select(NotificationRow.__table__)
        .where(*filters)
        .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc()),
        select(func.count()).select_from(NotificationRow).where(*filters),
    )


# The inbox's reads straight on the driver (see raw.py): its page (all, or unread only) and its unread count.
_PAGE_DIRECT = {False: _direct_page(unread_only=False), True: _direct_page(unread_only=True)}
_UNREAD_DIRECT = CompiledRead(
    select(func.count()).select_from(NotificationRow).where(*_of(bindparam("user_id"), unread_only=True))
)


class SqlaNotificationRepository(NotificationRepository):
    """:class:`NotificationRepository` on a SQLAlchemy session (SQLite or PostgreSQL).

    Given ``direct`` (the asyncpg connection of a block that only reads), the inbox's reads
    (:meth:`list_for_user`, :meth:`count_unread`) go straight to it (see ``raw.py``)."""

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct

    @translated
    async def add(self, notification: Notification) -> None:
        await self._session.execute(insert(NotificationRow).values(**notification_to_values(notification)))

    @translated
    async def add_many(self, notifications: Sequence[Notification]) -> None:
        if notifications:
            await self._session.execute(_INSERT, [notification_to_values(n) for n in notifications])

    @translated
    async def list_for_user(self, user_id: UUID, page: PageRequest, unread_only: bool = False) -> Page[Notification]:
        if self._direct is not None:
            records, total = await _PAGE_DIRECT[unread_only].read(self._direct, {"user_id": user_id}, page)
            items = [notification_from_row(cast(NotificationRow, Fields(record))) for record in records]
            return Page(items=items, total=total, limit=page.limit, offset=page.offset)
        filters = _of(user_id, unread_only=unread_only)
        rows, total = await page_and_total(  # the page and its total in one statement
            self._session,
            select(NotificationRow)
            .where(*filters)
            .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc()),
            select(func.count()).select_from(NotificationRow).where(*filters),
            page,
        )
        return Page(
            items=[notification_from_row(row) for (row,) in rows], total=total, limit=page.limit, offset=page.offset
        )

    @translated
    async def list_after(
        self, user_id: UUID, after: UUID | None, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        filters = _of(user_id, unread_only=unread_only)
        if after is not None:
            filters.append(NotificationRow.id > after)
        rows, total = await page_and_total(
            self._session,
            select(NotificationRow).where(*filters).order_by(NotificationRow.id),
            select(func.count()).select_from(NotificationRow).where(*filters),
            page,
        )
        return Page(
            items=[notification_from_row(row) for (row,) in rows], total=total, limit=page.limit, offset=page.offset
        )

    @translated
    async def mark_read(self, notification_id: UUID, user_id: UUID, at: datetime) -> Notification:
        read_at = utc(at)
        # Only an unread row changes, so a second mark (or a concurrent one) keeps the first read_at.
        await self._session.execute(
            update(NotificationRow)
            .where(
                NotificationRow.id == notification_id,
                NotificationRow.user_id == user_id,
                NotificationRow.read.is_(False),
                NotificationRow.deleted_at.is_(None),
            )
            .values(read=True, read_at=read_at, updated_at=read_at)
            .execution_options(synchronize_session=False)
        )
        row = await self._session.scalar(
            select(NotificationRow)
            .where(
                NotificationRow.id == notification_id,
                NotificationRow.user_id == user_id,
                NotificationRow.deleted_at.is_(None),
            )
            .execution_options(**_FRESH)
        )
        if row is None:
            raise NotFound(N_("notification not found"))
        return notification_from_row(row)

    @translated
    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        read_at = utc(at)
        result = await self._session.execute(
            update(NotificationRow)
            .where(*_of(user_id, unread_only=True))
            .values(read=True, read_at=read_at, updated_at=read_at)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount

    @translated
    async def count_unread(self, user_id: UUID) -> int:
        if self._direct is not None:
            record = await _UNREAD_DIRECT.fetchrow(self._direct, {"user_id": user_id})
            return 0 if record is None else int(record[0])
        filters = _of(user_id, unread_only=True)
        return await self._session.scalar(select(func.count()).select_from(NotificationRow).where(*filters)) or 0

    @translated
    async def unread_recipients(self, created_before: datetime, limit: int) -> list[UUID]:
        rows = await self._session.scalars(
            select(NotificationRow.user_id)
            # A deleted notification is in no digest.
            .where(*_UNREAD_UNDELETED, NotificationRow.created_at < utc(created_before))
            .distinct()
            .order_by(NotificationRow.user_id)
            .limit(limit)
        )
        return list(rows)

    @translated
    async def delete(self, notification_id: UUID, user_id: UUID, at: datetime) -> None:
        result = await self._session.execute(
            update(NotificationRow)
            .where(
                NotificationRow.id == notification_id,
                NotificationRow.user_id == user_id,
                NotificationRow.deleted_at.is_(None),
            )
            .values(deleted_at=utc(at), updated_at=utc(at))
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            raise NotFound(N_("notification not found"))

    @translated
    async def purge(self, *, deleted_before: datetime, read_before: datetime) -> int:
        result = await self._session.execute(
            delete(NotificationRow).where(
                or_(NotificationRow.deleted_at < utc(deleted_before), NotificationRow.read_at < utc(read_before))
            )
        )
        return cast(CursorResult[Any], result).rowcount
