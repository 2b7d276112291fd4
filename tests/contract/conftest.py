"""Fixtures of the persistence contract suite: the same unit of work on memory, SQLite and PostgreSQL.

The schema is migrated once per test session and backend (a SQLite template file copied per test; one
throwaway PostgreSQL database truncated before each test), so every test starts empty and fast.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from skillbridge.application.ports.unit_of_work import UnitOfWork
from tests.support.databases import app_role_url, create_postgres_database, drop_postgres_database
from tests.support.loops import run_apart
from tests.support.reused_database import empty_every_table
from tests.support.units import system_unit

T = TypeVar("T")

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Store:
    """One backend under test: a way to open units of work on one shared database."""

    kind: str
    new_uow: Callable[[], UnitOfWork]
    engine: AsyncEngine | None = None
    url: str | None = None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database file to copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_apart(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for this test session (per xdist worker)."""
    url = run_apart(create_postgres_database)
    try:
        run_apart(lambda: upgrade(url))
        yield url
    finally:
        run_apart(lambda: drop_postgres_database(url))


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An empty store of each backend."""
    if request.param == "memory":
        database = MemoryDatabase()
        yield Store("memory", lambda: MemoryUnitOfWork(database))
        return
    if request.param == "sqlite":
        path = tmp_path / "contract.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    if request.param == "postgres":
        await empty_every_table(url)
        # As the application role, bound by row-level security: the repositories' contracts hold for any
        # caller, so each unit acts for the system (tests/integration/test_row_level_security.py tries the
        # policies themselves).
        url = await app_role_url(url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    new_uow = (lambda: system_unit(sessions)) if request.param == "postgres" else (lambda: SqlaUnitOfWork(sessions))
    try:
        yield Store(request.param, new_uow, engine=engine, url=url)
    finally:
        await engine.dispose()
