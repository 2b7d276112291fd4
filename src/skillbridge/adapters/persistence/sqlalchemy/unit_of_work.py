"""The SQLAlchemy unit of work: one session and one transaction per ``async with``."""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from skillbridge.adapters.persistence.sqlalchemy.errors import translate_errors
from skillbridge.adapters.persistence.sqlalchemy.repositories import (
    SqlaAuditLog,
    SqlaBadgeRepository,
    SqlaChatRepository,
    SqlaFailedJobRepository,
    SqlaForumPostRepository,
    SqlaMentorshipRepository,
    SqlaNotificationRepository,
    SqlaProgressLogRepository,
    SqlaRefreshSessionRepository,
    SqlaRoadmapRepository,
    SqlaUserRepository,
    SqlaWebhookDeliveryRepository,
)
from skillbridge.application.ports.unit_of_work import UnitOfWork

#: The PostgreSQL setting that row-level-security policies read: ``current_setting('skillbridge.user_id', true)``.
ACTING_USER_SETTING = "skillbridge.user_id"

_SET_ACTING_USER = text(f"SELECT set_config('{ACTING_USER_SETTING}', :user_id, true)")


class SqlaUnitOfWork(UnitOfWork):
    """:class:`UnitOfWork` on SQLAlchemy.

    Entering opens a session; leaving closes it, which rolls back whatever was not committed. Database
    errors leave :meth:`commit` as ``Conflict`` (a unique key, a stale write) or ``DependencyUnavailable``
    (no connection, locked database). On PostgreSQL, every transaction starts by storing
    ``acting_user_id`` (if set) in the transaction-local setting ``skillbridge.user_id``.

    A unit of work is entered by one task at a time and is not reentrant.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, acting_user_id: UUID | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self.acting_user_id = acting_user_id

    @property
    def session(self) -> AsyncSession:
        """The open session, for repositories added to this unit of work."""
        if self._session is None:
            raise RuntimeError("the unit of work is not entered")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already entered")
        session = self._session_factory()
        event.listen(session.sync_session, "after_begin", self._on_begin)
        self._session = session
        self.users = SqlaUserRepository(session)
        self.refresh_sessions = SqlaRefreshSessionRepository(session)
        self.mentorships = SqlaMentorshipRepository(session)
        self.roadmaps = SqlaRoadmapRepository(session)
        self.audit = SqlaAuditLog(session)
        self.badges = SqlaBadgeRepository(session)
        self.chat = SqlaChatRepository(session)
        self.progress_logs = SqlaProgressLogRepository(session)
        self.webhook_deliveries = SqlaWebhookDeliveryRepository(session)
        self.notifications = SqlaNotificationRepository(session)
        self.forum_posts = SqlaForumPostRepository(session)
        self.failed_jobs = SqlaFailedJobRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            with translate_errors():
                await session.close()  # rolls back anything not committed
        except Exception:
            if exc is None:
                raise  # otherwise the error that ended the block is the one worth seeing

    async def commit(self) -> None:
        with translate_errors():
            await self.session.commit()

    async def rollback(self) -> None:
        with translate_errors():
            await self.session.rollback()

    def _on_begin(self, _session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
        if self.acting_user_id is not None and connection.dialect.name == "postgresql":
            connection.execute(_SET_ACTING_USER, {"user_id": str(self.acting_user_id)})
