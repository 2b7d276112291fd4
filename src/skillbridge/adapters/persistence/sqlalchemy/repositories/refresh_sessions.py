"""Refresh-token sessions in SQL. Rotation and revocation are single conditional updates, so two
requests racing with the same token cannot both rotate it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, CursorResult, Update, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import refresh_session_from_row, refresh_session_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import RefreshTokenRow
from skillbridge.application.ports.repositories import RefreshSessionRepository
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.clock import utc


class SqlaRefreshSessionRepository(RefreshSessionRepository):
    """:class:`RefreshSessionRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, session: RefreshSession) -> None:
        await self._session.execute(insert(RefreshTokenRow).values(**refresh_session_to_values(session)))

    @translated
    async def find_by_hash(self, token_hash: str) -> RefreshSession | None:
        row = await self._session.scalar(
            select(RefreshTokenRow)
            .where(RefreshTokenRow.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        return None if row is None else refresh_session_from_row(row)

    @translated
    async def mark_rotated(self, session_id: UUID, at: datetime) -> bool:
        statement = update(RefreshTokenRow).where(
            RefreshTokenRow.id == session_id,
            RefreshTokenRow.rotated_at.is_(None),
            RefreshTokenRow.revoked_at.is_(None),
        )
        return await self._count(statement.values(rotated_at=utc(at), updated_at=utc(at))) == 1

    @translated
    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        statement = update(RefreshTokenRow).where(
            RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None)
        )
        return await self._count(statement.values(revoked_at=utc(at), updated_at=utc(at)))

    @translated
    async def revoke_all_for_user(self, user_id: UUID, at: datetime) -> int:
        statement = update(RefreshTokenRow).where(
            RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None)
        )
        return await self._count(statement.values(revoked_at=utc(at), updated_at=utc(at)))

    @translated
    async def list_live(self, user_id: UUID, now: datetime) -> list[RefreshSession]:
        rows = await self._session.scalars(
            select(RefreshTokenRow)
            .where(
                RefreshTokenRow.user_id == user_id,
                RefreshTokenRow.rotated_at.is_(None),
                RefreshTokenRow.revoked_at.is_(None),
                RefreshTokenRow.expires_at > utc(now),
            )
            .order_by(RefreshTokenRow.issued_at.desc(), RefreshTokenRow.id)
            .execution_options(populate_existing=True)
        )
        return [refresh_session_from_row(row) for row in rows]

    @translated
    async def revoke_families_of_user(self, user_id: UUID, at: datetime, *, keep: UUID | None = None) -> set[UUID]:
        live: list[ColumnElement[bool]] = [RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None)]
        if keep is not None:
            live.append(RefreshTokenRow.family_id != keep)
        families = set(await self._session.scalars(select(RefreshTokenRow.family_id).where(*live).distinct()))
        if families:
            statement = update(RefreshTokenRow).where(*live, RefreshTokenRow.family_id.in_(families))
            await self._count(statement.values(revoked_at=utc(at), updated_at=utc(at)))
        return families

    async def _count(self, statement: Update) -> int:
        result = await self._session.execute(statement.execution_options(synchronize_session=False))
        return cast(CursorResult[Any], result).rowcount

    @translated
    async def purge_expired(self, expired_before: datetime) -> int:
        result = await self._session.execute(
            delete(RefreshTokenRow).where(RefreshTokenRow.expires_at < utc(expired_before))
        )
        return cast(CursorResult[Any], result).rowcount
