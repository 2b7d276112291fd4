"""Matching round at scale on PostgreSQL: seed waiting requests and mentors, then time the round job end to end.

Run: ``.venv/bin/python bench/rounds.py`` (default 100,000 waiting requests x 30,000 mentors; ``--learners`` and
``--mentors`` for other sizes, ``--algorithm greedy``, ``--reuse`` to keep the seeded database of an earlier run).
The people are the matching benchmark's synthetic instance (``skillbridge_matcher.synthetic_instance``, seed
2026: skills, points, weekly slots, languages, capacities), stored as accounts, every learner waiting once in
the domain ``python``. Seeding (recreate, migrate, bulk insert, VACUUM ANALYZE) is not timed.

What is timed is the ``run_matching_round`` job (:class:`ExecuteMatchingRound`) as a worker runs it, as the
application role bound by row-level security, with the native engine: paged reads of the requests, their
learners and the free mentors, the solve, and the batched writes (``--batch`` matches a transaction, each
with its notifications and the round's progress). The phases are split where the engine is called. The job
runs in a subprocess killed after ``--timeout`` seconds (default 300). Not a timed test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import skillbridge_matcher as sm
from benchkit.seeding import application_url, database_url, recreate_database
from sqlalchemy import insert, text

from skillbridge.adapters.matching.native import NativeMatchingEngine
from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.mappers import (
    mentorship_to_values,
    user_language_values,
    user_skill_values,
    user_to_values,
)
from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from skillbridge.adapters.persistence.sqlalchemy.tables import MentorMatchRow, UserLanguageRow, UserRow, UserSkillRow
from skillbridge.adapters.system.clock import SystemClock
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.round_jobs import ExecuteMatchingRound
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.accounts.profile import Location, Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.round_runs import MatchingRound
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)

SEED = 2026
DOMAIN = "python"
INSERT_ROWS = 1000
JOINED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _profile(person: Mapping[str, Any], *, capacity: int | None) -> Profile:
    return Profile(
        display_name=person["id"],
        skills=tuple(person["skills"]),
        location=Location(point=GeoPoint(person["lat"], person["lon"])),
        timezone="UTC",
        hours_per_week=max(1, round(person.get("hours_per_week", 5))),
        weekly_slots=tuple(person["slots"]),
        languages=tuple(person["languages"]),
        mentor_capacity=capacity,
    )


def build_people(learners: int, mentors: int) -> tuple[list[User], list[Mentorship]]:
    """Every account (mentors first, then learners, each a second after the previous) and one waiting request
    per learner, from the synthetic instance."""
    raw_learners, raw_mentors = sm.synthetic_instance(learners, mentors, SEED)
    users: list[User] = []
    requests: list[Mentorship] = []
    for index, mentor in enumerate(raw_mentors):
        joined = JOINED + timedelta(seconds=index)
        profile = _profile(mentor, capacity=int(mentor["capacity"]))
        users.append(User(f"{mentor['id'].lower()}@bench.example.org", Role.MENTOR, profile, joined, joined))
    for index, person in enumerate(raw_learners):
        joined = JOINED + timedelta(seconds=len(raw_mentors) + index)
        email = f"{person['id'].lower()}@bench.example.org"
        learner = User(email, Role.LEARNER, _profile(person, capacity=None), joined, joined)
        users.append(learner)
        needs = LearnerNeeds(
            skills=tuple(person["skills"]),
            hours_per_week=max(1, round(person["hours_per_week"])),
            remote_ok=bool(person["remote_ok"]),
            domain=DOMAIN,
        )
        requests.append(
            Mentorship(
                learner_id=learner.id,
                mentor_id=None,
                status=MatchStatus.WAITING,
                created_at=joined,
                updated_at=joined,
                learner_needs=needs,
            )
        )
    return users, requests


async def _insert(connection: Any, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), INSERT_ROWS):
        await connection.execute(insert(table), list(rows[start : start + INSERT_ROWS]))


async def seed(url: str, learners: int, mentors: int) -> None:
    """Recreate, migrate and fill the database, then VACUUM ANALYZE it."""
    await recreate_database(url)
    await upgrade(url)
    users, requests = build_people(learners, mentors)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await _insert(connection, UserRow, [user_to_values(user) for user in users])
            await _insert(connection, UserSkillRow, [row for user in users for row in user_skill_values(user)])
            await _insert(connection, UserLanguageRow, [row for user in users for row in user_language_values(user)])
            await _insert(connection, MentorMatchRow, [mentorship_to_values(request) for request in requests])
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


class TimedEngine(MatchingEngine):
    """The native engine, noting when the round called it and when it answered."""

    name = NativeMatchingEngine.name

    def __init__(self) -> None:
        self.inner = NativeMatchingEngine()
        self.started = time.perf_counter()
        self.called = 0.0
        self.answered = 0.0

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        self.called = time.perf_counter()
        # Written as they happen (stderr, flushed): a run stopped by the timeout still tells its phases.
        print(f"  read: {self.called - self.started:.2f} s", file=sys.stderr, flush=True)
        result = await self.inner.assign(learners, mentors, weights, algorithm=algorithm)
        self.answered = time.perf_counter()
        print(f"  solve: {self.answered - self.called:.2f} s", file=sys.stderr, flush=True)
        print(f"  engine: {len(learners):,} learners x {len(mentors):,} mentors", file=sys.stderr, flush=True)
        return result

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        return await self.inner.recommend(learner, mentors, k, weights)


async def put_back(url: str) -> None:
    """Every request of the seeded domain waiting again, as seeded, and no notification: a run on ``--reuse``."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE mentor_matches SET status = 'waiting', mentor_id = NULL, score = NULL, "
                    "score_components = '{}', expires_at = NULL, version = 1 WHERE domain = :domain"
                ),
                {"domain": DOMAIN},
            )
            await connection.execute(text("DELETE FROM notifications"))
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


