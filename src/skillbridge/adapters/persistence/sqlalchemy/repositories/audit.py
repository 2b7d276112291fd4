"""The audit log in SQL: append and read back per subject."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import audit_entry_from_row, audit_entry_to_values
from skillbridge.adapters.persistence.sqlalchemy.tables import AuditLogRow
from skillbridge.application.ports.repositories import AuditLog
from skillbridge.domain.accounts.audit import AuditEntry


class SqlaAuditLog(AuditLog):
    """:class:`AuditLog` on a SQLAlchemy session. Entries of one instant come in id order."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def record(self, entry: AuditEntry) -> None:
        await self._session.execute(insert(AuditLogRow).values(**audit_entry_to_values(entry)))

    @translated
    async def list_for_subject(self, subject_type: str, subject_id: str) -> Sequence[AuditEntry]:
        rows = await self._session.scalars(
            select(AuditLogRow)
            .where(AuditLogRow.subject_type == subject_type, AuditLogRow.subject_id == subject_id)
            .order_by(AuditLogRow.at, AuditLogRow.id)
            .execution_options(populate_existing=True)
        )
        return [audit_entry_from_row(row) for row in rows]
