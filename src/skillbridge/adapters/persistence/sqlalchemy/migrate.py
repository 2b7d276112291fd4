"""Schema migrations from code: upgrade, downgrade, and a drift check of the models against a database.

Alembic is configured programmatically (no ``alembic.ini`` needed at run time); each call opens its own
short-lived engine, so the service's pool is never touched. ``skillbridge migrate`` calls :func:`upgrade`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine
from skillbridge.adapters.persistence.sqlalchemy.tables import compared_with_models, metadata

MIGRATIONS_DIRECTORY = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for this project's migrations, optionally bound to ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    return config


async def _run(url: str, action: Callable[[Connection], Any]) -> Any:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(action)
    finally:
        await engine.dispose()


def _command(action: Callable[[Config, str], None], url: str, revision: str) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        action(config, revision)

    return run


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (the latest by default).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database cannot be reached or a migration failed (nothing of
            that migration run is kept on PostgreSQL, whose DDL is transactional).
    """
    await _run(url, _command(command.upgrade, url, revision))


async def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` removes every table)."""
    await _run(url, _command(command.downgrade, url, revision))


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    revision: str | None = await _run(url, read)
    return revision


async def pending_model_differences(url: str) -> list[Any]:
    """What the ORM models declare and the database at ``url`` lacks (or has extra).

    Empty when the migrations produce exactly the models' schema. Each item is an Alembic autogenerate
    diff tuple such as ``("add_column", None, "users", Column(...))``.
    """

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": compared_with_models}
        )
        return list(compare_metadata(context, metadata))

    differences: list[Any] = await _run(url, compare)
    return differences
