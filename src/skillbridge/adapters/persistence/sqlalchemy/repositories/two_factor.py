"""Two-factor credentials in SQL. A change is a conditional update on the version, so two requests
racing with the same code (or recovery code) cannot both be accepted."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import TwoFactorCredentialRow
from skillbridge.application.ports.repositories import TwoFactorRepository
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.clock import utc


def _values(credential: TwoFactorCredential) -> dict[str, Any]:
    return {
        "secret": credential.secret,
        "enabled_at": None if credential.enabled_at is None else utc(credential.enabled_at),
        "last_used_step": credential.last_used_step,
        "recovery_codes": list(credential.recovery_code_hashes),
        "version": credential.version,
    }


class SqlaTwoFactorRepository(TwoFactorRepository):
    """:class:`TwoFactorRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def find(self, user_id: UUID) -> TwoFactorCredential | None:
        row = await self._session.scalar(
            select(TwoFactorCredentialRow)
            .where(TwoFactorCredentialRow.user_id == user_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return None
        return TwoFactorCredential(
            user_id=row.user_id,
            secret=row.secret,
            created_at=utc(row.created_at),
            enabled_at=None if row.enabled_at is None else utc(row.enabled_at),
            last_used_step=row.last_used_step,
            recovery_code_hashes=tuple(row.recovery_codes),
            version=row.version,
        )

    @translated
    async def add(self, credential: TwoFactorCredential) -> None:
        at = utc(credential.created_at)
        await self._session.execute(
            insert(TwoFactorCredentialRow).values(
                user_id=credential.user_id, created_at=at, updated_at=at, **_values(credential)
            )
        )

    @translated
    async def replace(self, credential: TwoFactorCredential) -> bool:
        statement = (
            update(TwoFactorCredentialRow)
            .where(
                TwoFactorCredentialRow.user_id == credential.user_id,
                TwoFactorCredentialRow.version == credential.version - 1,
            )
            .values(created_at=utc(credential.created_at), **_values(credential))
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(statement)
        return cast(CursorResult[Any], result).rowcount == 1

    @translated
    async def remove(self, user_id: UUID) -> None:
        await self._session.execute(
            delete(TwoFactorCredentialRow)
            .where(TwoFactorCredentialRow.user_id == user_id)
            .execution_options(synchronize_session=False)
        )
