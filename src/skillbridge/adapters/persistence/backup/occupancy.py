"""Which tables of a database hold rows: a restore replaces them only when told to."""

from __future__ import annotations

from sqlalchemy import Connection, func, inspect, select, table

from skillbridge.adapters.persistence.sqlalchemy import create_engine

#: Alembic's bookkeeping: a migrated database with no data is empty.
_BOOKKEEPING = frozenset({"alembic_version"})


async def tables_with_rows(database_url: str) -> list[str]:
    """The names of the tables (all of them, not only the ones this release knows) that hold rows, sorted."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_occupied)
    finally:
        await engine.dispose()


def _occupied(connection: Connection) -> list[str]:
    names = sorted(set(inspect(connection).get_table_names()) - _BOOKKEEPING)
    return [name for name in names if connection.execute(select(func.count()).select_from(table(name))).scalar()]
