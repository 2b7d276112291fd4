"""The job queue for real: taskiq on a Redis stream, a worker and the scheduler's clock in this process,
failed jobs stored in PostgreSQL. Retries back off exponentially, a job that keeps failing (or times out)
is recorded with its last error, and a job queued several times has its effect once."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skillbridge.adapters.jobs.taskiq_runtime import JobRuntime, JobSpec
from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.vcs.payloads import MsgspecGithubEventDecoder
from skillbridge.application.jobs.names import JobName
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.progress.webhook_guard import WebhookGuard
from skillbridge.application.progress.webhooks import Outcome, ReceiveGithubDelivery, WebhookConfig
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.vcs.webhooks import DeliveryStatus, sign
from skillbridge.main import Settings, build_container
from skillbridge.main.jobs import JobsProvider, build_job_runtime, failure_recorder, job_specs
from tests.support.databases import postgres_database, redis_url_or_skip
from tests.support.entities import make_mentor, make_mentorship, make_user
from tests.support.github_payloads import PUSHER_ID, SECRET, push_payload
from tests.support.roadmaps import make_roadmap
from tests.support.units import system_unit

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
WAIT_SECONDS = 30.0


@dataclass
class Queue:
    settings: Settings
    runtime: JobRuntime
    uow: Callable[[], UnitOfWork]
    clock: Clock


async def _eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_SECONDS} s: {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def queue_with(migrated_postgres_name: str) -> AsyncIterator[Callable[..., Awaitable[Queue]]]:
    """Start a Redis-backed runtime (its own stream key) with the real jobs plus ``extra`` ones, a worker and
    the scheduler; everything is stopped at the end."""
    redis = await redis_url_or_skip()
    stop: list[Callable[[], Awaitable[None]]] = []

    async def start(*extra: JobSpec, **overrides: Any) -> Queue:
        database = postgres_database(template=migrated_postgres_name)
        url = await database.__aenter__()
        stop.append(lambda: database.__aexit__(None, None, None))
        settings = Settings(
            database_url=url,
            redis_url=redis,
            jobs_queue_key=f"skillbridge:test-jobs:{uuid4().hex}",
            jobs_retry_base_seconds=1.0,
            jobs_max_attempts=3,
            match_expiry_sweep_seconds=0,
            session_reminder_sweep_seconds=0,
            retention_sweep_seconds=0,
            **overrides,
        )
        runtime = build_job_runtime(settings)
        container = build_container(settings, extra=(JobsProvider(runtime),))
        stop.append(container.close)
        runtime.register([*job_specs(container, settings), *extra], on_failed=failure_recorder(container))
        await runtime.startup()
        stop.append(runtime.shutdown)
        runtime.start_scheduler(first_runs_now=True, poll_seconds=0.5)
        worker = asyncio.create_task(runtime.run_worker())

        async def cancel_worker() -> None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

        stop.append(cancel_worker)
        sessions = await container.get(async_sessionmaker[AsyncSession])
        return Queue(settings, runtime, lambda: system_unit(sessions), await container.get(Clock))

    yield start
    for step in reversed(stop):
        await step()


async def _failed_jobs(queue: Queue) -> list[FailedJob]:
    async with queue.uow() as uow:
        return list((await uow.failed_jobs.list(PageRequest(limit=50))).items)


async def test_a_failing_job_is_retried_with_growing_delays_then_succeeds(queue_with: Any) -> None:
    runs: list[float] = []

    async def flaky(attempt_to_succeed: int) -> None:
        runs.append(time.monotonic())
        if len(runs) < attempt_to_succeed:
            raise ConnectionError("the partner API is away")

    queue = await queue_with(JobSpec("flaky", flaky, timeout_seconds=5, max_attempts=3))
    await queue.runtime.queue.enqueue("flaky", {"attempt_to_succeed": 3})
    await _eventually(lambda: _ran(runs, 3), "three runs")

    first_wait, second_wait = runs[1] - runs[0], runs[2] - runs[1]
    assert first_wait >= 0.5  # base 1 s, jittered down to at most half
    assert second_wait >= 1.0  # twice the base, jittered
    await asyncio.sleep(1.5)
    assert len(runs) == 3  # it succeeded: no fourth run
    assert await _failed_jobs(queue) == []


async def _ran(runs: list[float], count: int) -> bool:
    return len(runs) >= count


async def test_a_job_that_keeps_failing_or_times_out_is_recorded_not_lost(queue_with: Any) -> None:
    runs: list[str] = []

    async def broken(order: str) -> None:
        runs.append(order)
        raise ValueError(f"cannot handle order {order}")

    async def slow() -> None:
        await asyncio.sleep(30)

    queue = await queue_with(
        JobSpec("broken", broken, timeout_seconds=5, max_attempts=3),
        JobSpec("slow", slow, timeout_seconds=0.3, max_attempts=1),
    )
    await queue.runtime.queue.enqueue("broken", {"order": "A-17"})
    await queue.runtime.queue.enqueue("slow", {})

    async def both_recorded() -> bool:
        return len(await _failed_jobs(queue)) == 2

    await _eventually(both_recorded, "both jobs recorded as failed")
    failed = {job.name: job for job in await _failed_jobs(queue)}
    assert runs == ["A-17"] * 3
    assert (failed["broken"].attempts, failed["broken"].arguments) == (3, {"order": "A-17"})
    assert failed["broken"].error == "ValueError: cannot handle order A-17"
    assert (failed["slow"].attempts, failed["slow"].error.split(":")[0]) == (1, "TimeoutError")


async def test_the_reminder_job_queued_many_times_reminds_each_participant_once(queue_with: Any) -> None:
    queue = await queue_with()
    learner, mentor = make_user(), make_mentor(f"Chidi {uuid4().hex[:6]}")
    session = ScheduledSession(time=queue.clock.now() + timedelta(minutes=10), topic="SQL joins", duration_minutes=30)
    mentorship = replace(
        make_mentorship(learner.id, mentor.id, status=MatchStatus.ACTIVE),
        expires_at=None,
        session_schedule=(session,),
    )
    async with queue.uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(mentorship)
        await uow.commit()

    await asyncio.gather(*(queue.runtime.queue.enqueue(JobName.SEND_SESSION_REMINDERS, {}) for _ in range(5)))

    async def reminders() -> list[Any]:
        async with queue.uow() as uow:
            found = []
            for user in (learner, mentor):
                page = await uow.notifications.list_for_user(user.id, PageRequest())
                found += [n for n in page.items if n.type is NotificationType.SESSION_REMINDER]
            return found

    async def both_reminded() -> bool:
        return len(await reminders()) >= 2

    await _eventually(both_reminded, "the two reminders")
    await asyncio.sleep(1.0)  # the other four runs have finished or found nothing to do
    sent = await reminders()
    assert sorted(n.recipient_id for n in sent) == sorted([learner.id, mentor.id])
    assert {n.payload["session_id"] for n in sent} == {str(session.id)}
    assert await _failed_jobs(queue) == []


async def test_scheduled_jobs_run_on_the_clock(queue_with: Any) -> None:
    ticks: list[float] = []

    async def tick() -> None:
        ticks.append(time.monotonic())

    queue = await queue_with(JobSpec("tick", tick, timeout_seconds=5, max_attempts=1, every_seconds=1))
    await _eventually(lambda: _ran(ticks, 3), "three ticks")  # the first at once: a worker catches up
    assert queue.runtime.scheduled[-1].name == "tick"
    assert all(later - earlier >= 0.5 for earlier, later in itertools.pairwise(ticks))


async def test_a_push_queued_three_times_is_processed_once(queue_with: Any) -> None:
    queue = await queue_with(github_webhook_secret=SECRET)
    repository = f"amara-dev/exercises-{uuid4().hex[:6]}"
    learner = make_user(profile=Profile(display_name="Amara", github_username="amara-dev"), github_id=PUSHER_ID)
    roadmap = replace(make_roadmap(learner.id), repository=repository)
    async with queue.uow() as uow:
        await uow.users.add(learner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()
    body = json.dumps(push_payload(repository, messages=["start the exercises", "done: m1"])).encode()
    config = WebhookConfig(SECRET)
    guard = WebhookGuard(MemoryKeyValueStore(), config)
    receive = ReceiveGithubDelivery(queue.uow(), MsgspecGithubEventDecoder(), config, guard, queue.clock)
    receipt = await receive("delivery-1", "push", sign(SECRET, body), body, "192.0.2.1")
    assert receipt.outcome is Outcome.QUEUED

    arguments = {"delivery_id": "delivery-1"}
    await asyncio.gather(*(queue.runtime.queue.enqueue(JobName.PROCESS_GITHUB_DELIVERY, arguments) for _ in range(3)))

    async def processed() -> bool:
        async with queue.uow() as uow:
            return (await uow.webhook_deliveries.get("delivery-1")).status is DeliveryStatus.PROCESSED

    await _eventually(processed, "the delivery processed")
    await asyncio.sleep(1.0)  # the two other runs have found it processed
    async with queue.uow() as uow:
        events = await uow.progress_logs.list_for_roadmap(roadmap.id, PageRequest())
        versions = await uow.roadmaps.list_versions(roadmap.id, PageRequest())
        stored = await uow.roadmaps.get(roadmap.id)
    kinds = sorted(event.event_type.value for event in events.items)
    assert kinds == ["commit", "commit", "module_completed"]  # one of each, not one per run
    assert stored.modules[0].completed
    assert versions.total == 1  # one new version for the push
    assert await _failed_jobs(queue) == []


async def test_the_retention_job_runs_from_the_queue_and_removes_what_outlived_its_period(queue_with: Any) -> None:
    queue = await queue_with()
    user = make_user()
    now = queue.clock.now()
    expired, live = (
        RefreshSession(user.id, uuid4(), token_hash=uuid4().hex * 2, issued_at=at - timedelta(days=14), expires_at=at)
        for at in (now - timedelta(days=31), now + timedelta(days=1))
    )
    async with queue.uow() as uow:
        await uow.users.add(user)
        await uow.refresh_sessions.add(expired)
        await uow.refresh_sessions.add(live)
        await uow.commit()

    await queue.runtime.queue.enqueue(JobName.APPLY_RETENTION, {})

    async def expired_gone() -> bool:
        async with queue.uow() as uow:
            return await uow.refresh_sessions.find_by_hash(expired.token_hash) is None

    await _eventually(expired_gone, "the expired session removed")
    async with queue.uow() as uow:
        assert await uow.refresh_sessions.find_by_hash(live.token_hash) is not None  # control: kept
    assert await _failed_jobs(queue) == []
