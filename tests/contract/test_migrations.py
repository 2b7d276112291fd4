"""The migrations build exactly the models' schema, undo it completely, and build it again, on SQLite and
on PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import DateTime, Uuid, bindparam, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

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
    assert await current_revision(url) == "0018"
    assert await _tables(url) == {*metadata.tables, "alembic_version"}
    assert await pending_model_differences(url) == []

    await downgrade(url, "base")
    assert await current_revision(url) is None
    assert await _tables(url) == {"alembic_version"}
    assert len(await pending_model_differences(url)) > 0

    await upgrade(url)
    assert await current_revision(url) == "0018"
    assert await pending_model_differences(url) == []


async def test_upgrade_is_idempotent(empty_database: str) -> None:
    await upgrade(empty_database)
    await upgrade(empty_database)
    assert await current_revision(empty_database) == "0018"


def _alembic(*arguments: str, database: Path) -> str:
    environment = {**os.environ, "SKILLBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    command = [sys.executable, "-m", "alembic", "-c", str(REPOSITORY / "alembic.ini"), *arguments]
    return subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout  # noqa: S603


def test_the_alembic_command_line_migrates_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "cli" / "skillbridge.db"
    _alembic("upgrade", "head", database=database)
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0018",)]
    assert "CREATE TABLE users" in _alembic("upgrade", "head", "--sql", database=database)


async def _insert_user(connection: AsyncConnection, user_id: str, at: datetime, *, profile: str = "{}") -> None:
    await connection.execute(
        text(
            "INSERT INTO users (id, email, role, profile, hours_per_week, is_active, created_at, updated_at,"
            " version) VALUES (:id, :email, 'learner', :profile, 0, true, :at, :at, 1)"
        ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
        {"id": user_id, "email": f"{user_id}@example.org", "profile": profile, "at": at},
    )


async def test_0005_backfills_read_times_and_thread_statistics(empty_database: str) -> None:
    url = empty_database
    await upgrade(url, "0002")
    user, thread, reply, nested = (str(uuid4()) for _ in range(4))
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    later = datetime(2026, 1, 5, 10, tzinfo=UTC)
    stamp = DateTime(timezone=True)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await _insert_user(connection, user, at)
            insert_post = text(
                "INSERT INTO forum_posts (id, user_id, category, title, content, parent_id, root_id, is_deleted,"
                " created_at, updated_at, version) VALUES (:id, :user, 'python', :title, 'x', :parent, :root,"
                " false, :at, :at, 1)"
            ).bindparams(bindparam("at", type_=stamp))
            await connection.execute(
                insert_post, {"id": thread, "user": user, "title": "t", "parent": None, "root": None, "at": at}
            )
            for post, parent, when in ((reply, thread, at), (nested, reply, later)):
                await connection.execute(
                    insert_post, {"id": post, "user": user, "title": None, "parent": parent, "root": thread, "at": when}
                )
            insert_notification = text(
                "INSERT INTO notifications (id, user_id, type, content, data, read, created_at, updated_at)"
                " VALUES (:id, :user, 'match', 'm', '{}', :read, :at, :updated)"
            ).bindparams(bindparam("at", type_=stamp), bindparam("updated", type_=stamp))
            for read in (True, False):
                await connection.execute(
                    insert_notification, {"id": str(uuid4()), "user": user, "read": read, "at": at, "updated": later}
                )
        await upgrade(url)
        async with engine.connect() as connection:
            stats = (
                await connection.execute(
                    text("SELECT reply_count, last_activity_at FROM forum_posts WHERE parent_id IS NULL")
                )
            ).one()
            replies = (
                await connection.execute(text("SELECT count(*) FROM forum_posts WHERE last_activity_at IS NULL"))
            ).scalar_one()
            read_at = (await connection.execute(text("SELECT read, read_at FROM notifications ORDER BY read"))).all()
    finally:
        await engine.dispose()
    assert stats[0] == 2
    assert str(stats[1]).startswith("2026-01-05 10:00:00")
    assert replies == 2
    assert [(bool(read), value is not None) for read, value in read_at] == [(False, False), (True, True)]
    assert str(read_at[1][1]).startswith("2026-01-05 10:00:00")


async def test_0006_copies_the_stored_sessions_for_the_reminder_job(empty_database: str) -> None:
    url = empty_database
    await upgrade(url, "0005")
    learner, mentor, match, session = uuid4(), uuid4(), uuid4(), uuid4()
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    typed = (bindparam("at", type_=DateTime(timezone=True)), *(bindparam(n, type_=Uuid()) for n in ("id", "m", "l")))
    schedule = (
        f'[{{"id": "{session}", "time": "2026-01-07T09:00:00+00:00", "topic": "kick-off", "duration_minutes": 60}}]'
    )
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            insert_user = text(
                "INSERT INTO users (id, email, role, profile, hours_per_week, is_active, created_at, updated_at,"
                " version) VALUES (:id, :email, :role, '{}', 0, true, :at, :at, 1)"
            ).bindparams(*typed[:2])
            for user, role in ((learner, "learner"), (mentor, "mentor")):
                await connection.execute(
                    insert_user, {"id": user, "email": f"{role}@example.org", "role": role, "at": at}
                )
            await connection.execute(
                text(
                    "INSERT INTO mentor_matches (id, learner_id, mentor_id, status, domain, learner_needs,"
                    " score_components, session_schedule, created_at, updated_at, version)"
                    " VALUES (:id, :l, :m, 'active', 'python', '{}', '{}', :schedule, :at, :at, 1)"
                ).bindparams(*typed),
                {"id": match, "l": learner, "m": mentor, "schedule": schedule, "at": at},
            )
        await upgrade(url)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT match_id, starts_at, reminded_at FROM match_sessions"))).all()
    finally:
        await engine.dispose()
    assert len(rows) == 1
    assert str(rows[0][0]).replace("-", "") == match.hex
    assert str(rows[0][1]).startswith("2026-01-07 09:00:00")
    assert rows[0][2] is None


async def test_0008_fills_post_depths_and_makes_profiles_plain_text(empty_database: str) -> None:
    url = empty_database
    await upgrade(url, "0007")
    author, thread, reply, nested = (str(uuid4()) for _ in range(4))
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    profile = (
        '{"display_name": "<img src=x onerror=alert(1)>Mallory", "bio": "Tom &amp; Jerry",'
        ' "location": {"lat": 1.0, "lon": 2.0, "city": "<b>Lagos</b>", "country": "NG"}}'
    )
    typed_at = bindparam("at", type_=DateTime(timezone=True))
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await _insert_user(connection, author, at, profile=profile)
            insert_post = text(
                "INSERT INTO forum_posts (id, user_id, category, content, parent_id, root_id, is_deleted,"
                " reply_count, created_at, updated_at, version) VALUES (:id, :u, 'python', 'x', :p, :r, false, 0,"
                " :at, :at, 1)"
            ).bindparams(typed_at)
            for post, parent in ((thread, None), (reply, thread), (nested, reply)):
                root = None if parent is None else thread
                await connection.execute(insert_post, {"id": post, "u": author, "p": parent, "r": root, "at": at})
        await upgrade(url)
        async with engine.connect() as connection:
            depths = dict((await connection.execute(text("SELECT id, depth FROM forum_posts"))).all())
            stored = (await connection.execute(text("SELECT profile FROM users"))).scalar_one()
    finally:
        await engine.dispose()
    document = json.loads(stored) if isinstance(stored, str) else stored
    assert sorted(depths.values()) == [0, 1, 2]
    assert (document["display_name"], document["bio"], document["location"]["city"]) == (
        "Mallory",
        "Tom & Jerry",
        "Lagos",
    )
    assert document["location"]["lat"] == 1.0
