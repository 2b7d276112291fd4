"""The SQLAlchemy unit of work: one connection per request, one transaction per writing block.

A request (or a job, or a script call) gets one :class:`SqlaUnitOfWork`. The first block that touches the
database takes a connection from the pool; every later block of the same unit reuses it, and
:meth:`SqlaUnitOfWork.release` (called when the request ends) gives it back. So authentication and the use
case of one request share one connection, and the pool is visited once.

On PostgreSQL:

- the first statement on the connection tags it with the acting user (``skillbridge.user_id``, the setting
  row-level-security policies read) and with the system reason (``skillbridge.system``, '' unless
  :meth:`SqlaUnitOfWork.act_for_system` was called), for the whole time this unit holds it. A unit acting
  for the system writes its audit entry in that same statement (one round trip, committed even if the work
  then fails); a tag changed while the connection is held is written again before the next block. The first
  statement is also the liveness check: a connection found dead there (the server restarted, an operator
  terminated the backend) is thrown away and the statement retried on the next one (at most three in all: several pooled
  connections may have died at once), so no pre-ping round trip is paid on every checkout;
- a block entered with :meth:`SqlaUnitOfWork.reading` runs without BEGIN/COMMIT (autocommit): each of its
  statements sees the latest committed data, which is all a read that needs no snapshot across statements
  wants, at one round trip per statement. A block entered plainly is one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self, cast
from uuid import UUID

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from skillbridge.adapters.persistence.sqlalchemy.errors import translate_errors
from skillbridge.adapters.persistence.sqlalchemy.repositories import (
    SqlaAuditLog,
    SqlaBadgeRepository,
    SqlaChatRepository,
    SqlaFailedJobRepository,
    SqlaForumPostRepository,
    SqlaMatchingRoundRepository,
    SqlaMentorshipRepository,
    SqlaNotificationRepository,
    SqlaNotificationSettingsRepository,
    SqlaProgressLogRepository,
    SqlaRefreshSessionRepository,
    SqlaRoadmapRepository,
    SqlaTwoFactorRepository,
    SqlaUserRepository,
    SqlaWebhookDeliveryRepository,
)
from skillbridge.adapters.persistence.sqlalchemy.repositories.consents import SqlaConsentRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.erasure import SqlaPersonalDataEraser
from skillbridge.application.ports.unit_of_work import UnitOfWork, run_after_commit, system_reason
from skillbridge.domain.ids import uuid7

#: The PostgreSQL setting that row-level-security policies read: ``current_setting('skillbridge.user_id', true)``.
ACTING_USER_SETTING = "skillbridge.user_id"
#: The setting that lets a unit reach every row (non-empty: why); see migration 0011.
SYSTEM_SETTING = "skillbridge.system"
#: The audit action of a unit acting for the system.
SYSTEM_ACCESS_ACTION = "system_access"

# Session-level (is_local false): they hold for every block of this unit on this connection. Every unit sets
# both (to '' when nobody acts, and when not acting for the system) as its first statement, so a pooled
# connection never carries a previous request's user or reach into the next one.
_TAG_CONNECTION = f"SELECT set_config('{ACTING_USER_SETTING}', $1, false), set_config('{SYSTEM_SETTING}', $2, false)"
# The same, and the audit entry of the system access, in one statement: the CTE runs first, so the entry is
# checked against the policies with the settings already in place.
_TAG_CONNECTION_FOR_SYSTEM = f"""WITH tag AS (
    SELECT set_config('{ACTING_USER_SETTING}', $1, false) AS acting, set_config('{SYSTEM_SETTING}', $2, false) AS reason
)
INSERT INTO audit_log (id, actor_id, action, subject_type, subject_id, details, at, created_at, updated_at)
SELECT $3, NULLIF(tag.acting, '')::uuid, '{SYSTEM_ACCESS_ACTION}', NULL, NULL,
       jsonb_build_object('reason', tag.reason), now(), now(), now()
FROM tag"""  # noqa: S608 - constants only
# Transaction-local (is_local true): it ends with the block's transaction; its audit entry commits with it.
_ELEVATE = f"""WITH tag AS (SELECT set_config('{SYSTEM_SETTING}', :reason, true) AS reason)
INSERT INTO audit_log (id, actor_id, action, subject_type, subject_id, details, at, created_at, updated_at)
SELECT :id, NULLIF(current_setting('{ACTING_USER_SETTING}', true), '')::uuid, '{SYSTEM_ACCESS_ACTION}', NULL, NULL,
       jsonb_build_object('reason', tag.reason, 'within', 'transaction'), now(), now(), now()
