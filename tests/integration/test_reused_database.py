"""The tests' reused PostgreSQL database (tests/support/reused_database.py): each lease starts as the
template does, whatever the previous test left behind (rows, an open lock, a changed schema)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.reused_database import ReusedDatabase, _dsn

pytestmark = pytest.mark.postgres

INSERT_USER = """
INSERT INTO users (id, email, role, profile, created_at, updated_at)
VALUES (gen_random_uuid(), $1, 'learner', '{}', now(), now())
"""


@pytest.fixture
async def reused(migrated_postgres_name: str) -> AsyncIterator[ReusedDatabase]:
    database = ReusedDatabase(migrated_postgres_name)
    try:
        yield database
    finally:
        await database.discard()


async def _fetchval(url: str, query: str) -> object:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def _execute(url: str, statement: str, *arguments: object) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(statement, *arguments)
    finally:
        await connection.close()


async def test_rows_written_in_one_lease_are_gone_in_the_next_and_the_database_is_the_same(
    reused: ReusedDatabase,
) -> None:
    async with reused.lease() as first:
        await _execute(first, INSERT_USER, "a@example.org")
        assert await _fetchval(first, "SELECT count(*) FROM users") == 1  # positive control: the row was there
    async with reused.lease() as second:
        assert second == first
        assert await _fetchval(second, "SELECT count(*) FROM users") == 0
        assert await _fetchval(second, "SELECT version_num FROM alembic_version") is not None  # Alembic's row kept
    assert reused.copies == 1  # emptied, not copied again


async def test_a_connection_left_holding_a_lock_does_not_stop_the_next_lease(reused: ReusedDatabase) -> None:
    async with reused.lease() as first:
        holder = await asyncpg.connect(_dsn(first))
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
    # The lock holder is still open here, as a test's forgotten pool would be.
    async with reused.lease() as second:
        assert await _fetchval(second, "SELECT count(*) FROM users") == 0
    assert holder.is_closed() or not await _still_answers(holder)


async def _still_answers(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return False
    return True


async def test_a_changed_schema_is_made_again_from_the_template(reused: ReusedDatabase) -> None:
    async with reused.lease() as first:
        await _execute(first, "DROP INDEX ix_forum_posts_search_vector")
        await _execute(first, "ALTER TABLE badges DISABLE ROW LEVEL SECURITY")
    assert reused.copies == 1
    async with reused.lease() as second:
        assert await _fetchval(second, "SELECT relrowsecurity FROM pg_class WHERE relname = 'badges'") is True
        assert (
            await _fetchval(second, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_forum_posts_search_vector'")
            == 1
        )
    assert reused.copies == 2

    async with reused.lease() as third:
        await _execute(third, "DROP TABLE alembic_version")  # even what the fingerprint reads
    async with reused.lease() as fourth:
        assert await _fetchval(fourth, "SELECT count(*) FROM alembic_version") == 1
    assert reused.copies == 3
