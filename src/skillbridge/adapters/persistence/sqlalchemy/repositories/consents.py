"""Consents in SQL: one row per account and kind."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import ConsentRow
from skillbridge.application.ports.repositories import ConsentRepository
from skillbridge.domain.accounts.consents import Consent, ConsentKind
from skillbridge.domain.clock import utc

_ORDER = {kind.value: position for position, kind in enumerate(ConsentKind)}


class SqlaConsentRepository(ConsentRepository):
    """:class:`ConsentRepository` on a SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def list_for_user(self, user_id: UUID) -> Sequence[Consent]:
        rows = (await self._session.scalars(select(ConsentRow).where(ConsentRow.user_id == user_id))).all()
        consents = [Consent(row.user_id, ConsentKind(row.kind), row.granted, row.version, utc(row.at)) for row in rows]
        return sorted(consents, key=lambda consent: _ORDER[consent.kind.value])

    @translated
    async def put(self, consent: Consent) -> None:
        # Delete and insert rather than a dialect's upsert: the same two statements on SQLite and PostgreSQL.
        of_kind = (ConsentRow.user_id == consent.user_id, ConsentRow.kind == consent.kind.value)
        await self._session.execute(delete(ConsentRow).where(*of_kind))
        at = utc(consent.at)
        await self._session.execute(
            insert(ConsentRow).values(
                user_id=consent.user_id,
                kind=consent.kind.value,
                granted=consent.granted,
                version=consent.version,
                at=at,
                created_at=at,
                updated_at=at,
            )
        )