FROM tag"""  # noqa: S608 - constants only
# What a connection the server closed or reset raises when first used (a protocol left mid-operation by the
# server's goodbye answers InternalClientError).
_DEAD_CONNECTION = (
    OSError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InternalClientError,
)
# Where the pool's record of a connection keeps the acting user it was last tagged with.
_TAGGED_WITH = "skillbridge.tagged_with"
# After a server restart every pooled connection may be dead; the tag is tried on at most this many.
_TAG_ATTEMPTS = 3


class _SessionOnFirstUse:
    """Stands in for a block's :class:`AsyncSession` until something first uses it.

    A reading block on PostgreSQL often never needs one: its hottest reads go straight to the driver
    (``raw.py``), and making and closing a session it never used cost more than the read itself.
    """

    __slots__ = ("_bind", "_factory", "session")

    def __init__(self, factory: async_sessionmaker[AsyncSession], bind: AsyncConnection) -> None:
        self._factory = factory
        self._bind = bind
        self.session: AsyncSession | None = None

    def materialize(self) -> AsyncSession:
        if self.session is None:
            self.session = self._factory(bind=self._bind)
        return self.session

    def __getattr__(self, name: str) -> Any:
        return getattr(self.materialize(), name)


class SqlaUnitOfWork(UnitOfWork):
    """:class:`UnitOfWork` on SQLAlchemy.

    Each ``async with`` block opens a session on the unit's connection; leaving it closes the session,
    which rolls back whatever was not committed. Database errors leave :meth:`commit` as ``Conflict`` (a
    unique key, a stale write) or ``DependencyUnavailable`` (no connection, locked database).

    A unit of work is entered by one task at a time and is not reentrant. Set ``acting_user_id`` before
    the first block: it is written to the connection when the connection is taken.

    With ``keep_connection`` (what the container does for a request) the connection stays with the unit
    from one block to the next until :meth:`release`; without it, each block gives it back on leaving.
    ``on_commit`` is called after each commit that succeeded (the process's short-lived answers forget
    what the write may have changed).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        acting_user_id: UUID | None = None,
        keep_connection: bool = False,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("the session factory must be bound to an AsyncEngine")
        self._engine = bind
        self._session_factory = session_factory
        self._is_postgres = bind.dialect.name == "postgresql"
        self._connection: AsyncConnection | None = None
        self._adapter: Any = None  # on PostgreSQL, SQLAlchemy's adapter of the asyncpg connection held
        self._driver: asyncpg.Connection | None = None  # and that connection
        self._autocommit = False
        self._session: _SessionOnFirstUse | None = None
        self._keep_connection = keep_connection
        self._on_commit = on_commit
        self._after_commit: list[Callable[[], None]] = []  # the open block's (see after_commit)
        self.acting_user_id = acting_user_id
        self.system_reason: str | None = None
        # What the held connection was last tagged with (acting user, system reason).
        self._tagged: tuple[UUID | None, str | None] | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session, for repositories added to this unit of work."""
        if self._session is None:
            raise RuntimeError("the unit of work is not entered")
        return self._session.materialize()

    async def __aenter__(self) -> Self:
        return await self._enter(autocommit=False)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """A block that only reads; on PostgreSQL it runs without a transaction (see the module docs)."""
        await self._enter(autocommit=self._is_postgres)
        try:
            yield self
        except BaseException as exc:
            await self.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        await self.__aexit__(None, None, None)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is None:
            raise RuntimeError("the unit of work is not entered")
        session, self._session = self._session.session, None
        self._after_commit.clear()  # a block left without committing made none of those writes
        if session is not None:  # a block that never used its session has nothing to close
            try:
                with translate_errors():
                    await session.close()  # rolls back anything not committed
            except Exception:
                if exc is None:
                    raise  # otherwise the error that ended the block is the one worth seeing
        dead = self._connection is not None and (
            self._connection.invalidated or (self._driver is not None and self._driver.is_closed())
        )
        if not self._keep_connection or dead:  # a connection that died mid-block is not kept either
            await self.release()

    def act_for_system(self, reason: str) -> None:
        self.system_reason = system_reason(reason)

    async def elevate(self, reason: str) -> None:
        reason = system_reason(reason)
        if not self._is_postgres:
            return
        if self._autocommit:
            raise RuntimeError("elevate() needs a writing block: a reading block has no transaction to scope it")
        with translate_errors():
            await self.session.execute(text(_ELEVATE), {"reason": reason, "id": uuid7()})

    async def commit(self) -> None:
        try:
            with translate_errors():
                await self.session.commit()
        except BaseException:
            self._after_commit.clear()
            raise
        if self._on_commit is not None:
            self._on_commit()
        run_after_commit(self._after_commit)

    def after_commit(self, callback: Callable[[], None]) -> None:
        if self._session is None:
            raise RuntimeError("the unit of work is not entered")
        self._after_commit.append(callback)

    async def rollback(self) -> None:
        self._after_commit.clear()
        with translate_errors():
            await self.session.rollback()

    async def release(self) -> None:
        """Give the connection back to the pool (the next block takes another). Safe to call twice."""
        connection, self._connection = self._connection, None
        adapter, driver, self._adapter, self._driver = self._adapter, self._driver, None, None
        self._tagged = None
        if connection is None:
            return
        if driver is not None and driver.is_closed() and not connection.invalidated:
            await connection.invalidate()  # a direct read found it dead: the pool must not hand it out again
        if adapter is not None and self._autocommit and not connection.invalidated:
            adapter.autocommit = False  # leave it transactional, as every other user of the pool expects it
        self._autocommit = False
        with translate_errors():
            await connection.close()

    async def _enter(self, *, autocommit: bool) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already entered")
        connection = await self._connection_for(autocommit=autocommit)
        self._session = _SessionOnFirstUse(self._session_factory, connection)
        # Typed as the session it stands for: the repositories only ever call the session's methods.
        session = cast(AsyncSession, self._session)
        # Outside a transaction, the hottest reads go straight to the driver (see raw.py); inside one, they
        # must share the session's transaction, so they keep the ORM path.
        direct = self._driver if autocommit and self._is_postgres else None
        self.users = SqlaUserRepository(session, direct)
        self.refresh_sessions = SqlaRefreshSessionRepository(session)
        self.mentorships = SqlaMentorshipRepository(session, direct)
        self.roadmaps = SqlaRoadmapRepository(session, direct)
        self.audit = SqlaAuditLog(session)
        self.badges = SqlaBadgeRepository(session)
        self.chat = SqlaChatRepository(session)
        self.progress_logs = SqlaProgressLogRepository(session, direct)
        self.webhook_deliveries = SqlaWebhookDeliveryRepository(session)
        self.notifications = SqlaNotificationRepository(session, direct)
        self.forum_posts = SqlaForumPostRepository(session, direct)
        self.failed_jobs = SqlaFailedJobRepository(session)
        self.matching_rounds = SqlaMatchingRoundRepository(session)
        self.two_factor = SqlaTwoFactorRepository(session)
        self.notification_settings = SqlaNotificationSettingsRepository(session)
        self.consents = SqlaConsentRepository(session)
        self.erasure = SqlaPersonalDataEraser(session)
        return self

    async def _connection_for(self, *, autocommit: bool) -> AsyncConnection:
        if self._connection is None:
            self._connection = await self._acquire()
        elif self._is_postgres and self._tagged != (self.acting_user_id, self.system_reason):
            with translate_errors():  # the unit was told to act otherwise since it took the connection
                await self._tag(self._connection, await self._remember_driver(self._connection))
        if self._adapter is not None and autocommit != self._autocommit:
            # The driver adapter's own switch (what SQLAlchemy's AUTOCOMMIT isolation level sets), flipped
            # directly: no round trip either way, and no trip through SQLAlchemy's execution options.
            self._adapter.autocommit = autocommit
            self._autocommit = autocommit
        return self._connection

    async def _acquire(self) -> AsyncConnection:
        """A pooled connection, tagged with the acting user on PostgreSQL; one retry if it is found dead."""
        with translate_errors():
            connection = await self._engine.connect()
            if not self._is_postgres:
                return connection
            for attempt in range(1, _TAG_ATTEMPTS + 1):
                try:
                    await self._tag(connection, await self._remember_driver(connection))
                    return connection
                except _DEAD_CONNECTION:
                    self._adapter = self._driver = None
                    await connection.invalidate()  # the pool throws it away
                    await connection.close()
                    if attempt == _TAG_ATTEMPTS:
                        raise
                    # Nothing was done on it for this unit yet, so another connection may take its place.
                    connection = await self._engine.connect()
            raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _remember_driver(self, connection: AsyncConnection) -> asyncpg.Connection:
        self._adapter = (await connection.get_raw_connection()).dbapi_connection
        driver: asyncpg.Connection = self._adapter.driver_connection
        self._driver = driver
        return driver

    async def _tag(self, connection: AsyncConnection, driver: asyncpg.Connection) -> None:
        """Write the acting user on the connection: its first statement, straight through the driver.

        Skipped when the connection already carries that user from an earlier unit: the setting is
        session-level and only this method writes it (in autocommit, so no rollback undoes it), and the
        pool's record of the connection (``info``) is dropped with the connection when it is invalidated. A
        connection the server closed meanwhile is refused at checkout (``engine._refuse_closed_connection``).
        """
        acting = "" if self.acting_user_id is None else str(self.acting_user_id)
        system = self.system_reason
        if system is None and connection.info.get(_TAGGED_WITH) == (acting, ""):
            self._tagged = (self.acting_user_id, None)
            return
        self._adapter.autocommit = True
        self._autocommit = True
        if system is None:
            await driver.execute(_TAG_CONNECTION, acting, "")
        else:  # always sent: the same statement writes the bypass's audit entry
            await driver.execute(_TAG_CONNECTION_FOR_SYSTEM, acting, system, uuid7())
        connection.info[_TAGGED_WITH] = (acting, system or "")
        self._tagged = (self.acting_user_id, system)
