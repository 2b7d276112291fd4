"""One migrated PostgreSQL database per test worker, emptied between tests instead of copied for each.

Copying the template and dropping the copy cost 200-650 ms a test (``CREATE DATABASE ... TEMPLATE`` and
``DROP DATABASE`` each write and sync whole files); ``TRUNCATE`` of every table is no cheaper, since each
truncated table gets new files. Deleting the rows with triggers off costs about 12 ms, and an empty
migrated database holds no row but Alembic's (no migration seeds data; the schema has no sequences).

A test may still change what emptying cannot undo (drop a table, as the restore test does, or a policy,
an index, a grant): after each test the schema's fingerprint is compared with the template's, and on any
difference the database is dropped and copied again, so the next test starts from the template whatever
this one did.

Usage (from an async fixture; the per-worker ``ReusedDatabase`` is made by a session fixture)::

    async with reused.lease() as owner_url:
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

from tests.support.databases import create_postgres_database, drop_postgres_database

#: What the tests' work could change and emptying would not restore: relations (tables, views, indexes) with
#: their row-level-security switches and grants, columns, policies, triggers, and the migration revision. Read
#: from pg_catalog: the information_schema views cost ten times as much.
_FINGERPRINT = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'relation ' || relname || ' ' || relkind::text || ' ' || relrowsecurity::text || ' '
        || relforcerowsecurity::text || ' ' || coalesce(relacl::text, '') AS item
    FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'column ' || c.relname || '.' || a.attname || ' ' || a.atttypid::text || ' '
        || a.attnotnull::text || ' ' || a.atthasdef::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'policy ' || polrelid::regclass::text || '.' || polname || ' ' || polcmd::text || ' '
        || coalesce(pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
        || ' ' || polroles::text
    FROM pg_policy
    UNION ALL SELECT 'trigger ' || tgrelid::regclass::text || '.' || tgname || ' ' || tgenabled::text
    FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'revision ' || version_num FROM alembic_version
) AS schema
"""

_TABLES = """
SELECT quote_ident(relname) FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'alembic_version'
"""


def _dsn(url: str) -> str:
    """A SQLAlchemy URL as asyncpg's DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _alone_on(owner_url: str) -> asyncpg.Connection:
    """A connection to the database once every other one is ended (a previous test's pool, a forgotten lock
    holder): nothing can then block what the fixture does, and a wait on a lock still gives up after 10 s."""
    connection = await asyncpg.connect(_dsn(owner_url), server_settings={"lock_timeout": "10s"})
    await connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return connection


async def _delete_every_row(connection: asyncpg.Connection) -> None:
    """Delete every row of every table but Alembic's, with triggers and foreign-key checks off (the
    replication role skips them: the order of deletion does not matter and nothing fires)."""
    tables = [row[0] for row in await connection.fetch(_TABLES)]
    async with connection.transaction():
        await connection.execute("SET LOCAL session_replication_role = replica")
        for table in tables:
            await connection.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the catalog, quoted


async def empty_every_table(owner_url: str) -> None:
    """Empty every table of the database (see :func:`_delete_every_row`)."""
    connection = await _alone_on(owner_url)
    try:
        await _delete_every_row(connection)
    finally:
        await connection.close()


async def schema_fingerprint(owner_url: str) -> str:
    """A digest of the schema (see ``_FINGERPRINT``): equal for two databases of the same schema."""
    connection = await _alone_on(owner_url)
    try:
        return str(await connection.fetchval(_FINGERPRINT))
    finally:
        await connection.close()


class ReusedDatabase:
    """A worker's reused database: a copy of ``template`` (a migrated, empty database's name), made on first
    lease, emptied after each lease, made again from the template when a test changed its schema."""

    def __init__(self, template: str) -> None:
        self._template = template
        self._url: str | None = None
        self._fingerprint: str | None = None
        #: How many times the database was (re)made: a test can see that a schema change was undone.
        self.copies = 0

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[str]:
        """The database's owner URL, empty, for one test; emptied afterwards, or dropped if the test changed
        its schema (one connection per test, after it)."""
        if self._url is None:
            self._url = await create_postgres_database(template=self._template)
            self.copies += 1
            self._fingerprint = await schema_fingerprint(self._url)
        url = self._url
        try:
            yield url
        finally:
            if not await self._emptied_if_unchanged(url):
                await self.discard()

    async def _emptied_if_unchanged(self, url: str) -> bool:
        """Empty the database when its schema is still the template's; whether it was."""
        try:
            connection = await _alone_on(url)
        except (OSError, asyncpg.PostgresError):
            return False
        try:
            if await connection.fetchval(_FINGERPRINT) != self._fingerprint:
                return False
            await _delete_every_row(connection)
            return True
        except asyncpg.PostgresError:  # e.g. Alembic's table dropped: certainly changed
            return False
        finally:
            await connection.close()

    async def discard(self) -> None:
        """Drop the database; the next lease copies the template again."""
        if self._url is not None:
            await drop_postgres_database(self._url)
            self._url = None
