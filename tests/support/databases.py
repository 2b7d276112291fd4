"""Throwaway databases for tests: a fresh PostgreSQL database per use, and the Redis reachability check.

Servers come from ``SKILLBRIDGE_TEST_POSTGRES_URL`` (default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``)
and ``SKILLBRIDGE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). When a server does not answer, the
test fails on CI (``CI`` set: CI must not go green by skipping) and is skipped elsewhere, with the reason.

Usage::

    async with postgres_database() as url:  # or create_postgres_database() / drop_postgres_database(url)   # postgresql+asyncpg://.../skillbridge_test_<random>
        await upgrade(url)
        ...

    url = await redis_url_or_skip()
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn
from uuid import uuid4

import pytest
import redis.asyncio as aioredis
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
#: Prefix of every database this module creates (a leftover from a killed run is easy to spot and drop).
DATABASE_PREFIX = "skillbridge_test_"


def on_ci() -> bool:
    """Whether the tests run on CI, where a missing service is a failure."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def service_unavailable(reason: str) -> NoReturn:
    """Fail the test on CI, skip it elsewhere."""
    if on_ci():
        pytest.fail(f"CI needs this service: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_server_url() -> URL:
    """The test PostgreSQL server (its database part names any existing database)."""
    return make_url(os.environ.get("SKILLBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


def redis_url() -> str:
    """The test Redis server."""
    return os.environ.get("SKILLBRIDGE_TEST_REDIS_URL", DEFAULT_REDIS_URL)


async def _administer(server: URL, statement: str) -> None:
    """Run one statement on the ``postgres`` maintenance database, outside a transaction."""
    engine = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_postgres_database(server_url: str | None = None, *, template: str | None = None) -> str:
    """Create a uniquely named PostgreSQL database and return its URL: empty, or a copy of the database
    named ``template`` (a file-level copy: much faster than migrating a new one; nobody may be connected
    to the template meanwhile).

    Skips the test (fails it on CI) when the server cannot be reached.
    """
    server = make_url(server_url) if server_url else postgres_server_url()
    name = f"{DATABASE_PREFIX}{uuid4().hex[:16]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        await _administer(server, f'CREATE DATABASE "{name}"{copy}')
    except (OSError, sa_exc.DBAPIError) as error:
        where = server.render_as_string(hide_password=True)
        service_unavailable(
            f"PostgreSQL is not reachable at {where} (set SKILLBRIDGE_TEST_POSTGRES_URL): "
            f"{type(error).__name__}: {error}"
        )
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    """Drop the database of ``url``, ending any connection a test left open (PostgreSQL 13+)."""
    database = make_url(url)
    await _administer(database, f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')


@asynccontextmanager
async def postgres_database(server_url: str | None = None, *, template: str | None = None) -> AsyncIterator[str]:
    """A throwaway PostgreSQL database (a copy of ``template`` if given): created on entry (its URL is
    yielded), dropped on exit."""
    url = await create_postgres_database(server_url, template=template)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


#: The login role the tests' app connects as: a member of the application role of migration 0011, bound by
#: row-level security like the API's and the worker's roles in production (trust auth: no password).
APP_LOGIN_ROLE = "skillbridge_test_app"
_APP_GROUP_ROLE = "skillbridge_app"


async def app_role_url(owner_url: str) -> str:
    """``owner_url`` as the application's login role (made on the server once, if missing).

    Migrate with ``owner_url``; give the app this one, so the PostgreSQL tests run with row-level security on.
    """
    database = make_url(owner_url)
    server = database.set(database="postgres").render_as_string(hide_password=False)
    if server not in _ROLES_MADE_ON:
        await _make_app_roles(database)
        _ROLES_MADE_ON.add(server)
    return database.set(username=APP_LOGIN_ROLE, password=None).render_as_string(hide_password=False)


#: The servers this process has made the app roles on (roles belong to the cluster and no test drops them:
#: asking once per process saves a connection per test).
_ROLES_MADE_ON: set[str] = set()


async def _make_app_roles(database: URL) -> None:
    # Parallel test workers may make them at once, hence the exception clause.
    await _administer(
        database,
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{_APP_GROUP_ROLE}') THEN
                CREATE ROLE {_APP_GROUP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_LOGIN_ROLE}') THEN
                CREATE ROLE {APP_LOGIN_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {_APP_GROUP_ROLE};
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$""",  # noqa: S608 - constants only
    )


def owner_url_of(url: str) -> str:
    """The schema owner's URL of a database the app reaches at ``url`` (``url`` itself when it is no app-role
    URL): what a test that writes or inspects rows behind the app's back connects as."""
    database = make_url(url)
    if database.username != APP_LOGIN_ROLE:
        return url
    server = postgres_server_url()
    return database.set(username=server.username, password=server.password).render_as_string(hide_password=False)


async def redis_url_or_skip(url: str | None = None) -> str:
    """Return the test Redis URL once the server answers PING; skip (fail on CI) when it does not."""
    url = url or redis_url()
    client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as error:
        service_unavailable(
            f"Redis is not reachable at {url} (set SKILLBRIDGE_TEST_REDIS_URL): {type(error).__name__}: {error}"
        )
    finally:
        await client.aclose()
    return url
