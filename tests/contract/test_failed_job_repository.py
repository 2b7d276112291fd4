"""The failed-job repository on memory, SQLite and PostgreSQL: stored as given, listed newest first,
marked retried once."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.errors import NotFound
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0


def _failed(minutes: int, name: str = "process_github_delivery") -> FailedJob:
    return FailedJob(
        name=name,
        arguments={"delivery_id": f"d-{minutes}", "nested": {"ok": True}},
        error="RuntimeError: boom",
        attempts=5,
        failed_at=T0 + timedelta(minutes=minutes),
    )


async def test_failed_jobs_are_stored_as_given_and_listed_newest_first(store: Store) -> None:
    jobs = [_failed(1), _failed(3), _failed(2)]
    async with store.new_uow() as uow:
        for job in jobs:
            await uow.failed_jobs.add(job)
        await uow.commit()
    async with store.new_uow() as uow:
        page = await uow.failed_jobs.list(PageRequest(limit=2))
        assert (page.total, [job.failed_at for job in page.items]) == (3, [jobs[1].failed_at, jobs[2].failed_at])
        assert await uow.failed_jobs.get(jobs[0].id) == jobs[0]
        with pytest.raises(NotFound):
            await uow.failed_jobs.get(uuid4())


async def test_a_failed_job_is_marked_retried_once_and_then_listed_only_on_request(store: Store) -> None:
    job = _failed(1)
    async with store.new_uow() as uow:
        await uow.failed_jobs.add(job)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.failed_jobs.mark_retried(job.id, T0 + timedelta(hours=1)) is True
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.failed_jobs.mark_retried(job.id, T0 + timedelta(hours=2)) is False
        assert (await uow.failed_jobs.get(job.id)).retried_at == T0 + timedelta(hours=1)
        assert (await uow.failed_jobs.list(PageRequest())).total == 0
        assert (await uow.failed_jobs.list(PageRequest(), include_retried=True)).items[0].id == job.id
        with pytest.raises(NotFound):
            await uow.failed_jobs.mark_retried(uuid4(), T0)
