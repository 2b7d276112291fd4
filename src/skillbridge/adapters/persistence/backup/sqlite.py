"""SQLite through its online backup API: a consistent copy while the service keeps serving.

The copy is taken in one step under a read transaction: with WAL journaling, the service's writer is not
blocked meanwhile (a copy in several steps would start over each time the service wrote in between).
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from skillbridge.adapters.persistence.backup.errors import BackupError


def _database_file(database_url: str) -> Path:
    database = make_url(database_url).database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database).expanduser()


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def _refuse_other_files(source: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as probe:
            probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite backup: {exc}") from None


async def backup(database_url: str, target: Path) -> None:
    """Copy the database file of ``database_url`` into a new SQLite file ``target``."""
    database = _database_file(database_url)
    if not await asyncio.to_thread(database.is_file):
        raise BackupError(f"there is no database at {database}")
    await asyncio.to_thread(_copy, database, target)


async def restore(database_url: str, source: Path) -> None:
    """Replace every page of the database of ``database_url`` with those of the backup ``source``.

    Through the backup API as well, so processes that have the database open see the restored content
    (swapping the file underneath them would leave them on the old, unlinked one).
    """
    await asyncio.to_thread(_refuse_other_files, source)
    database = _database_file(database_url)
    await asyncio.to_thread(database.parent.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(_copy, source, database)
