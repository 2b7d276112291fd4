"""Units of work for a test's own setup and checks, which reach every row (row-level security on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_session_factory


def system_unit(bind: AsyncEngine | async_sessionmaker[AsyncSession]) -> SqlaUnitOfWork:
    """A unit of work acting for the system (as a job does), on an engine or a session factory."""
    sessions = create_session_factory(bind) if isinstance(bind, AsyncEngine) else bind
    unit = SqlaUnitOfWork(sessions)
    unit.act_for_system("test:setup")
    return unit
