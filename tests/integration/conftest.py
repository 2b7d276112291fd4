"""The API under test, on SQLite and on PostgreSQL, with a clock the tests can move."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.helpers import Api, ClockProvider
from tests.support.apps import build_test_app
from tests.support.databases import (
    app_role_url,
    create_postgres_database,
    drop_postgres_database,
    owner_url_of,
)
from tests.support.loops import run_apart
from tests.support.reused_database import ReusedDatabase

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8}


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database, made once per test session (per xdist worker) and copied per test."""
    path = tmp_path_factory.mktemp("api-template") / "template.db"
    run_apart(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def migrated_postgres_name() -> Iterator[str]:
    """A migrated, empty PostgreSQL database used only as a template (per xdist worker); its name."""
    url = run_apart(create_postgres_database)
    try:
        run_apart(lambda: upgrade(url))
        yield str(make_url(url).database)
    finally:
        run_apart(lambda: drop_postgres_database(url))


@pytest.fixture(scope="session")
def reused_postgres(migrated_postgres_name: str) -> Iterator[ReusedDatabase]:
    """This worker's PostgreSQL database, emptied between tests (tests/support/reused_database.py)."""
    reused = ReusedDatabase(migrated_postgres_name)
    try:
        yield reused
    finally:
        run_apart(reused.discard)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database per test: a copy of the session's SQLite template, or this worker's
    PostgreSQL database emptied (migrating each one anew cost most of the suite's time, copying one from a
    template a good part of the rest)."""
    if request.param == "sqlite":
        path = tmp_path / "api.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        reused: ReusedDatabase = request.getfixturevalue("reused_postgres")
        async with reused.lease() as url:
            yield await app_role_url(url)  # row-level security binds the app, as in production


AppFactory = Callable[..., Litestar]


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "migration_database_url": owner_url_of(database_url),
            "log_json": True,
            "secret_key_file": str(tmp_path / "secret_key"),
            "email_outbox": str(tmp_path / "outbox"),
            **FAST_HASHING,
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def openapi_document(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_file: Path) -> dict[str, Any]:
    """The OpenAPI document as served at /schema/openapi.json by an app on the default settings, fetched once
    per xdist worker: it depends on the code, not on the database or on anything a test does, and rendering
    it took more time than most tests (the tests reading only the document share it)."""
    folder = tmp_path_factory.mktemp("openapi")
    shutil.copyfile(migrated_sqlite_file, folder / "api.db")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'api.db'}",
        secret_key_file=str(folder / "secret_key"),
        email_outbox=str(folder / "outbox"),
        **FAST_HASHING,
    )

    async def fetch() -> dict[str, Any]:
        async with AsyncTestClient(app=build_test_app(settings)) as client:
            response = await client.get("/schema/openapi.json")
            assert response.status_code == 200, response.text
            document: dict[str, Any] = response.json()
            return document

    return run_apart(fetch)


@pytest.fixture
async def api(make_settings: Callable[..., Settings]) -> AsyncIterator[Api]:
    clock = MutableClock()
    settings = make_settings()
    app = build_test_app(settings, ClockProvider(clock))
    async with AsyncTestClient(app=app) as client:
        yield Api(client=client, clock=clock, settings=settings)
