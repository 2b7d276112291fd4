"""The audit log in SQL: append, read back per subject, and search (the admins' view)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import audit_entry_from_row, audit_entry_to_values
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import AuditLogRow
from skillbridge.application.ports.repositories import AuditLog
from skillbridge.domain.accounts.audit import AuditEntry, AuditQuery
from skillbridge.domain.accounts.erasure import without_traces
from skillbridge.domain.clock import utc
from skillbridge.domain.pagination import Page, PageRequest

_PURGE = text("SELECT skillbridge_purge_audit(:before)")
_PSEUDONYMISE = text("SELECT skillbridge_pseudonymise_audit(:user_id, :traces)")


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

    @translated
    async def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        filters = _filters(query)
        rows = select(AuditLogRow).where(*filters).order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc())
        count = select(func.count()).select_from(AuditLogRow).where(*filters)
        found, total = await page_and_total(self._session, rows, count, page)
        return Page([audit_entry_from_row(row) for (row,) in found], total=total, limit=page.limit, offset=page.offset)

    @translated
    async def pseudonymise(self, user_id: UUID, traces: Sequence[str]) -> int:
        if not traces:
            return 0
        if _dialect(self._session) == "postgresql":
            # The application role may not UPDATE here: the schema owner's function does it (migration 0012).
            changed = await self._session.scalar(_PSEUDONYMISE, {"user_id": user_id, "traces": list(traces)})
            return int(changed or 0)
        about = or_(
            AuditLogRow.actor_id == user_id,
            and_(AuditLogRow.subject_type == "user", AuditLogRow.subject_id == str(user_id)),
        )
        rows = (await self._session.execute(select(AuditLogRow.id, AuditLogRow.details).where(about))).all()
        changed = 0
        for row_id, details in rows:
            kept = without_traces(details, traces)
            if kept != details:
                await self._session.execute(update(AuditLogRow).where(AuditLogRow.id == row_id).values(details=kept))
                changed += 1
        return changed

    @translated
    async def purge(self, before: datetime) -> int:
        # On PostgreSQL the application role may not DELETE here (append-only): the schema owner's function
        # does it, for a unit acting for the system only, and never for the newest 30 days (migration 0012).
        if _dialect(self._session) == "postgresql":
            purged = await self._session.scalar(
                text("SELECT skillbridge_purge_audit(:before)"), {"before": utc(before)}
            )
            return int(purged or 0)
        result = await self._session.execute(delete(AuditLogRow).where(AuditLogRow.at < utc(before)))
        return int(getattr(result, "rowcount", 0))


def _filters(query: AuditQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.actor_id is not None:
        filters.append(AuditLogRow.actor_id == query.actor_id)
    if query.subject_type is not None:
        filters.append(AuditLogRow.subject_type == query.subject_type)
    if query.subject_id is not None:
        filters.append(AuditLogRow.subject_id == query.subject_id)
    if query.action is not None:
        filters.append(AuditLogRow.action == query.action)
    if query.since is not None:
        filters.append(AuditLogRow.at >= query.since)
    if query.until is not None:
        filters.append(AuditLogRow.at < query.until)
    return filters


def _dialect(session: AsyncSession) -> str:
    bind = session.bind
    return "" if bind is None else bind.dialect.name
