"""The webhook's after-response task: it submits the processing job in a scope of its own; a queue that
cannot take the job leaves it recorded as failed, and nothing is ever raised into the server."""

from __future__ import annotations

import pytest
import structlog

from skillbridge.adapters.http.controllers.github import queue_processing
from skillbridge.adapters.jobs.taskiq_runtime import JobRuntime, RetryPolicy
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.pagination import PageRequest
from skillbridge.main import Settings, build_container
from skillbridge.main.jobs import JobsProvider


@pytest.mark.asyncio
async def test_a_job_the_queue_cannot_take_is_recorded_as_failed() -> None:
    runtime = JobRuntime.in_process(RetryPolicy())  # no job registered: every enqueue is refused
    container = build_container(Settings(database_url="memory://"), extra=(JobsProvider(runtime),))
    try:
        await queue_processing(container, "d-1")
        async with container() as scope, await scope.get(UnitOfWork) as uow:
            failed = (await uow.failed_jobs.list(PageRequest())).items
    finally:
        await container.close()
    assert [(job.name, job.arguments, job.attempts) for job in failed] == [
        ("process_github_delivery", {"delivery_id": "d-1"}, 0)
    ]
    assert failed[0].error.startswith("could not be queued")


@pytest.mark.asyncio
async def test_a_failure_to_submit_is_logged_not_raised() -> None:
    container = build_container(Settings(database_url="memory://"))  # no job queue at all
    try:
        with structlog.testing.capture_logs() as logs:
            await queue_processing(container, "d-2")
    finally:
        await container.close()
    assert [entry["event"] for entry in logs] == ["webhook_job_not_submitted"]
    assert logs[0]["delivery_id"] == "d-2"
