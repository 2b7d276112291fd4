"""Badges in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import BadgeRow
from skillbridge.application.ports.repositories import BadgeRepository
from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.clock import utc


class SqlaBadgeRepository(BadgeRepository):
    """:class:`BadgeRepository` on a SQLAlchemy session; the unique key (user, type) refuses a second one."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, badge: Badge) -> None:
        at = utc(badge.awarded_at)
        await self._session.execute(
            insert(BadgeRow).values(
                id=badge.id,
                user_id=badge.user_id,
                type=badge.type,
                criteria=dict(badge.criteria),
                awarded_at=at,
                awarded_by=badge.awarded_by,
                created_at=at,
                updated_at=at,
            )
        )

    @translated
    async def list_for_user(self, user_id: UUID) -> Sequence[Badge]:
        rows = await self._session.scalars(
            select(BadgeRow)
            .where(BadgeRow.user_id == user_id)
            .order_by(BadgeRow.awarded_at, BadgeRow.id)
            .execution_options(populate_existing=True)
        )
        return [
            Badge(
                id=row.id,
                user_id=row.user_id,
                type=row.type,
                criteria=dict(row.criteria),
                awarded_at=utc(row.awarded_at),
                awarded_by=row.awarded_by,
            )
            for row in rows
        ]
