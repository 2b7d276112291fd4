"""`skillbridge backup` and `skillbridge restore` on SQLite and PostgreSQL: a database filled through the API is
backed up while the API has it open, restored over changed data (only with --force) and into a wiped
database, and every table then holds exactly what it held at the backup."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, MetaData, select

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.main.cli import cli
from tests.integration.helpers import Api
from tests.support.databases import owner_url_of

pytestmark = pytest.mark.asyncio

ROADMAP = {"domain": "Python", "skill_level": "beginner", "time_availability": 6, "low_bandwidth": True}
THREAD = {"category": "Python", "title": "Reading CSV files", "content": "<p>How do I read a <em>CSV</em>?</p>"}
#: Tables the filling below writes to: a backup of empty tables would prove nothing.
FILLED = {"users", "user_skills", "user_languages", "roadmaps", "roadmap_versions", "forum_posts", "refresh_tokens"}

Snapshot = dict[str, list[tuple[Any, ...]]]


async def _fill(api: Api) -> None:
    learner = await api.token_for("amara@example.org")
    await api.token_for("kofi@example.org", role="mentor")
    assert (await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=learner)).status_code == 201
    assert (await api.client.post("/api/v1/forum/posts", json=THREAD, headers=learner)).status_code == 201


def _rows(connection: Connection) -> Snapshot:
    everything = MetaData()
    everything.reflect(connection)
    return {
        name: sorted(connection.execute(select(reflected)).all(), key=repr)
        for name, reflected in everything.tables.items()
    }


async def _snapshot(url: str) -> Snapshot:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_rows)
    finally:
        await engine.dispose()


async def _wipe(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_drop_every_table)
    finally:
        await engine.dispose()


def _drop_every_table(connection: Connection) -> None:
    everything = MetaData()
    everything.reflect(connection)
    if connection.dialect.name == "postgresql":
        # Row-level-security policies and views refer to other tables: drop each table with what hangs on it.
        for table in everything.sorted_tables:
            connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}" CASCADE')
        return
    everything.drop_all(connection)


async def _skillbridge(url: str, *arguments: str) -> Result:
    # The command as an operator runs it, in a thread: it runs its own event loop, as it does in a shell.
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, cli, list(arguments), env={"SKILLBRIDGE_DATABASE_URL": url})


async def test_a_backup_restores_every_table_over_changed_data_and_into_a_wiped_database(
    api: Api, tmp_path: Path
) -> None:
    url = owner_url_of(api.settings.database_url)  # an operator backs up and restores as the schema owner
    await _fill(api)
    at_backup = await _snapshot(url)
    assert {name for name, rows in at_backup.items() if rows} >= FILLED
    backup = tmp_path / "backups" / "skillbridge.backup"

    made = await _skillbridge(url, "backup", str(backup))  # the API still has the database open
    assert made.exit_code == 0, made.output
    assert backup.stat().st_size > 0

    again = await _skillbridge(url, "backup", str(backup))
    assert again.exit_code == 1
    assert "already exists" in again.output

    await api.register("late@example.org")  # written after the backup
    refused = await _skillbridge(url, "restore", str(backup))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert "users" in refused.output
    assert len((await _snapshot(url))["users"]) == len(at_backup["users"]) + 1  # the refusal changed nothing

    forced = await _skillbridge(url, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    assert await _snapshot(url) == at_backup

    await _wipe(url)
    assert await _snapshot(url) == {}
    into_empty = await _skillbridge(url, "restore", str(backup))
    assert into_empty.exit_code == 0, into_empty.output
    assert await _snapshot(url) == at_backup


async def test_restore_refuses_a_missing_backup_and_a_file_that_is_not_one(api: Api, tmp_path: Path) -> None:
    url = owner_url_of(api.settings.database_url)  # an operator backs up and restores as the schema owner
    missing = await _skillbridge(url, "restore", str(tmp_path / "nothing-here"))
    assert missing.exit_code == 1
    assert "no backup file" in missing.output

    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"this is not a backup\n" * 100)
    refused = await _skillbridge(url, "restore", "--force", str(garbage))
    assert refused.exit_code == 1
    assert "Error:" in refused.output
    assert await _snapshot(url) != {}  # the migrated schema is still there
