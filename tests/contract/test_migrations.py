"""The migrations build exactly the models' schema, undo it completely, and build it again, on SQLite and
on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import inspect

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.adapters.persistence.sqlalchemy.migrate import (
    current_revision,
    downgrade,
    pending_model_differences,
    upgrade,
)
from skillbridge.adapters.persistence.sqlalchemy.tables import metadata
from tests.support.databases import postgres_database

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'not' / 'yet' / 'there.db'}"  # directories made on demand
    else:
        async with postgres_database() as url:
            yield url


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_leaves_no_model_differences(empty_database: str) -> None:
    url = empty_database
    assert await current_revision(url) is None

    await upgrade(url)
    assert await current_revision(url) == "0005"
    assert await _tables(url) == {*metadata.tables, "alembic_version"}
    assert await pending_model_differences(url) == []

    await downgrade(url, "base")
    assert await current_revision(url) is None
    assert await _tables(url) == {"alembic_version"}
    assert len(await pending_model_differences(url)) > 0

    await upgrade(url)
    assert await current_revision(url) == "0005"
    assert await pending_model_differences(url) == []


async def test_upgrade_is_idempotent(empty_database: str) -> None:
    await upgrade(empty_database)
    await upgrade(empty_database)
    assert await current_revision(empty_database) == "0005"


def _alembic(*arguments: str, database: Path) -> str:
    environment = {**os.environ, "SKILLBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    command = [sys.executable, "-m", "alembic", "-c", str(REPOSITORY / "alembic.ini"), *arguments]
    return subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout  # noqa: S603


def test_the_alembic_command_line_migrates_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "cli" / "skillbridge.db"
    _alembic("upgrade", "head", database=database)
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0005",)]
    assert "CREATE TABLE users" in _alembic("upgrade", "head", "--sql", database=database)
