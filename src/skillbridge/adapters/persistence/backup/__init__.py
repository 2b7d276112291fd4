"""Backing up and restoring the database: SQLite with its online backup API, PostgreSQL with pg_dump and
pg_restore in their custom format.

Public names: :func:`backup_database`, :func:`restore_database` and :class:`BackupError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import make_url

from skillbridge.adapters.persistence.backup import postgres, sqlite
from skillbridge.adapters.persistence.backup.errors import BackupError
from skillbridge.adapters.persistence.backup.occupancy import tables_with_rows

__all__ = ["BackupError", "backup_database", "restore_database"]


async def backup_database(database_url: str, target: Path, *, overwrite: bool = False) -> None:
    """Write a consistent copy of the database at ``database_url`` to the file ``target``.

    The copy is written beside ``target`` and renamed into place, so a file at ``target`` is always a whole
    backup.

    Raises:
        BackupError: ``target`` exists and ``overwrite`` is false; the database is not SQLite or PostgreSQL;
            the backup tool failed.
    """
    tools = _engine_module(database_url)
    if await asyncio.to_thread(target.exists) and not overwrite:
        raise BackupError(f"{target} already exists; choose another path or pass --force to replace it")
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        await tools.backup(database_url, partial)
        await asyncio.to_thread(partial.replace, target)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)


async def restore_database(database_url: str, source: Path, *, force: bool = False) -> None:
    """Replace the content of the database at ``database_url`` with the backup in ``source``.

    Raises:
        BackupError: ``source`` is missing; the database holds rows and ``force`` is false (nothing is
            changed); the database is not SQLite or PostgreSQL; the restore tool failed.
    """
    if not await asyncio.to_thread(source.is_file):
        raise BackupError(f"no backup file at {source}")
    module = _engine_module(database_url)
    if not force:
        occupied = await tables_with_rows(database_url)
        if occupied:
            raise BackupError(
                f"the database is not empty (rows in {', '.join(occupied)}); restoring would replace them: "
                "pass --force to do so"
            )
    await module.restore(database_url, source)


def _engine_module(database_url: str) -> _Tools:
    backend = make_url(database_url).get_backend_name() if "://" in database_url else ""
    if backend in _TOOLS:
        return _TOOLS[backend]
    raise BackupError(f"backups cover SQLite and PostgreSQL databases, not {database_url.split(':', 1)[0]!r}")


class _Tools(NamedTuple):
    backup: Callable[[str, Path], Awaitable[None]]
    restore: Callable[[str, Path], Awaitable[None]]


_TOOLS = {"sqlite": _Tools(sqlite.backup, sqlite.restore), "postgresql": _Tools(postgres.backup, postgres.restore)}
