"""Seeding a PostgreSQL database for the benchmarks, fast: recreate it, migrate it with ``skillbridge migrate``,
hash one password once (the project's argon2 hasher) and insert the whole population in bulk through the
project's tables and row mappers."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from benchkit.population import DEFAULT_LEARNERS, DEFAULT_MENTORS, DEFAULT_POSTS, Population, build_population
from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine
from skillbridge.adapters.persistence.sqlalchemy.mappers import (
    forum_post_to_values,
    mentorship_to_values,
    notification_to_values,
    progress_event_to_values,
    roadmap_to_values,
    roadmap_version_to_values,
    user_language_values,
    user_skill_values,
    user_to_values,
)
from skillbridge.adapters.persistence.sqlalchemy.tables import (
    ForumPostRow,
    MatchSessionRow,
    MentorMatchRow,
    NotificationRow,
    ProgressLogRow,
    RoadmapRow,
    RoadmapVersionRow,
    UserLanguageRow,
    UserRow,
    UserSkillRow,
)
from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.domain.clock import utc
from skillbridge.main.demo_data import DEMO_PASSWORD

PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
BATCH = 1000


def database_url(name: str, server: str = PG_SERVER) -> str:
    """The SQLAlchemy URL of database ``name`` on ``server``."""
    return f"{server.rstrip('/')}/{name}"


async def connect(url: str, database: str | None) -> asyncpg.Connection:
    """A plain asyncpg connection to ``database`` on the server of ``url``."""
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres", database=database
    )


async def recreate_database(url: str) -> None:
    """Drop (closing its connections) and create the database of ``url``."""
    parsed = make_url(url)
    name = parsed.database
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing an unusual database name {name!r}")
    connection = await connect(url, "postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


#: The login role the benchmarked server connects as: a member of the application role of migration 0011, so
#: row-level security is in force as in production (the seeding and the fixture connect as the owner).
BENCH_APP_ROLE = "skillbridge_bench_app"


async def _ensure_app_login_role(url: str) -> None:
    connection = await connect(url, "postgres")
    try:
        await connection.execute(
            f"""DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BENCH_APP_ROLE}') THEN
                    CREATE ROLE {BENCH_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE skillbridge_app;
                END IF;
            END $$"""
        )
    finally:
        await connection.close()


def application_url(url: str) -> str:
    """``url`` as the application's login role (made once if missing; the database must be migrated)."""
    asyncio.run(_ensure_app_login_role(url))
    return make_url(url).set(username=BENCH_APP_ROLE, password=None).render_as_string(hide_password=False)


def migrate(url: str, skillbridge_bin: Path) -> None:
    """``skillbridge migrate`` against ``url``."""
    env = {**os.environ, "SKILLBRIDGE_DATABASE_URL": url, "SKILLBRIDGE_LOG_LEVEL": "WARNING"}
    subprocess.run([str(skillbridge_bin), "migrate"], env=env, check=True, capture_output=True)  # noqa: S603


async def _insert(connection: AsyncConnection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(table), list(rows[start : start + BATCH]))


def _flatten(groups: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [row for group in groups for row in group]


def forum_rows(population: Population) -> list[dict[str, Any]]:
    """The posts' rows, threads carrying their reply count and last activity as the repository keeps them."""
    replies = Counter(post.root_id for post in population.posts if post.root_id is not None)
    last_reply: dict[Any, Any] = {}
    for post in population.posts:
        if post.root_id is not None:
            last_reply[post.root_id] = max(last_reply.get(post.root_id, post.created_at), post.created_at)
    rows = []
    for post in population.posts:
        values = forum_post_to_values(post)
        if post.is_thread:
            values["reply_count"] = replies.get(post.id, 0)
            values["last_activity_at"] = utc(last_reply.get(post.id, post.created_at))
        rows.append(values)
    return rows


async def write_population(url: str, population: Population) -> None:
    """Insert every row of ``population`` in one transaction, then VACUUM ANALYZE."""
    users = population.users
    session_rows = [
        {"id": s.id, "match_id": m.id, "starts_at": utc(s.time), "reminded_at": None}
        for m in population.mentorships
        for s in m.session_schedule
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await _insert(connection, UserRow, [user_to_values(user) for user in users])
            await _insert(connection, UserSkillRow, _flatten(user_skill_values(user) for user in users))
            await _insert(connection, UserLanguageRow, _flatten(user_language_values(user) for user in users))
            await _insert(connection, RoadmapRow, [roadmap_to_values(r) for r in population.roadmaps])
            await _insert(connection, RoadmapVersionRow, [roadmap_version_to_values(v) for v in population.versions])
            await _insert(connection, ProgressLogRow, [progress_event_to_values(e) for e in population.events])
            await _insert(connection, MentorMatchRow, [mentorship_to_values(m) for m in population.mentorships])
            await _insert(connection, MatchSessionRow, session_rows)
            await _insert(connection, NotificationRow, [notification_to_values(n) for n in population.notifications])
            await _insert(connection, ForumPostRow, forum_rows(population))
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))  # statistics and a visibility map, as a live database has
    finally:
        await engine.dispose()


async def hash_password_once(password: str = DEMO_PASSWORD) -> str:
    """The argon2id hash of ``password`` with the production parameters (the defaults of the settings)."""
    return await Argon2PasswordHasher(time_cost=3, memory_cost_kib=65_536).hash(password)


@dataclass(frozen=True, slots=True)
class SeedOptions:
    database: str = "skillbridge_bench"
    mentors: int = DEFAULT_MENTORS
    learners: int = DEFAULT_LEARNERS
    posts: int = DEFAULT_POSTS
    reuse: bool = False
    seed: int = 42


def seed(options: SeedOptions, skillbridge_bin: Path) -> tuple[str, Population | None]:
    """Recreate, migrate and fill the database (``reuse``: leave an existing one as it is and return no
    population). Returns the database URL and the population written."""
    url = database_url(options.database)
    if options.reuse:
        return url, None
    started = time.perf_counter()
    asyncio.run(recreate_database(url))
    migrate(url, skillbridge_bin)
    password_hash = asyncio.run(hash_password_once())
    population = build_population(
        mentors=options.mentors,
        learners=options.learners,
        posts=options.posts,
        password_hash=password_hash,
        seed=options.seed,
    )
    built = time.perf_counter()
    asyncio.run(write_population(url, population))
    print(
        f"seeded {options.database}: {len(population.mentors)} mentors, {len(population.learners)} learners, "
        f"{len(population.roadmaps)} roadmaps, {len(population.mentorships)} active mentorships, "
        f"{len(population.posts)} forum posts in {time.perf_counter() - started:.1f}s "
        f"(of which {built - started:.1f}s migrating and building)"
    )
    return url, population


_FIXTURE_SQL = """
SELECT u.id, u.email, r.id AS roadmap_id, m.id AS match_id, m.mentor_id,
       (SELECT r2.id FROM roadmaps r2 WHERE r2.user_id <> u.id ORDER BY r2.id LIMIT 1) AS other_roadmap_id,
       (SELECT p.id FROM forum_posts p WHERE p.parent_id IS NULL ORDER BY p.reply_count DESC, p.id LIMIT 1)
           AS busiest_thread_id
FROM users u
JOIN roadmaps r ON r.user_id = u.id
JOIN mentor_matches m ON m.learner_id = u.id AND m.status = 'active'
WHERE u.role = 'learner' AND u.profile -> 'location' <> 'null'::jsonb
ORDER BY u.email
LIMIT 1
"""


async def _fixture_row(url: str) -> asyncpg.Record:
    parsed = make_url(url)
    connection = await connect(url, parsed.database)
    try:
        row = await connection.fetchrow(_FIXTURE_SQL)
    finally:
        await connection.close()
    if row is None:
        raise RuntimeError(f"no seeded learner with a roadmap and an active mentorship in {parsed.database}")
    return row


def write_fixture(path: Path, url: str) -> dict[str, Any]:
    """Write the load fixture of the twin's ``load.sh`` (a seeded learner with a location, a roadmap and an
    active mentorship: credentials and roadmap id) and return it with the learner's match and mentor ids
    and the forum thread with the most replies."""
    row = asyncio.run(_fixture_row(url))
    fixture = {
        "email": row["email"],
        "password": DEMO_PASSWORD,
        "user_id": str(row["id"]),
        "roadmap_id": str(row["roadmap_id"]),
        "other_users_roadmap_id": str(row["other_roadmap_id"]),
        "mentor_skill": "python",
    }
    path.write_text(json.dumps(fixture, indent=2))
    extra = {"match_id": str(row["match_id"]), "mentor_id": str(row["mentor_id"])}
    return {**fixture, **extra, "busiest_thread_id": str(row["busiest_thread_id"])}
