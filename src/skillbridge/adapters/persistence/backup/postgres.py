"""PostgreSQL through pg_dump and pg_restore in their custom format (compressed, restorable table by table).

The connection goes to the tools as libpq environment variables, so the password never shows in a process
list. The tools must be of the server's major version or newer.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from sqlalchemy.engine import make_url

from skillbridge.adapters.persistence.backup.errors import BackupError


def _libpq_environment(database_url: str) -> dict[str, str]:
    url = make_url(database_url)
    settings = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode") or url.query.get("ssl"),
    }
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return inherited | {key: str(value) for key, value in settings.items() if value}


async def _run(tool: str, *arguments: str, database_url: str) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    process = await asyncio.create_subprocess_exec(
        executable,
        *arguments,
        env=_libpq_environment(database_url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{tool} failed (exit code {process.returncode}): {errors.decode(errors='replace').strip()}")


async def backup(database_url: str, target: Path) -> None:
    """Dump the database of ``database_url`` into ``target`` (custom format, one consistent snapshot)."""
    await _run("pg_dump", "--format=custom", f"--file={target}", database_url=database_url)


async def restore(database_url: str, source: Path) -> None:
    """Restore ``source`` into the database of ``database_url`` in one transaction: the objects of the dump
    are dropped (if present) and created again, so a failure leaves the database as it was."""
    await _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={make_url(database_url).database}",
        str(source),
        database_url=database_url,
    )
