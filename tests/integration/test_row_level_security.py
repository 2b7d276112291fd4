# ruff: noqa: S608 - the SQL here names tables and columns from the lists below, never input
"""Row-level security on PostgreSQL, tried with raw SQL as the application role (migration 0011).

One person (B) has a row in every table of personal data; another (A) connects as the application's role
and tries to read, change and delete them. A mentor (M) stays visible to A: the mentor search must work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Table, insert, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy import tables as t
from tests.support.databases import app_role_url
from tests.support.reused_database import ReusedDatabase

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    owner: AsyncEngine
    app: AsyncEngine
    a: UUID
    b: UUID
    mentor: UUID
    b_roadmap: UUID
    b_match: UUID


async def _add(connection: AsyncConnection, table: Table, **values: Any) -> UUID:
    row_id = values.setdefault("id", uuid4()) if "id" in table.c else None
    await connection.execute(insert(table).values(**values))
    return row_id or uuid4()


async def _seed(owner: AsyncEngine) -> tuple[UUID, UUID, UUID, UUID, UUID]:
    """A, B and the mentor M; B holds a row in every table of personal data."""
    async with owner.begin() as c:
        a = await _add(c, t.UserRow.__table__, email="a@example.org", role="learner", profile={"display_name": "A"})
        b = await _add(c, t.UserRow.__table__, email="b@example.org", role="learner", profile={"display_name": "Bee"})
        m = await _add(c, t.UserRow.__table__, email="m@example.org", role="mentor", profile={"display_name": "M"})
        await _add(c, t.UserSkillRow.__table__, user_id=b, skill="python")
        await _add(c, t.UserLanguageRow.__table__, user_id=b, language="en")
        roadmap = await _add(
            c,
            t.RoadmapRow.__table__,
            user_id=b,
            domain="python",
            skill_level="beginner",
            time_availability=5,
            modules=[],
            generator="catalog",
            language="en",
        )
        await _add(c, t.RoadmapVersionRow.__table__, roadmap_id=roadmap, version=1, modules=[], progress=0.0)
        match = await _add(
            c,
            t.MentorMatchRow.__table__,
            learner_id=b,
            mentor_id=m,
            status="active",
            domain="python",
            learner_needs={},
            score_components={},
            session_schedule=[],
        )
        await _add(c, t.MatchSessionRow.__table__, match_id=match, starts_at=NOW)
        await _add(c, t.MentorBlockRow.__table__, mentor_id=m, learner_id=b)
        await _add(c, t.ChatMessageRow.__table__, match_id=match, sender_id=b, content="hello")
        await _add(
            c, t.ProgressLogRow.__table__, user_id=b, roadmap_id=roadmap, event_type="note", details={}, occurred_at=NOW
        )
        await _add(c, t.NotificationRow.__table__, user_id=b, type="match", content="news", data={})
        await _add(c, t.BadgeRow.__table__, user_id=b, type="starter", criteria={}, awarded_at=NOW)
        await _add(
            c,
            t.RefreshTokenRow.__table__,
            user_id=b,
            family_id=uuid4(),
            token_hash="f" * 64,
            issued_at=NOW,
            expires_at=NOW + timedelta(days=14),
        )
        await _add(c, t.AuditLogRow.__table__, actor_id=b, action="auth.login", details={}, at=NOW)
        await c.execute(
            insert(t.ConsentRow.__table__).values(user_id=b, kind="terms", granted=True, version="v1", at=NOW)
        )
        await _add(
            c,
            t.WebhookDeliveryRow.__table__,
            source="github",
            delivery_id="d-1",
            event="push",
            payload={},
            status="queued",
            received_at=NOW,
        )
        await _add(c, t.FailedJobRow.__table__, name="job", arguments={}, error="boom", attempts=1, failed_at=NOW)
        await _add(
            c,
            t.MatchingRoundRow.__table__,
            scope="python",
            status="running",
            algorithm="optimal",
            requested_by=b,
            requests_considered=0,
            matches_stored=0,
            batches_written=0,
            total_score=0.0,
            left_waiting=0,
            unassigned={},
        )
    return a, b, m, roadmap, match


@pytest.fixture
async def world(reused_postgres: ReusedDatabase) -> AsyncIterator[World]:
    async with reused_postgres.lease() as url:
        owner, app = create_engine(url), create_engine(await app_role_url(url))
        try:
            a, b, m, roadmap, match = await _seed(owner)
            yield World(owner, app, a, b, m, roadmap, match)
        finally:
            await owner.dispose()
            await app.dispose()


async def _tagged(app: AsyncEngine, acting: UUID | None, system: str = "") -> AsyncConnection:
    connection = await app.connect()
    await connection.execute(
        text(
            "SELECT set_config('skillbridge.user_id', :user, false), set_config('skillbridge.system', :system, false)"
        ),
        {"user": "" if acting is None else str(acting), "system": system},
    )
    await connection.commit()  # a session setting made in a transaction that rolls back would go with it
    return connection


# Each table of personal data, the column that ties a row to B, and how to name B's rows through it.
def _rows_of_b(world: World) -> dict[str, tuple[str, str]]:
    return {
        "users": ("id", str(world.b)),
        "user_skills": ("user_id", str(world.b)),
        "user_languages": ("user_id", str(world.b)),
        "roadmaps": ("user_id", str(world.b)),
        "roadmap_versions": ("roadmap_id", str(world.b_roadmap)),
        "mentor_matches": ("learner_id", str(world.b)),
        "match_sessions": ("match_id", str(world.b_match)),
        "mentor_blocks": ("learner_id", str(world.b)),
        "chat_messages": ("sender_id", str(world.b)),
        "progress_logs": ("user_id", str(world.b)),
        "notifications": ("user_id", str(world.b)),
        "badges": ("user_id", str(world.b)),
        "refresh_tokens": ("user_id", str(world.b)),
        "consents": ("user_id", str(world.b)),
        "audit_log": ("actor_id", str(world.b)),
        "webhook_deliveries": ("source", "github"),  # nobody's own: jobs only
        "failed_jobs": ("name", "job"),  # likewise: jobs and admins only
        "matching_rounds": ("requested_by", str(world.b)),  # admins and jobs only, even for who started it
    }


TABLES = [
    "users",
    "user_skills",
    "user_languages",
    "roadmaps",
    "roadmap_versions",
    "mentor_matches",
    "match_sessions",
    "mentor_blocks",
    "chat_messages",
    "progress_logs",
    "notifications",
    "badges",
    "refresh_tokens",
    "consents",
    "audit_log",
    "webhook_deliveries",
    "failed_jobs",
    "matching_rounds",
]


async def _count(connection: AsyncConnection, table: str, column: str, value: str) -> int:
    found = await connection.scalar(
        text(f"SELECT count(*) FROM {table} WHERE {column}::text = :value"), {"value": value}
    )
    return int(found or 0)


async def test_another_user_reaches_none_of_bs_rows_in_any_table(world: World) -> None:
    # One database for every table (a fresh one per table cost most of this module's time).
    for table in TABLES:
        column, value = _rows_of_b(world)[table]
        system = await _tagged(world.app, None, system="test:control")
        try:
            assert await _count(system, table, column, value) >= 1, table  # control: B's rows are there
        finally:
            await system.close()

        as_a = await _tagged(world.app, world.a)
        try:
            assert await _count(as_a, table, column, value) == 0, table
            if table != "audit_log":  # no UPDATE or DELETE at all there: see the append-only test
                where = f"{column}::text = :value"
                updated = await as_a.execute(
                    text(f"UPDATE {table} SET {column} = {column} WHERE {where}"), {"value": value}
                )
                deleted = await as_a.execute(text(f"DELETE FROM {table} WHERE {where}"), {"value": value})
                assert (updated.rowcount, deleted.rowcount) == (0, 0), table
            await as_a.commit()
        finally:
            await as_a.close()

        async with world.owner.connect() as owner:
            assert await _count(owner, table, column, value) >= 1, table  # nothing was deleted


async def test_without_an_acting_user_nothing_is_reached(world: World) -> None:
    nobody = await _tagged(world.app, None)
    system = await _tagged(world.app, None, system="test:control")
    try:
        for table in TABLES:
            assert await system.scalar(text(f"SELECT count(*) FROM {table}")) >= 1, table  # control
            assert await nobody.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
    finally:
        await nobody.close()
        await system.close()


async def test_each_side_of_a_mentorship_sees_it_and_mentors_stay_searchable(world: World) -> None:
    as_a = await _tagged(world.app, world.a)
    as_mentor = await _tagged(world.app, world.mentor)
    try:
        # A sees the mentor (search) but not B; the public names show B's display name and nothing else.
        visible = set(await as_a.scalars(text("SELECT id FROM users")))
        assert visible == {world.a, world.mentor}
        names = {row[0]: row[1] for row in await as_a.execute(text("SELECT id, display_name FROM public_user_names"))}
        assert names[world.b] == "Bee"
        # The mentor sees B (the other party), the mentorship, its session and B's chat message.
        assert await _count(as_mentor, "users", "id", str(world.b)) == 1
        assert await _count(as_mentor, "mentor_matches", "learner_id", str(world.b)) == 1
        assert await _count(as_mentor, "match_sessions", "match_id", str(world.b_match)) == 1
        assert await _count(as_mentor, "chat_messages", "sender_id", str(world.b)) == 1
        # ... and B's roadmap of an active mentorship, but not B's notifications or tokens.
        assert await _count(as_mentor, "roadmaps", "user_id", str(world.b)) == 1
        assert await _count(as_mentor, "notifications", "user_id", str(world.b)) == 0
        assert await _count(as_mentor, "refresh_tokens", "user_id", str(world.b)) == 0
    finally:
        await as_a.close()
        await as_mentor.close()


async def test_the_audit_log_is_append_only_even_for_the_system(world: World) -> None:
    system = await _tagged(world.app, None, system="test:audit")
    try:
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
                await system.execute(text(statement))
            await system.rollback()
        # Control: appending works, and the entry of the seed is intact.
        await system.execute(
            insert(t.AuditLogRow.__table__).values(action="test.appended", details={}, at=NOW),
        )
        await system.commit()
        actions = set(await system.scalars(text("SELECT action FROM audit_log")))
        assert actions == {"auth.login", "test.appended"}
    finally:
        await system.close()


async def test_every_system_access_leaves_an_audit_entry(world: World) -> None:
    unit = SqlaUnitOfWork(create_session_factory(world.app), acting_user_id=world.a)
    unit.act_for_system("admin:test")
    async with unit.reading() as uow:
        assert await uow.users.get(world.b)  # reachable now
    async with SqlaUnitOfWork(create_session_factory(world.app), acting_user_id=world.mentor) as uow:
        await uow.elevate("matching:test")
        assert await uow.users.get(world.a)  # not a party of the mentor's: reachable only elevated
        await uow.commit()

    async with world.owner.connect() as owner:
        rows = await owner.execute(
            text("SELECT actor_id, details FROM audit_log WHERE action = 'system_access' ORDER BY id")
        )
        assert [(actor, details["reason"]) for actor, details in rows] == [
            (world.a, "admin:test"),
            (world.mentor, "matching:test"),
        ]


async def test_without_elevation_a_mentor_cannot_reach_a_stranger(world: World) -> None:
    async with SqlaUnitOfWork(create_session_factory(world.app), acting_user_id=world.mentor).reading() as uow:
        assert await uow.users.get_many([world.a, world.b]) == {world.b: await uow.users.get(world.b)}


async def test_the_mentor_directory_lists_active_mentors_without_secrets_and_only_to_someone(world: World) -> None:
    async with world.owner.begin() as c:  # a suspended mentor, with a password hash like every mentor here
        suspended = await _add(
            c, t.UserRow.__table__, email="s@example.org", role="mentor", is_active=False, profile={}
        )
        await c.execute(text("UPDATE users SET password_hash = 'argon2-hash' WHERE role = 'mentor'"))
    as_a = await _tagged(world.app, world.a)
    nobody = await _tagged(world.app, None)
    system = await _tagged(world.app, None, system="test:directory")
    try:
        listed = (await as_a.execute(text("SELECT id, password_hash FROM mentor_directory"))).all()
        assert listed == [(world.mentor, None)]  # not A or B (learners), not the suspended mentor, no hash
        assert await nobody.scalar(text("SELECT count(*) FROM mentor_directory")) == 0
        assert await system.scalar(text("SELECT count(*) FROM mentor_directory")) == 1
        async with world.owner.connect() as owner:  # control: the hashes and the suspended mentor are there
            assert await owner.scalar(text("SELECT count(*) FROM users WHERE password_hash IS NOT NULL")) == 2
            assert await _count(owner, "users", "id", str(suspended)) == 1
        # The view is read-only for the application role.
        with pytest.raises(sa_exc.DBAPIError, match="permission denied"):
            await as_a.execute(text("UPDATE mentor_directory SET country = 'NG'"))
    finally:
        await as_a.close()
        await nobody.close()
        await system.close()


async def test_only_the_system_purges_old_audit_entries_and_never_the_newest_30_days(world: World) -> None:
    async with world.owner.begin() as owner:
        await owner.execute(
            insert(t.AuditLogRow.__table__).values(action="test.ancient", details={}, at=NOW - timedelta(days=400))
        )
    purge = text("SELECT skillbridge_purge_audit(:before)")
    as_a = await _tagged(world.app, world.a)
    try:
        with pytest.raises(sa_exc.DBAPIError, match="retention job only"):
            await as_a.execute(purge, {"before": NOW - timedelta(days=365)})
        await as_a.rollback()
    finally:
        await as_a.close()
    system = await _tagged(world.app, None, system="job:apply_retention")
    try:
        with pytest.raises(sa_exc.DBAPIError, match="at least 30 days"):
            await system.execute(purge, {"before": datetime.now(UTC)})
        await system.rollback()
        # Control: the system removes what is older than the instant it names, and nothing newer.
        assert await system.scalar(purge, {"before": datetime.now(UTC) - timedelta(days=365)}) == 1
        await system.commit()
        actions = set(await system.scalars(text("SELECT action FROM audit_log WHERE action LIKE 'test.%'")))
        assert actions == set()
        assert "auth.login" in set(await system.scalars(text("SELECT action FROM audit_log")))
    finally:
        await system.close()


async def test_only_erasure_pseudonymises_audit_entries(world: World) -> None:
    pseudonymise = text("SELECT skillbridge_pseudonymise_audit(:person, :traces)")
    values = {"person": world.b, "traces": ["auth"]}
    as_b = await _tagged(world.app, world.b)
    try:
        with pytest.raises(sa_exc.DBAPIError, match="by erasure only"):
            await as_b.execute(pseudonymise, values)
        await as_b.rollback()
    finally:
        await as_b.close()
    async with world.owner.begin() as owner:
        await owner.execute(
            text('UPDATE audit_log SET details = \'{"note": "auth by B"}\' WHERE actor_id = :b'), {"b": world.b}
        )
    system = await _tagged(world.app, None, system="accounts:erase")
    try:
        assert await system.scalar(pseudonymise, values) == 1  # control: acting for the system, it works
        await system.commit()
        details = await system.scalar(text("SELECT details FROM audit_log WHERE actor_id = :b"), {"b": world.b})
        assert details == {}
    finally:
        await system.close()
