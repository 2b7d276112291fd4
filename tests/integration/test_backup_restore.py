"""`skillbridge backup` and `skillbridge restore` on SQLite and PostgreSQL: a database filled through the API is
backed up while the API has it open, restored over changed data (only with --force) and into a wiped
database, and every table then holds exactly what it held at the backup."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, MetaData, select, text

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


async def _skillbridge(url: str, *arguments: str, owner_url: str | None = None) -> Result:
    # The command as an operator runs it, in a thread: it runs its own event loop, as it does in a shell.
    runner = CliRunner()
    env = {"SKILLBRIDGE_DATABASE_URL": url, "SKILLBRIDGE_MIGRATION_DATABASE_URL": owner_url}
    return await asyncio.to_thread(runner.invoke, cli, list(arguments), env=env)


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


async def _emails_seen_by(url: str, acting_user: object) -> set[str]:
    """The e-mail addresses of ``users`` that ``url``'s role reads while ``acting_user`` acts (as the API sets it)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("SELECT set_config('skillbridge.user_id', :id, true)"), {"id": str(acting_user)}
            )
            return set((await connection.execute(text("SELECT email FROM users"))).scalars())
    finally:
        await engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_the_service_settings_back_up_and_restore_as_the_schema_owner(api: Api, tmp_path: Path) -> None:
    """The service's own environment (the application role in SKILLBRIDGE_DATABASE_URL, the owner in
    SKILLBRIDGE_MIGRATION_DATABASE_URL) is enough: the commands take the owner, whom row-level security does not
    bind, so the dump holds every user's rows and the emptiness check sees them."""
    app_url, owner_url = api.settings.database_url, owner_url_of(api.settings.database_url)
    assert app_url != owner_url  # the app connects as its RLS-bound role (the fixture's production shape)
    await _fill(api)
    await api.register("zola@example.org")  # a second learner: learners do not see each other
    at_backup = await _snapshot(owner_url)
    everyone = {row.email for row in at_backup["users"]}
    assert everyone == {"amara@example.org", "kofi@example.org", "zola@example.org"}
    amara = next(row.id for row in at_backup["users"] if row.email == "amara@example.org")
    # The application role, acting for amara, reads herself and the mentor, never the other learner.
    assert await _emails_seen_by(app_url, amara) == {"amara@example.org", "kofi@example.org"}
    backup = tmp_path / "skillbridge.backup"

    # Without the owner's URL the application role cannot dump (no grant on every table, RLS on others):
    # refused, and no file.
    as_app = await _skillbridge(app_url, "backup", str(backup))
    assert as_app.exit_code == 1
    assert "pg_dump failed" in as_app.output
    assert not backup.exists()

    made = await _skillbridge(app_url, "backup", str(backup), owner_url=owner_url)
    assert made.exit_code == 0, made.output

    # The owner sees the rows the application role cannot: the restore is refused and names them.
    refused = await _skillbridge(app_url, "restore", str(backup), owner_url=owner_url)
    assert refused.exit_code == 1
    assert "users" in refused.output

    await _wipe(owner_url)
    restored = await _skillbridge(app_url, "restore", str(backup), owner_url=owner_url)
    assert restored.exit_code == 0, restored.output
    assert await _snapshot(owner_url) == at_backup  # every row of every table, the other learner's too
    assert await _emails_seen_by(app_url, amara) == {"amara@example.org", "kofi@example.org"}  # RLS again
