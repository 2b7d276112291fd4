"""What only one adapter can show: SQLite connection settings, the acting user on PostgreSQL, driver
errors turned into application errors, and the memory twin's commit-time checks."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.errors import translate
from skillbridge.domain.errors import Conflict, DependencyUnavailable, InvalidInput
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, make_session, make_user

# -------------------------------------------------------------------------------------------- SQLite


async def test_sqlite_connections_enforce_foreign_keys_in_wal_mode(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'x.db'}")
    try:
        async with engine.connect() as connection:
            settings = [
                (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            ]
    finally:
        await engine.dispose()
    assert settings == [1, "wal", 5000, 1]
    assert (tmp_path / "deep" / "er" / "x.db").exists()


async def test_in_memory_sqlite_needs_no_directory() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
@pytest.mark.parametrize("store", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_the_acting_user_is_set_for_every_transaction_on_postgres(store: Store) -> None:
    assert store.engine is not None
    sessions = create_session_factory(store.engine)
    actor = uuid4()
    setting = text("SELECT current_setting('skillbridge.user_id', true)")

    async with SqlaUnitOfWork(sessions, acting_user_id=actor) as uow:
        assert (await uow.session.execute(setting)).scalar() == str(actor)
        await uow.commit()
        assert (await uow.session.execute(setting)).scalar() == str(actor)  # the next transaction too

    async with SqlaUnitOfWork(sessions) as uow:
        assert (await uow.session.execute(setting)).scalar() in {None, ""}  # transaction-local: gone


@pytest.mark.postgres
@pytest.mark.parametrize("store", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_reused_connection_always_carries_the_current_acting_user(store: Store) -> None:
    """The tag is skipped when the connection already carries the acting user, and sent otherwise."""
    assert store.url is not None
    engine = create_engine(store.url)
    tags: list[str] = []

    def watch_tags(dbapi_connection: Any, _record: Any) -> None:
        def log(query: Any) -> None:  # asyncpg's LoggedQuery: what the driver sent
            if "set_config" in query.query:
                tags.append(query.args[0])

        dbapi_connection.driver_connection.add_query_logger(log)

    event.listen(engine.sync_engine, "connect", watch_tags)
    sessions = create_session_factory(engine)
    setting = text("SELECT current_setting('skillbridge.user_id', true), pg_backend_pid()")
    ada, bola = uuid4(), uuid4()
    # Sequential units on an idle pool reuse one connection; the order mixes users, nobody, and returns.
    order = [ada, ada, bola, None, None, ada, bola, bola]
    seen: list[tuple[str, int]] = []
    try:
        for actor in order:
            async with SqlaUnitOfWork(sessions, acting_user_id=actor) as uow:
                value, pid = (await uow.session.execute(setting)).one()
                seen.append((value, pid))
    finally:
        await engine.dispose()
    assert len({pid for _, pid in seen}) == 1  # one connection served them all, so it was reused
    assert [value for value, _ in seen] == ["" if actor is None else str(actor) for actor in order]
    # A tag for each change of user on the connection, none for a user it already carried.
    assert tags == [str(ada), str(bola), "", str(ada), str(bola)]


async def test_the_acting_user_is_harmless_on_sqlite(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "acting.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        user = make_user()
        async with SqlaUnitOfWork(create_session_factory(engine), acting_user_id=user.id) as uow:
            await uow.users.add(user)
            await uow.commit()
            assert await uow.users.get(user.id) == user
    finally:
        await engine.dispose()


async def test_an_unreachable_database_is_dependency_unavailable_without_details() -> None:
    engine = create_engine("postgresql+asyncpg://postgres:secret@127.0.0.1:1/nothing")
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            async with SqlaUnitOfWork(create_session_factory(engine)) as uow:
                await uow.users.list(PageRequest())
    finally:
        await engine.dispose()
    assert caught.value.message == "the database cannot be reached"


def _dbapi_error(kind: type[sa_exc.DBAPIError], message: str, sqlstate: str | None = None) -> sa_exc.DBAPIError:
    original = Exception(message)
    if sqlstate is not None:
        original.sqlstate = sqlstate  # type: ignore[attr-defined]
    return kind("SELECT secret FROM internals", {}, original)


@pytest.mark.parametrize(
    ("error", "expected", "message"),
    [
        (
            _dbapi_error(sa_exc.IntegrityError, "UNIQUE constraint failed: users.email"),
            Conflict,
            "email is already taken",
        ),
        (_dbapi_error(sa_exc.IntegrityError, "duplicate key", "23505"), Conflict, "a unique value is already taken"),
        (_dbapi_error(sa_exc.IntegrityError, "FOREIGN KEY constraint failed"), Conflict, None),
        (
            _dbapi_error(sa_exc.IntegrityError, "violates check", "23514"),
            Conflict,
            "the change breaks a consistency rule",
        ),
        (_dbapi_error(sa_exc.DBAPIError, "could not serialize access", "40001"), Conflict, None),
        (_dbapi_error(sa_exc.DBAPIError, "terminating connection", "57P01"), DependencyUnavailable, None),
        (
            _dbapi_error(sa_exc.OperationalError, "database is locked"),
            DependencyUnavailable,
            "the database is busy; try again",
        ),
        (_dbapi_error(sa_exc.DataError, "value too long for type character(2)", "22001"), InvalidInput, None),
        (ConnectionRefusedError(111, "Connect call failed ('10.0.0.5', 5432)"), DependencyUnavailable, None),
        (sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"), DependencyUnavailable, None),
    ],
    ids=[
        "sqlite-unique",
        "pg-unique",
        "sqlite-fk",
        "pg-check",
        "serialization",
        "admin-shutdown",
        "locked",
        "data",
        "refused",
        "pool-timeout",
    ],
)
def test_driver_errors_become_application_errors_that_leak_nothing(
    error: Exception, expected: type[Exception], message: str | None
) -> None:
    translated = translate(error)
    assert isinstance(translated, expected)
    assert "secret" not in str(translated)
    assert "10.0.0.5" not in str(translated)
    if message is not None:
        assert str(translated) == message


def test_errors_that_are_not_database_errors_are_left_alone() -> None:
    assert translate(ValueError("x")) is None
    assert translate(_dbapi_error(sa_exc.ProgrammingError, "syntax error", "42601")) is None


# -------------------------------------------------------------------------------------------- memory


async def test_memory_commit_rechecks_unique_keys_and_stores_nothing_on_a_clash() -> None:
    database = MemoryDatabase()
    first, second = MemoryUnitOfWork(database), MemoryUnitOfWork(database)
    bystander = make_user("bystander@example.org")
    async with first, second:
        await first.users.add(make_user("same@example.org"))
        await second.users.add(bystander)
        await second.users.add(make_user("same@example.org"))
        await first.commit()
        # The second unit still sees its own staged writes; its commit fails as a whole.
        assert await second.users.find_by_email("bystander@example.org") == bystander
        with pytest.raises(Conflict):
            await second.commit()
    async with MemoryUnitOfWork(database) as reader:
        assert (await reader.users.list(PageRequest())).total == 1
        assert await reader.users.find_by_email("bystander@example.org") is None


async def test_memory_rotation_race_is_lost_at_commit() -> None:
    database = MemoryDatabase()
    user = make_user()
    session = make_session(user.id)
    async with MemoryUnitOfWork(database) as uow:
        await uow.users.add(user)
        await uow.refresh_sessions.add(session)
        await uow.commit()

    first, second = MemoryUnitOfWork(database), MemoryUnitOfWork(database)
    async with first, second:
        assert await first.refresh_sessions.mark_rotated(session.id, T0 + timedelta(minutes=1))
        assert await second.refresh_sessions.mark_rotated(session.id, T0 + timedelta(minutes=2))
        await first.commit()
        with pytest.raises(Conflict):
            await second.commit()
    async with MemoryUnitOfWork(database) as reader:
        stored = await reader.refresh_sessions.find_by_hash(session.token_hash)
    assert stored is not None
    assert stored.rotated_at == T0 + timedelta(minutes=1)


async def test_memory_user_rules_match_the_table_checks() -> None:
    user = make_user()
    async with MemoryUnitOfWork(MemoryDatabase()) as uow:
        with pytest.raises(Conflict):
            await uow.users.add(replace(user, profile=replace(user.profile, hours_per_week=169)))
        with pytest.raises(Conflict):
            await uow.users.add(replace(user, profile=replace(user.profile, mentor_capacity=0)))


async def test_units_of_work_are_not_reentrant(store: Store) -> None:
    uow = store.new_uow()
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()


def test_sqlite_error_text_is_what_the_translation_expects(tmp_path: Path) -> None:
    """Guards the message matching in errors.py against a change in SQLite's wording."""
    connection = sqlite3.connect(tmp_path / "wording.db")
    connection.execute("CREATE TABLE t (email TEXT UNIQUE)")
    connection.execute("INSERT INTO t VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError) as caught:
        connection.execute("INSERT INTO t VALUES ('a')")
    connection.close()
    assert str(caught.value) == "UNIQUE constraint failed: t.email"