async def run_round(owner_url: str, app_url: str, algorithm: Algorithm, batch: int, page: int) -> dict[str, Any]:
    """Queue a round record, then run the job as a worker would; return its phases and its record."""
    owner = create_engine(owner_url)
    try:
        async with owner.begin() as connection:  # a fresh record each run (an earlier run's may hold the scope)
            await connection.execute(text("UPDATE matching_rounds SET status = 'failed' WHERE status <> 'done'"))
        queued = MatchingRound(
            scope=DOMAIN, algorithm=algorithm, requested_by=None, created_at=datetime.now(UTC), id=uuid4()
        )
        unit = SqlaUnitOfWork(create_session_factory(owner))
        unit.act_for_system("bench:queue_round")
        async with unit as uow:
            await uow.matching_rounds.add(queued)
            await uow.commit()
        await unit.release()
    finally:
        await owner.dispose()
    app = create_engine(app_url)
    clock = SystemClock()
    policy = MatchingPolicy(round_batch_size=batch, round_page_size=page, round_job_time_budget=timedelta(hours=1))
    engine = TimedEngine()
    job = ExecuteMatchingRound(SqlaUnitOfWork(create_session_factory(app)), engine, policy, clock, Notifier(clock))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        started = engine.started = time.perf_counter()
        done = await job(queued.id)
        ended = time.perf_counter()
    finally:
        await app.dispose()
    return {
        "total_s": ended - started,
        "read_s": engine.called - started,
        "solve_s": engine.answered - engine.called,
        "write_s": ended - engine.answered,
        "rss_growth_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before,
        "status": done.status.value,
        "error": done.error,
        "considered": done.requests_considered,
        "stored": done.matches_stored,
        "batches": done.batches_written,
        "unassigned": dict(done.unassigned),
        "engine": done.engine,
    }


async def progress(url: str) -> dict[str, Any]:
    """The newest round's counters, as committed with its batches."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT status, requests_considered, matches_stored, batches_written FROM matching_rounds "
                        "ORDER BY created_at DESC LIMIT 1"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return dict(row._mapping)


def _child(arguments: argparse.Namespace) -> None:
    owner = database_url(arguments.database)
    result = asyncio.run(run_round(owner, arguments.app_url, arguments.algorithm, arguments.batch, arguments.page))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--mentors", type=int, default=30_000)
    parser.add_argument("--algorithm", choices=["optimal", "greedy"], default="optimal")
    parser.add_argument("--batch", type=int, default=1000, help="matches stored per transaction")
    parser.add_argument("--page", type=int, default=5000, help="rows read per statement")
    parser.add_argument("--database", default="skillbridge_bench_rounds")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database an earlier run seeded (its requests waiting again)"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds the timed round may take")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--app-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _child(arguments)
        return
    url = database_url(arguments.database)
    if arguments.reuse:
        asyncio.run(put_back(url))
    else:
        seeding = time.perf_counter()
        asyncio.run(seed(url, arguments.learners, arguments.mentors))
        print(f"seeded {arguments.learners:,} waiting requests and {arguments.mentors:,} mentors "
              f"in {time.perf_counter() - seeding:.1f} s (not timed)")  # fmt: skip
    print(f"load average before: {os.getloadavg()}")
    command = [sys.executable, __file__, "--child", "--app-url", application_url(url), *sys.argv[1:]]
    # The child's stderr goes to a file, read whether it finished or was stopped (its phases are written as
    # they happen).
    with tempfile.TemporaryFile(mode="w+") as phases:
        try:
            child = subprocess.run(  # noqa: S603 - this very script
                command, stdout=subprocess.PIPE, stderr=phases, text=True, timeout=arguments.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            phases.seek(0)
            print(f"the round took more than {arguments.timeout:.0f} s: stopped")
            print(phases.read().strip())
            print(f"its progress when stopped: {asyncio.run(progress(url))}")
            return
        phases.seek(0)
        written = phases.read()
    print(f"load average after: {os.getloadavg()}")
    if child.returncode != 0:
        print(written[-4000:])
        return
    print(written.strip())
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print("| phase | seconds |\n|---|---|")
    for phase in ("read", "solve", "write", "total"):
        print(f"| {phase} | {result[f'{phase}_s']:.2f} |")
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("_s")}, indent=1))


if __name__ == "__main__":
    main()
