"""Alembic environment: runs migrations on the project's async engine.

Two ways in: :mod:`skillbridge.adapters.persistence.sqlalchemy.migrate` hands over an open connection in
``config.attributes["connection"]``; the ``alembic`` command line (``alembic.ini`` at the repository root)
builds an engine from ``sqlalchemy.url``, ``SKILLBRIDGE_MIGRATION_DATABASE_URL`` (the schema owner) or
``SKILLBRIDGE_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine
from skillbridge.adapters.persistence.sqlalchemy.tables import compared_with_models, metadata

# The embedded default of the service settings, for a developer running ``alembic`` with nothing set.
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/skillbridge.db"

config = context.config
if config.config_file_name is not None:  # the command line: log as alembic.ini says
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("SKILLBRIDGE_MIGRATION_DATABASE_URL")
        or os.environ.get("SKILLBRIDGE_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"the migration left {len(violations)} rows with dangling foreign keys")


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on ``connection`` in one transaction."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table by copying it (batch mode); with foreign keys enforced, dropping the old
        # copy would cascade into its children. Off for the migration (only possible outside a
        # transaction, hence first), checked at the end instead.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_object=compared_with_models,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _check_sqlite_foreign_keys(connection)


async def _run_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    run_migrations(shared)
else:
    asyncio.run(_run_online())
